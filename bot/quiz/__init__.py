"""The quiz: the question bank, drawing questions, grading and scoring. No Telegram here."""

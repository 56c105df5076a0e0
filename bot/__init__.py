"""支部学习助手 — a Telegram study-and-reminder bot for Party branches."""

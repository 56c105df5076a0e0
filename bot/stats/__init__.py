"""Participation statistics for secretaries: periods, figures, rankings, item analysis.
Plain Python, no Telegram."""

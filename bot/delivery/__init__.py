"""Scheduled reminders and broadcasts: the outbox, its pacing and its sender."""

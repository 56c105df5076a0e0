"""Meetings: theme days (支部主题党日) and other meetings as events, their reminders, 参加/请假
replies, 签到 and 补课. No Telegram here."""

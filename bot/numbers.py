"""Numbers typed by people or carried in callback data, parsed strictly.

``str.isdigit`` accepts "²" and "５" (which ``int`` then rejects or reads as 5), and a number
too large for SQLite's 64-bit integers fails deep inside a query. Every number the bot reads
from outside goes through ``parse_id`` or ``parse_int``: plain ASCII digits only, within a
stated range, else None — which the caller answers with a clear refusal.
"""

from __future__ import annotations

import re

ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
"""Up to 19 digits: the longest that can fit SQLite's signed 64-bit integers."""
ID_MAX = 2**63 - 1


def parse_int(text: str, low: int, high: int) -> int | None:
    """``text`` as an integer in ``low..high`` (an optional leading ``-`` when ``low`` < 0),
    or None."""
    body = text[1:] if text.startswith("-") and low < 0 else text
    if not ASCII_DIGITS.fullmatch(body):
        return None
    value = -int(body) if body is not text else int(body)
    return value if low <= value <= high else None


def parse_id(text: str) -> int | None:
    """A database row id or a count: 0..2⁶³−1, ASCII digits only."""
    return parse_int(text, 0, ID_MAX)


TELEGRAM_ID_MAX = 2**52
"""Telegram user and chat ids fit in 52 bits (the Bot API promises at most 52 significant
bits); group ids are negative."""


def parse_telegram_id(text: str) -> int | None:
    """A Telegram user or chat id."""
    return parse_int(text, -TELEGRAM_ID_MAX, TELEGRAM_ID_MAX)

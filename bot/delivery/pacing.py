"""Telegram's sending limits, as a pacer the sender asks before every message.

Telegram allows a bot about 30 messages a second overall, one a second to one private chat
and 20 a minute to one group; past that it answers 429 with ``retry_after``. python-telegram-bot's
``AIORateLimiter`` would freeze every request — quiz answers included — on one 429 and has no
per-private-chat pacing, so broadcasts are paced here, on their own, and interactive replies
never wait behind them. Plain Python with an explicit clock: tested without sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0
    private_interval: float = 1.0
    group_interval: float = 3.0
    """20 a minute."""


@dataclass
class Pacer:
    """Hands out send times: ``reserve`` returns when a message to ``chat_id`` may go.

    The overall rate is kept with the generic cell rate algorithm: on average one message
    every ``1/per_second`` seconds, with up to ``burst`` at once, so a send delayed by a busy
    moment is made up for instead of lost, and Telegram's own bucket is never overrun."""

    limits: Limits = field(default_factory=Limits)
    burst: int = 3
    _theoretical: float = 0.0
    _next_chat: dict[int, float] = field(default_factory=dict)
    _paused_until: float = 0.0

    def reserve(self, chat_id: int, now: float) -> float:
        """Book the earliest moment (≥ now) a message to ``chat_id`` may be sent."""
        step = 1.0 / self.limits.per_second
        interval = self.limits.group_interval if chat_id < 0 else self.limits.private_interval
        earliest = max(now, self._theoretical - (self.burst - 1) * step)
        at = max(earliest, self._next_chat.get(chat_id, 0.0), self._paused_until)
        self._theoretical = max(self._theoretical, at) + step
        self._next_chat[chat_id] = at + interval
        if len(self._next_chat) > 10_000:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        return at

    def pause(self, until: float) -> None:
        """Telegram said 429: nothing more goes out before ``until``."""
        self._paused_until = max(self._paused_until, until)
        self._theoretical = max(self._theoretical, until)

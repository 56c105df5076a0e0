"""Telegram's flood control, for runs that must respect it (the broadcast benchmark).

Telegram does not publish exact rules; its FAQ for bot developers says: no more than about
30 messages per second overall, no more than one per second to a single chat (short bursts
tolerated), no more than 20 per minute to one group; paid broadcasts (``allow_paid_broadcast``)
raise the overall limit to 1000 per second. Past a limit Telegram answers 429 "Too Many
Requests: retry after N". This models those three windows over sent messages (not edits or
callback answers) and answers the same way. Off by default: interactive tests are not about it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import ApiError

SENDING = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendpoll", "sendaudio", "sendvideo",
     "sendanimation", "sendvoice", "sendsticker", "sendlocation", "sendcontact",
     "sendmediagroup", "copymessage", "forwardmessage"}
)  # fmt: skip


@dataclass
class Bucket:
    """A token bucket: ``capacity`` messages at once, refilled at ``rate`` a second."""

    capacity: float
    rate: float
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> float:
        """Take a token; 0 if one was there, else the seconds until one will be."""
        if self.tokens < 0:
            self.tokens = self.capacity
        else:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class FloodControl:
    """Token buckets: 30 a second overall (1000 for paid broadcasts), one a second per
    private chat after a burst of three, 20 a minute per group."""

    per_second: float = 30
    paid_per_second: float = 1000
    chat_burst: float = 3
    per_group_minute: float = 20
    violations: int = 0
    _overall: Bucket | None = None
    _paid: Bucket | None = None
    _chats: dict[int, Bucket] = field(default_factory=dict)

    def check(self, method: str, chat_id: int | None, paid: bool, now: float) -> None:
        """Record a send at ``now``, or raise Telegram's 429 if it breaks a limit."""
        if method.lower() not in SENDING:
            return
        if paid:
            self._paid = self._paid or Bucket(self.paid_per_second, self.paid_per_second)
            overall = self._paid
        else:
            self._overall = self._overall or Bucket(self.per_second, self.per_second)
            overall = self._overall
        wait = overall.take(now)
        if wait:
            self._refuse(wait)
        if chat_id is not None:
            if chat_id not in self._chats:
                self._chats[chat_id] = (
                    Bucket(self.per_group_minute, self.per_group_minute / 60)
                    if chat_id < 0
                    else Bucket(self.chat_burst, 1.0)
                )
            wait = self._chats[chat_id].take(now)
            if wait:
                self._refuse(wait)

    def _refuse(self, wait: float) -> None:
        self.violations += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

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
from collections import deque
from dataclasses import dataclass, field

from .errors import ApiError

SENDING = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendpoll", "sendaudio", "sendvideo",
     "sendanimation", "sendvoice", "sendsticker", "sendlocation", "sendcontact",
     "sendmediagroup", "copymessage", "forwardmessage"}
)  # fmt: skip


@dataclass
class FloodControl:
    per_second: int = 30
    paid_per_second: int = 1000
    per_chat_second: int = 1
    chat_burst: int = 3
    """Messages a private chat may get within one second before Telegram objects."""
    per_group_minute: int = 20
    _global: deque[float] = field(default_factory=deque)
    _chats: dict[int, deque[float]] = field(default_factory=dict)
    violations: int = 0

    def check(self, method: str, chat_id: int | None, paid: bool, now: float) -> None:
        """Record a send at ``now``, or raise Telegram's 429 if it breaks a limit."""
        if method.lower() not in SENDING:
            return
        limit = self.paid_per_second if paid else self.per_second
        self._trim(self._global, now - 1.0)
        if len(self._global) >= limit:
            self._refuse(self._global[0] + 1.0 - now)
        if chat_id is not None:
            window, cap = (60.0, self.per_group_minute) if chat_id < 0 else (1.0, self.chat_burst)
            sent = self._chats.setdefault(chat_id, deque())
            self._trim(sent, now - window)
            if len(sent) >= cap:
                self._refuse(sent[0] + window - now)
            sent.append(now)
        self._global.append(now)

    def _refuse(self, wait: float) -> None:
        self.violations += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    @staticmethod
    def _trim(times: deque[float], before: float) -> None:
        while times and times[0] <= before:
            times.popleft()

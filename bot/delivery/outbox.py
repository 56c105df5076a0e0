"""What the outbox holds: a batch (one thing sent to many) and its deliveries (one per
recipient). Plain values, returned by the outbox store and written through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Delivery:
    id: int
    batch_id: int
    chat_id: int
    member_id: int | None
    text: str
    reply_markup: dict[str, Any] | None
    attempts: int


@dataclass(frozen=True)
class NewDelivery:
    chat_id: int
    member_id: int | None
    text: str
    reply_markup: dict[str, Any] | None = None


@dataclass(frozen=True)
class Batch:
    id: int
    key: str
    kind: str
    title: str
    unit_id: str | None
    created_by: int | None
    occurs_at: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None
    finished_at: datetime | None
    event_id: int | None
    """The meeting this batch announces (a reminder, a 补课), if any."""


@dataclass(frozen=True)
class BatchProgress:
    total: int
    sent: int
    failed: int
    skipped: int

    @property
    def done(self) -> bool:
        return self.sent + self.failed + self.skipped >= self.total

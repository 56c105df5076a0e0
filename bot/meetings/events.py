"""Meetings as values: one planned from the schedule (``Meeting``), one as stored (``Event``)
and a member's reply and sign-in for it (``Reply``). Plain values, returned by the attendance
store and written through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

THEME_DAY = "theme_day"
"""The kind (and schedule rule) of the monthly 支部主题党日, the meeting with attendance."""


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Meeting:
    """A meeting as the schedule gives it: which branch, when, about what, where.

    ``rule`` names the schedule rule (``theme_day``, ``study_day``, ``meetings.<name>``) and
    ``kind`` what sort of meeting it is; both are the theme day's unless said otherwise."""

    branch_id: str
    occurs_at: datetime
    topic: str
    place: str
    kind: str = THEME_DAY
    rule: str = THEME_DAY
    title: str = ""

    @property
    def key(self) -> str:
        """Written once under this key, however often the scheduler looks."""
        return f"{self.rule}:{self.branch_id}:{self.occurs_at.strftime('%Y%m%dT%H%M')}"


@dataclass(frozen=True)
class Event:
    """A meeting as stored: what attendance and the batches announcing it point at."""

    id: int
    key: str
    branch_id: str
    kind: str
    occurs_at: datetime
    title: str
    topic: str
    place: str
    status: EventStatus


@dataclass(frozen=True)
class Reply:
    member_id: int
    reply: str | None
    reason: str | None
    present: bool
    signed_kind: str | None

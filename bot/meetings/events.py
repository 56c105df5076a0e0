"""Meetings as values: one planned from the schedule (``Meeting``), one as stored (``Event``),
a member's reply and sign-in for it (``Reply``) and its sign-in session (``SigninSession``).
Plain values, returned by the stores and written through them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

THEME_DAY = "theme_day"
"""The kind (and schedule rule) of the monthly 支部主题党日, the meeting with attendance."""


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Detail(StrEnum):
    """What a secretary may set on one occurrence (config keeps the defaults), with the most
    characters each may have: a detail is read on a phone, in a reminder."""

    TOPIC = "topic"
    PLACE = "place"
    AGENDA = "agenda"
    SPEAKER = "speaker"
    MATERIAL = "material"
    """What to study: sent with the 补课 to those on leave or absent (a text, a link)."""

    @property
    def limit(self) -> int:
        return {"topic": 60, "place": 60, "agenda": 500, "speaker": 30, "material": 1000}[
            self.value
        ]


CANCEL_REASON_LIMIT = 200


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
    agenda: str = ""
    speaker: str = ""

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
    agenda: str = ""
    speaker: str = ""
    note: str = ""
    """Why it was cancelled, as the secretary wrote it."""
    material: str = ""
    """The study material the secretary set, for the 补课."""

    def as_meeting(self) -> Meeting:
        """The stored occurrence with the secretary's edits, as reminders describe it."""
        return Meeting(
            self.branch_id,
            self.occurs_at,
            self.topic,
            self.place,
            kind=self.kind,
            title=self.title,
            agenda=self.agenda,
            speaker=self.speaker,
        )


@dataclass(frozen=True)
class Reply:
    member_id: int
    reply: str | None
    reason: str | None
    present: bool
    signed_kind: str | None
    signed_at: datetime | None = None
    studied_at: datetime | None = None
    """When the member confirmed the 补课 (已学习)."""


@dataclass(frozen=True)
class SigninSession:
    """Sign-in opened for one event: its code, the QR link's token, its window, and the
    secretary's message showing the live count."""

    id: int
    event_id: int
    branch_id: str
    token: str
    code: str
    opens_at: datetime
    closes_at: datetime
    opened_by: int
    opened_at: datetime
    board_chat: int | None = None
    board_message: int | None = None

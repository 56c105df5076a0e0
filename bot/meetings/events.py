"""Meetings as values: one planned from the schedule (``Meeting``), one as stored (``Event``),
a member's reply and sign-in for it (``Reply``) and its sign-in session (``SigninSession``).
Plain values, returned by the stores and written through them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.i18n import Texts

THEME_DAY = "theme_day"
"""The kind (and schedule rule) of the monthly 支部主题党日, the meeting with attendance."""


class MeetingKind(StrEnum):
    """三会一课 as a secretary organises them in the chat (``/meeting new``), with how often
    《中国共产党支部工作条例（试行）》 asks for each: 党员大会 and 党课 once a quarter, 支委会
    and 党小组会 once a month. The theme day (monthly) is counted beside them."""

    MEMBERS = "member_meeting"
    """支部党员大会."""
    COMMITTEE = "committee_meeting"
    """支部委员会会议 (支委会): for the committee, not every member."""
    GROUP = "group_meeting"
    """党小组会."""
    LECTURE = "party_lecture"
    """党课."""

    @property
    def months(self) -> int:
        """How many months one of them is due in: 3 (quarterly) or 1 (monthly)."""
        return 3 if self in (MeetingKind.MEMBERS, MeetingKind.LECTURE) else 1


class Audience(StrEnum):
    """Whom a meeting is for: the whole branch, or its committee (支委会)."""

    BRANCH = "branch"
    COMMITTEE = "committee"


MINUTES_LIMIT = 3000
"""The most characters a meeting's minutes (会议纪要) may have: one Telegram message's worth,
less the heading it is shown under."""
PHOTO_BYTES_LIMIT = 5 * 1024 * 1024
"""The largest photo kept with a record: the biggest size Telegram offers that fits."""
PHOTOS_LIMIT = 20
"""Photos one record keeps."""


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
    """Why it was cancelled or moved, as the secretary last wrote it."""
    material: str = ""
    """The study material the secretary set, for the 补课."""
    moved_from: datetime | None = None
    """When it was first planned, if it has been moved."""
    moves: int = 0
    """How many times it has been moved: each move is announced under its own number."""
    adhoc: bool = False
    """Organised in the chat (``/meeting new``), not planned by the schedule."""
    audience: Audience = Audience.BRANCH
    expected: int | None = None
    """应到 when it is not the branch's members (a 支委会: those it was announced to)."""
    minutes: str = ""
    closed_at: datetime | None = None
    """When the secretary closed the record: the attendance is frozen from then on."""

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

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


@dataclass(frozen=True)
class Photo:
    """A photo kept with a meeting's record: Telegram's file id of the size kept (no copy is
    stored; the bot sends it back by id)."""

    id: int
    event_id: int
    file_id: str
    file_unique_id: str
    size: int
    width: int
    height: int


@dataclass(frozen=True)
class HeldMeeting:
    """One meeting held in a period as the 会议记录 sheet shows it, counted from the stored
    attendance: 应到 (the branch's members at the time, or the committee it was for), 实到,
    请假 (on leave and not signed in), 缺席 (the rest), and 补课 done."""

    event: Event
    expected: int
    present: int
    leave: int
    makeup_done: int
    """Members who confirmed their 补课 (已学习)."""
    photos: int

    @property
    def absent(self) -> int:
        return max(0, self.expected - self.present - self.leave)


def kind_name(texts: Texts, kind: str, title: str = "") -> str:
    """What a meeting is called in a message or a ledger: 主题党日, 党课, 支委会…, or the
    title of a meeting the schedule names."""
    names = {
        THEME_DAY: texts.meeting_kind_theme_day,
        MeetingKind.MEMBERS.value: texts.meeting_kind_members,
        MeetingKind.COMMITTEE.value: texts.meeting_kind_committee,
        MeetingKind.GROUP.value: texts.meeting_kind_group,
        MeetingKind.LECTURE.value: texts.meeting_kind_lecture,
    }
    return names.get(kind) or title or texts.meeting_kind_theme_day

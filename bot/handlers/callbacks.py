"""Callback data: one small codec per button prefix, e.g. ``quiz:<action>:<session>:<n>[:<o>]``.

Callback data comes back from clients and can be forged, so every codec's ``unpack`` is strict
and total: anything that is not exactly what its ``pack`` would have written — other bytes,
another prefix, a number with a sign, a leading zero, a non-ASCII digit such as ``²``, or out of
range — gives None, never an exception. The command registry routes each prefix to its handler
behind the same access check as commands; this module is plain Python so that the outbox (which
stores keyboards as JSON) can pack buttons too.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Generic, Literal, TypeVar

from bot.org.transfers import TransferAction
from bot.quiz.session import Tap, TapAction
from bot.stats.periods import Period, Span

MAX_CALLBACK_BYTES = 64
"""Telegram's limit on a button's callback data."""

T = TypeVar("T")

_ID = r"([1-9][0-9]{0,17})"
"""A database row id: positive, canonical, at most 18 digits so it always fits SQLite's int64."""
_SMALL = r"(0|[1-9][0-9]?)"
"""An index into a short list shown on one keyboard (0..99)."""
_NAME = r"([A-Za-z0-9_-]{1,32})"
"""A unit or question id, as the organisation and bank schemas allow them."""


class Codec(ABC, Generic[T]):
    """Packs a value into ``<prefix>:<fields>`` and unpacks exactly that back."""

    prefix: ClassVar[str]
    fields: ClassVar[re.Pattern[str]]
    """What follows ``<prefix>:``, matched in full."""

    def pack(self, value: T) -> str:
        data = ":".join((self.prefix, *self._fields(value)))
        if len(data) > MAX_CALLBACK_BYTES or not data.isascii():
            raise ValueError(f"callback data does not fit a button: {data!r}")
        return data

    def unpack(self, data: object) -> T | None:
        """The value ``data`` stands for, or None for anything ``pack`` would not write."""
        if not isinstance(data, str) or len(data) > MAX_CALLBACK_BYTES or not data.isascii():
            return None
        head, colon, rest = data.partition(":")
        if head != self.prefix or not colon:
            return None
        match = self.fields.fullmatch(rest)
        return self._value(match) if match is not None else None

    @abstractmethod
    def _fields(self, value: T) -> tuple[str, ...]: ...

    @abstractmethod
    def _value(self, match: re.Match[str]) -> T | None: ...


class QuizCodec(Codec[Tap]):
    """A tap on a question's keyboard."""

    prefix = "quiz"
    fields = re.compile(rf"(answer|toggle|submit):{_ID}:{_SMALL}(?::([0-7]))?")

    def _fields(self, value: Tap) -> tuple[str, ...]:
        option = () if value.option is None else (str(value.option),)
        return (value.action.value, str(value.session_id), str(value.position), *option)

    def _value(self, match: re.Match[str]) -> Tap | None:
        action = TapAction(match.group(1))
        option = int(match.group(4)) if match.group(4) is not None else None
        if (action is TapAction.SUBMIT) != (option is None):
            return None
        return Tap(int(match.group(2)), int(match.group(3)), action, option)


@dataclass(frozen=True)
class NextTap:
    """下一题 (or 查看得分 after the last) under an answered question: which quiz, and the
    position of the question it asks for (the quiz's length when the quiz is over)."""

    session_id: int
    position: int


class NextCodec(Codec[NextTap]):
    prefix = "next"
    fields = re.compile(rf"{_ID}:{_SMALL}")

    def _fields(self, value: NextTap) -> tuple[str, ...]:
        return (str(value.session_id), str(value.position))

    def _value(self, match: re.Match[str]) -> NextTap:
        return NextTap(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class TopicTap:
    """A tap in the /quiz 选题 menu: a document (show its chapters), or a chapter of it, or
    the whole document ("all")."""

    document: int
    chapter: int | Literal["all"] | None = None


class TopicCodec(Codec[TopicTap]):
    prefix = "topic"
    fields = re.compile(rf"{_SMALL}(?::(all|0|[1-9][0-9]?))?")

    def _fields(self, value: TopicTap) -> tuple[str, ...]:
        chapter = () if value.chapter is None else (str(value.chapter),)
        return (str(value.document), *chapter)

    def _value(self, match: re.Match[str]) -> TopicTap:
        chapter = match.group(2)
        if chapter is None or chapter == "all":
            return TopicTap(int(match.group(1)), "all" if chapter else None)
        return TopicTap(int(match.group(1)), int(chapter))


@dataclass(frozen=True)
class FixTap:
    """纠错 under an answered question: which quiz, which question of it."""

    session_id: int
    position: int


class FixCodec(Codec[FixTap]):
    prefix = "fix"
    fields = re.compile(rf"{_ID}:{_SMALL}")

    def _fields(self, value: FixTap) -> tuple[str, ...]:
        return (str(value.session_id), str(value.position))

    def _value(self, match: re.Match[str]) -> FixTap:
        return FixTap(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class CloseTap:
    """An admin marks the correction reports on one question handled."""

    question_id: str


class CloseCodec(Codec[CloseTap]):
    prefix = "fixdone"
    fields = re.compile(_NAME)

    def _fields(self, value: CloseTap) -> tuple[str, ...]:
        return (value.question_id,)

    def _value(self, match: re.Match[str]) -> CloseTap:
        return CloseTap(match.group(1))


@dataclass(frozen=True)
class PageTap:
    """上一页/下一页 under a paged list: the page to show (0-based)."""

    page: int


class CorrectionsPageCodec(Codec[PageTap]):
    prefix = "fixpage"
    fields = re.compile(r"(0|[1-9][0-9]{0,3})")

    def _fields(self, value: PageTap) -> tuple[str, ...]:
        return (str(value.page),)

    def _value(self, match: re.Match[str]) -> PageTap:
        return PageTap(int(match.group(1)))


@dataclass(frozen=True)
class MembersPageTap:
    """上一页/下一页 under /members: the unit listed and the page to show (0-based)."""

    unit_id: str
    page: int


class MembersPageCodec(Codec[MembersPageTap]):
    prefix = "mempage"
    fields = re.compile(rf"{_NAME}:(0|[1-9][0-9]{{0,3}})")

    def _fields(self, value: MembersPageTap) -> tuple[str, ...]:
        return (value.unit_id, str(value.page))

    def _value(self, match: re.Match[str]) -> MembersPageTap:
        return MembersPageTap(match.group(1), int(match.group(2)))


@dataclass(frozen=True)
class BroadcastTap:
    """确认发送 (send), 确认发送 with a 收到 button (send and ack) or 取消 under a broadcast
    preview. ``stamp`` names the preview, so that an older preview's button cannot send a
    newer text."""

    send: bool
    stamp: int
    ack: bool = False

    def __post_init__(self) -> None:
        if self.ack and not self.send:
            raise ValueError("a cancelled broadcast asks for no acknowledgement")


class BroadcastCodec(Codec[BroadcastTap]):
    prefix = "broadcast"
    fields = re.compile(rf"(send|ack|cancel):{_ID}")

    def _fields(self, value: BroadcastTap) -> tuple[str, ...]:
        action = "ack" if value.ack else "send" if value.send else "cancel"
        return (action, str(value.stamp))

    def _value(self, match: re.Match[str]) -> BroadcastTap:
        action = match.group(1)
        return BroadcastTap(action != "cancel", int(match.group(2)), action == "ack")


@dataclass(frozen=True)
class AckTap:
    """A member's 收到 under a broadcast: which broadcast (batch) it acknowledges."""

    batch_id: int


class AckCodec(Codec[AckTap]):
    prefix = "ack"
    fields = re.compile(_ID)

    def _fields(self, value: AckTap) -> tuple[str, ...]:
        return (str(value.batch_id),)

    def _value(self, match: re.Match[str]) -> AckTap:
        return AckTap(int(match.group(1)))


@dataclass(frozen=True)
class AcksTap:
    """The sender's 收到情况 of a broadcast (show), or 再发给未点收到的人 (resend)."""

    batch_id: int
    resend: bool


class AcksCodec(Codec[AcksTap]):
    prefix = "acks"
    fields = re.compile(rf"{_ID}:(show|resend)")

    def _fields(self, value: AcksTap) -> tuple[str, ...]:
        return (str(value.batch_id), "resend" if value.resend else "show")

    def _value(self, match: re.Match[str]) -> AcksTap:
        return AcksTap(int(match.group(1)), match.group(2) == "resend")


@dataclass(frozen=True)
class RsvpTap:
    """参加 (yes) or 请假 (leave) under a theme-day reminder."""

    event_id: int
    reply: Literal["yes", "leave"]


class RsvpCodec(Codec[RsvpTap]):
    prefix = "rsvp"
    fields = re.compile(rf"{_ID}:(yes|leave)")

    def _fields(self, value: RsvpTap) -> tuple[str, ...]:
        return (str(value.event_id), value.reply)

    def _value(self, match: re.Match[str]) -> RsvpTap:
        return RsvpTap(int(match.group(1)), "yes" if match.group(2) == "yes" else "leave")


@dataclass(frozen=True)
class NudgeTap:
    """提醒未参学 under /stats: the branch and the period the report was about."""

    branch_id: str
    period: Period


class NudgeCodec(Codec[NudgeTap]):
    prefix = "nudge"
    fields = re.compile(rf"{_NAME}:([1-9][0-9]{{3}})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?")

    def _fields(self, value: NudgeTap) -> tuple[str, ...]:
        return (value.branch_id, value.period.key)

    def _value(self, match: re.Match[str]) -> NudgeTap:
        branch, year, month, quarter = match.groups()
        if month is not None:
            period = Period(Span.MONTH, int(year), int(month))
        elif quarter is not None:
            period = Period(Span.QUARTER, int(year), int(quarter))
        else:
            period = Period(Span.YEAR, int(year))
        return NudgeTap(branch, period)


@dataclass(frozen=True)
class SignTap:
    """A secretary signs a member in (代签, or 补签 after the meeting) from the list of those
    not signed in; ``page`` is the list's page to show again (written only when not 0, so
    the buttons of older sheets, ``sign:<event>:<member>``, still read)."""

    event_id: int
    member_id: int
    page: int = 0


class SignCodec(Codec[SignTap]):
    prefix = "sign"
    fields = re.compile(rf"{_ID}:{_ID}(?::([1-9][0-9]{{0,3}}))?")

    def _fields(self, value: SignTap) -> tuple[str, ...]:
        page = (str(value.page),) if value.page else ()
        return (str(value.event_id), str(value.member_id), *page)

    def _value(self, match: re.Match[str]) -> SignTap:
        page = int(match.group(3)) if match.group(3) else 0
        return SignTap(int(match.group(1)), int(match.group(2)), page)


@dataclass(frozen=True)
class SigninTap:
    """开启签到 on a meeting (under /attendance or /themeday): the secretary opens sign-in."""

    event_id: int


class SigninCodec(Codec[SigninTap]):
    prefix = "signin"
    fields = re.compile(_ID)

    def _fields(self, value: SigninTap) -> tuple[str, ...]:
        return (str(value.event_id),)

    def _value(self, match: re.Match[str]) -> SigninTap:
        return SigninTap(int(match.group(1)))


@dataclass(frozen=True)
class ProxyTap:
    """The list of members not signed in to one event, for 代签/补签: a page of it (0-based),
    or — ``page`` None — 按姓名查找 (search by name)."""

    event_id: int
    page: int | None


class ProxyCodec(Codec[ProxyTap]):
    prefix = "proxy"
    fields = re.compile(rf"{_ID}:(find|0|[1-9][0-9]{{0,3}})")

    def _fields(self, value: ProxyTap) -> tuple[str, ...]:
        return (str(value.event_id), "find" if value.page is None else str(value.page))

    def _value(self, match: re.Match[str]) -> ProxyTap:
        page = match.group(2)
        return ProxyTap(int(match.group(1)), None if page == "find" else int(page))


@dataclass(frozen=True)
class StudiedTap:
    """已学习 under a 补课 message: the member has studied what the meeting ``event_id`` did."""

    event_id: int


class StudiedCodec(Codec[StudiedTap]):
    prefix = "studied"
    fields = re.compile(_ID)

    def _fields(self, value: StudiedTap) -> tuple[str, ...]:
        return (str(value.event_id),)

    def _value(self, match: re.Match[str]) -> StudiedTap:
        return StudiedTap(int(match.group(1)))


LeaveChoice = Literal["trip", "ill", "work"]


@dataclass(frozen=True)
class LeaveChoiceTap:
    """A reason for leave picked from the buttons under the question (出差, 生病, 工作冲突);
    any other reason is typed."""

    event_id: int
    reason: LeaveChoice


class LeaveChoiceCodec(Codec[LeaveChoiceTap]):
    prefix = "leave"
    fields = re.compile(rf"{_ID}:(trip|ill|work)")
    _reasons: ClassVar[dict[str, LeaveChoice]] = {"trip": "trip", "ill": "ill", "work": "work"}

    def _fields(self, value: LeaveChoiceTap) -> tuple[str, ...]:
        return (str(value.event_id), value.reason)

    def _value(self, match: re.Match[str]) -> LeaveChoiceTap:
        return LeaveChoiceTap(int(match.group(1)), self._reasons[match.group(2)])


MeetAction = Literal["open", "topic", "place", "agenda", "speaker", "material", "move", "cancel"]


@dataclass(frozen=True)
class MeetTap:
    """A secretary's button on one occurrence of a meeting: open its menu, set one detail
    (topic, place, agenda, speaker, the study material for its 补课), move it to another time
    or cancel it."""

    event_id: int
    action: MeetAction


class MeetCodec(Codec[MeetTap]):
    prefix = "meet"
    fields = re.compile(rf"(open|topic|place|agenda|speaker|material|move|cancel):{_ID}")
    _actions: ClassVar[dict[str, MeetAction]] = {
        "open": "open",
        "topic": "topic",
        "place": "place",
        "agenda": "agenda",
        "speaker": "speaker",
        "material": "material",
        "move": "move",
        "cancel": "cancel",
    }

    def _fields(self, value: MeetTap) -> tuple[str, ...]:
        return (value.action, str(value.event_id))

    def _value(self, match: re.Match[str]) -> MeetTap:
        return MeetTap(int(match.group(2)), self._actions[match.group(1)])


@dataclass(frozen=True)
class MeetConfirmTap:
    """确认 (save) or 放弃 under the preview of an edit; ``stamp`` names the preview, so an
    older preview cannot apply a newer edit."""

    save: bool
    stamp: int


class MeetConfirmCodec(Codec[MeetConfirmTap]):
    prefix = "meetok"
    fields = re.compile(rf"(save|drop):{_ID}")

    def _fields(self, value: MeetConfirmTap) -> tuple[str, ...]:
        return ("save" if value.save else "drop", str(value.stamp))

    def _value(self, match: re.Match[str]) -> MeetConfirmTap:
        return MeetConfirmTap(match.group(1) == "save", int(match.group(2)))


NewMeetingKind = Literal["member_meeting", "committee_meeting", "group_meeting", "party_lecture"]


@dataclass(frozen=True)
class MeetingKindTap:
    """/meeting new: the kind of meeting picked (党员大会, 支委会, 党小组会, 党课) for one
    branch."""

    branch_id: str
    kind: NewMeetingKind


class MeetingKindCodec(Codec[MeetingKindTap]):
    prefix = "mkind"
    fields = re.compile(rf"(member|committee|group|lecture):{_NAME}")
    _kinds: ClassVar[dict[str, NewMeetingKind]] = {
        "member": "member_meeting",
        "committee": "committee_meeting",
        "group": "group_meeting",
        "lecture": "party_lecture",
    }
    _short: ClassVar[dict[str, str]] = {kind: short for short, kind in _kinds.items()}

    def _fields(self, value: MeetingKindTap) -> tuple[str, ...]:
        return (self._short[value.kind], value.branch_id)

    def _value(self, match: re.Match[str]) -> MeetingKindTap:
        return MeetingKindTap(match.group(2), self._kinds[match.group(1)])


RecordAction = Literal["open", "minutes", "photos", "done", "show", "close"]


@dataclass(frozen=True)
class RecordTap:
    """A secretary's button on a held meeting's record: open it, write the minutes, add
    photos (and say they are all sent), get the photos back, or close it (freeze the
    attendance)."""

    event_id: int
    action: RecordAction


class RecordCodec(Codec[RecordTap]):
    prefix = "rec"
    fields = re.compile(rf"(open|minutes|photos|done|show|close):{_ID}")
    _actions: ClassVar[dict[str, RecordAction]] = {
        "open": "open",
        "minutes": "minutes",
        "photos": "photos",
        "done": "done",
        "show": "show",
        "close": "close",
    }

    def _fields(self, value: RecordTap) -> tuple[str, ...]:
        return (value.action, str(value.event_id))

    def _value(self, match: re.Match[str]) -> RecordTap:
        return RecordTap(int(match.group(2)), self._actions[match.group(1)])


@dataclass(frozen=True)
class RequestTap:
    """A secretary's 同意 (yes) or 不同意 under a join or rename request."""

    request_id: int
    approve: bool


class RequestCodec(Codec[RequestTap]):
    prefix = "request"
    fields = re.compile(rf"{_ID}:(yes|no)")

    def _fields(self, value: RequestTap) -> tuple[str, ...]:
        return (str(value.request_id), "yes" if value.approve else "no")

    def _value(self, match: re.Match[str]) -> RequestTap:
        return RequestTap(int(match.group(1)), match.group(2) == "yes")


@dataclass(frozen=True)
class TransferTap:
    """接收 (accept) or 不接收 (decline) under a transfer request, by the receiving branch;
    撤回 (withdraw) under the sender's copy."""

    request_id: int
    action: TransferAction


class TransferCodec(Codec[TransferTap]):
    prefix = "transfer"
    fields = re.compile(rf"{_ID}:(accept|decline|withdraw)")

    def _fields(self, value: TransferTap) -> tuple[str, ...]:
        return (str(value.request_id), value.action.value)

    def _value(self, match: re.Match[str]) -> TransferTap:
        return TransferTap(int(match.group(1)), TransferAction(match.group(2)))


QUIZ = QuizCodec()
NEXT = NextCodec()
TOPIC = TopicCodec()
FIX = FixCodec()
CLOSE_CORRECTION = CloseCodec()
CORRECTIONS_PAGE = CorrectionsPageCodec()
MEMBERS_PAGE = MembersPageCodec()
BROADCAST = BroadcastCodec()
RSVP = RsvpCodec()
NUDGE = NudgeCodec()
SIGN = SignCodec()
SIGNIN = SigninCodec()
PROXY = ProxyCodec()
STUDIED = StudiedCodec()
MEET = MeetCodec()
MEET_CONFIRM = MeetConfirmCodec()
LEAVE_CHOICE = LeaveChoiceCodec()
REQUEST = RequestCodec()
TRANSFER = TransferCodec()
MEETING_KIND = MeetingKindCodec()
RECORD = RecordCodec()
ACK = AckCodec()
ACKS = AcksCodec()

"""签到 at the meeting: a secretary opens sign-in for one event and shows a short code and a QR
code (a deep link carrying an unguessable token); the branch's members sign themselves in by
scanning it or typing the code, only during the meeting's window; the secretary signs in the
rest (代签 while the window is open, 补签 after), each recorded with who did it and when.

Codes are short for older members to type, so each member's wrong codes are counted and a
member who keeps guessing is stopped for a while. Tokens come from ``secrets``; codes from the
injected random source, which is ``random.SystemRandom`` unless a test pins it.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.meetings.codes import CODE_DIGITS
from bot.meetings.events import Event, EventStatus, MeetingKind, Reply, SigninSession
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.schedule.config import EventSettings
from bot.schedule.notation import parse_offset
from bot.schedule.planner import Schedule
from bot.storage.attendance import AttendanceStore
from bot.storage.org import OrgStore
from bot.storage.signin import SigninStore

START_PREFIX = "si-"
"""The /start payload of a sign-in QR code: ``si-<token>``."""
FAILURE_LIMIT = 5
"""Wrong codes a member may type within ``FAILURE_WINDOW`` before being stopped."""
FAILURE_WINDOW = timedelta(minutes=10)
LATELY = timedelta(hours=12)
"""A code typed this long after a sign-in closed is still answered as a (late) code."""
RECENT_SHOWN = 5
"""Names of the latest sign-ins on the secretary's live message."""
NEAR = timedelta(days=32)
"""How far from now an event can be for its sign-in window to reach now (offsets are at most
31 days)."""


class Refusal(StrEnum):
    """Why a sign-in (or opening one) was refused; each has its own words."""

    NO_MEETING = "no_meeting"
    NOT_YET = "not_yet"
    ENDED = "ended"
    CANCELLED = "cancelled"
    NOT_MEMBER = "not_member"
    OTHER_BRANCH = "other_branch"
    NOT_INVITED = "not_invited"
    """A 支委会: the member is in the branch but not on its committee."""
    WRONG_CODE = "wrong_code"
    BAD_LINK = "bad_link"
    TOO_MANY = "too_many"
    ALREADY = "already"


@dataclass(frozen=True)
class Outcome:
    """A self sign-in: done (``refusal`` None) or refused, with what the words need."""

    refusal: Refusal | None
    event: Event | None = None
    session: SigninSession | None = None
    at: datetime | None = None
    """When they signed in: now, or — already signed — the first time."""
    attempts_left: int = 0
    """After a wrong code: how many more tries before the pause."""


@dataclass(frozen=True)
class Opening:
    """What opening sign-in gave: the session, or why not (with the event it is about)."""

    session: SigninSession | None
    refusal: Refusal | None
    event: Event | None = None
    opens_at: datetime | None = None


@dataclass(frozen=True)
class Board:
    """The live count on the secretary's message: 应到, 已签到, 请假, 未签到, latest names."""

    event: Event
    expected: int
    present: int
    leave: int
    absent: int
    recent: list[tuple[str, datetime]]


class SigninService:
    def __init__(
        self,
        signins: SigninStore,
        attendance: AttendanceStore,
        members: OrgStore,
        tree: OrgTree,
        schedule: Schedule,
        clock: Clock,
        rng: random.Random | None = None,
        committee: Callable[[str], Awaitable[Sequence[int]]] | None = None,
    ) -> None:
        """``committee`` gives the Telegram ids of a branch's committee as the bot knows it
        (its secretaries): a 支委会 is theirs to sign in to, and its 应到 is them."""
        self._committee = committee
        self._signins = signins
        self._attendance = attendance
        self._members = members
        self._tree = tree
        self._schedule = schedule
        self._clock = clock
        self._rng = rng or random.SystemRandom()

    # The window

    def settings(self, event: Event) -> EventSettings:
        """The configured settings of the event's kind in its branch (the theme day's for an
        ad-hoc meeting)."""
        unit = self._tree.by_id.get(event.branch_id)
        plan = self._schedule.branch(event.branch_id, unit.kind if unit else None)
        return plan.settings.event(event.key.partition(":")[0])

    def window(self, event: Event) -> tuple[datetime, datetime]:
        """When members may sign themselves in to ``event``."""
        settings, zone = self.settings(event), self._schedule.zone
        day = event.occurs_at.astimezone(zone).date()
        return (
            parse_offset(settings.signin_opens).moment(day, event.occurs_at, zone),
            parse_offset(settings.signin_closes).moment(day, event.occurs_at, zone),
        )

    def sign_kind(self, event: Event) -> str:
        """What the secretary's sign-in of a member is: 代签 (proxy) until the window closes,
        补签 (late) after, or as soon as the meeting's record is closed (the attendance is
        frozen then: only an explicit 补签 changes it)."""
        if event.closed:
            return "late"
        return "proxy" if self._clock.now() <= self.window(event)[1] else "late"

    async def current(self, branch_id: str) -> Opening:
        """The branch's event whose window holds now (the nearest start if several), or the
        next one to open (``NOT_YET``), or none (``NO_MEETING``)."""
        now = self._clock.now()
        events = [
            e
            for e in await self._attendance.events_near(branch_id, now - NEAR, now + NEAR)
            if e.status is EventStatus.SCHEDULED
        ]
        open_now = [e for e in events if self.window(e)[0] <= now <= self.window(e)[1]]
        if open_now:
            event = min(open_now, key=lambda e: abs(e.occurs_at - now))
            return Opening(await self._signins.of_event(event.id), None, event)
        coming = sorted((self.window(e)[0], e.id, e) for e in events if self.window(e)[0] > now)
        if coming:
            opens_at, _, event = coming[0]
            return Opening(None, Refusal.NOT_YET, event, opens_at)
        return Opening(None, Refusal.NO_MEETING)

    async def open(self, event: Event, by: int) -> Opening:
        """Open sign-in for ``event`` (once: the same code and link when asked again)."""
        opens_at, closes_at = self.window(event)
        now = self._clock.now()
        if event.status is EventStatus.CANCELLED:
            return Opening(None, Refusal.CANCELLED, event)
        # A closed record (/meeting → 封存签到) has frozen the attendance: no sign-in opens.
        if now > closes_at or event.closed:
            return Opening(None, Refusal.ENDED, event)
        if now < opens_at:
            return Opening(None, Refusal.NOT_YET, event, opens_at)
        found = await self._signins.of_event(event.id)
        if found is not None:
            return Opening(found, None, event)
        taken = await self._signins.codes_in_use(event.branch_id, now)
        code = self._new_code(taken)
        token = secrets.token_urlsafe(16)
        session = await self._signins.open(
            event.id, event.branch_id, token, code, opens_at, closes_at, by, now
        )
        return Opening(session, None, event)

    def _new_code(self, taken: set[str]) -> str:
        """A code no other open sign-in of the branch uses (a member's code is matched in
        their own branch first)."""
        while True:
            code = f"{self._rng.randrange(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            if code not in taken:
                return code

    async def set_board(self, session: SigninSession, chat_id: int, message_id: int) -> None:
        await self._signins.set_board(session.id, chat_id, message_id)

    # Signing oneself in

    async def by_token(self, member: Member | None, telegram_id: int, token: str) -> Outcome:
        """A scanned QR code (``/start si-<token>``)."""
        if await self._stopped(telegram_id):
            return Outcome(Refusal.TOO_MANY)
        session = await self._signins.by_token(token)
        if session is None:
            await self._signins.record_failure(telegram_id, self._clock.now())
            return Outcome(Refusal.BAD_LINK)
        return await self._sign(member, telegram_id, session)

    async def by_code(self, member: Member | None, telegram_id: int, code: str) -> Outcome:
        """A typed code: matched first against the member's own branch's sign-ins, then
        (to say so) against other branches' open ones. Wrong codes count towards the pause."""
        now = self._clock.now()
        if await self._stopped(telegram_id):
            return Outcome(Refusal.TOO_MANY)
        if member is not None and member.branch_id is not None:
            own = await self._signins.with_code(code, now - NEAR, member.branch_id)
            if own:
                # The one open now, else the latest: its window says why it is refused.
                live = [s for s in own if s.opens_at <= now <= s.closes_at]
                return await self._sign(member, telegram_id, (live or own)[0])
        others = [
            s
            for s in await self._signins.with_code(code, now, None)
            if s.opens_at <= now and (member is None or s.branch_id != member.branch_id)
        ]
        if member is None or member.branch_id is None:
            await self._fail(telegram_id)
            return Outcome(Refusal.NOT_MEMBER)
        if not others and not await self._signins.open_in(member.branch_id, now - LATELY, now):
            # Nothing to sign in to: not a wrong code, and nothing to guess at.
            return Outcome(Refusal.NO_MEETING)
        left = await self._fail(telegram_id)
        if others:
            return Outcome(Refusal.OTHER_BRANCH, attempts_left=left)
        return Outcome(Refusal.WRONG_CODE, attempts_left=left)

    async def expects(self, member: Member | None, code: str) -> bool:
        """Whether a number typed on its own is meant as a sign-in code: the member's branch
        has a sign-in open now or lately closed (a wrong or late code is then answered as
        one), or the code is an open sign-in's."""
        now = self._clock.now()
        if (
            member is not None
            and member.branch_id is not None
            and await self._signins.open_in(member.branch_id, now - LATELY, now)
        ):
            return True
        return bool(await self._signins.with_code(code, now, None))

    async def open_for(self, member: Member | None) -> bool:
        """Whether the member's branch has a sign-in open now (or closed lately)."""
        if member is None or member.branch_id is None:
            return False
        now = self._clock.now()
        return bool(await self._signins.open_in(member.branch_id, now - LATELY, now))

    async def event(self, event_id: int) -> Event | None:
        return await self._attendance.event(event_id)

    async def _sign(
        self, member: Member | None, telegram_id: int, session: SigninSession
    ) -> Outcome:
        event = await self._attendance.event(session.event_id)
        if event is None:
            return Outcome(Refusal.BAD_LINK)
        if member is None or member.branch_id is None:
            return Outcome(Refusal.NOT_MEMBER, event, session)
        if member.branch_id != session.branch_id:
            await self._fail(telegram_id)
            return Outcome(Refusal.OTHER_BRANCH, event, session)
        if event.kind == MeetingKind.COMMITTEE.value and (
            member.telegram_id not in await self._committee_ids(event.branch_id)
        ):
            return Outcome(Refusal.NOT_INVITED, event, session)
        signed = (await self._attendance.replies(event.id)).get(member.id)
        if signed is not None and signed.present:
            return Outcome(Refusal.ALREADY, event, session, signed.signed_at)
        now = self._clock.now()
        if event.status is EventStatus.CANCELLED:
            return Outcome(Refusal.CANCELLED, event, session)
        if now < session.opens_at:
            return Outcome(Refusal.NOT_YET, event, session)
        if now > session.closes_at:
            return Outcome(Refusal.ENDED, event, session)
        if await self._attendance.sign_in(event.id, member.id, telegram_id, "self", now):
            return Outcome(None, event, session, now)
        reply = (await self._attendance.replies(event.id)).get(member.id)
        if reply is not None and reply.present:
            # Signed in by the secretary a moment ago.
            return Outcome(Refusal.ALREADY, event, session, reply.signed_at)
        # Not written although in the window: the meeting's record was closed early.
        return Outcome(Refusal.ENDED, event, session)

    async def _stopped(self, telegram_id: int) -> bool:
        since = self._clock.now() - FAILURE_WINDOW
        return await self._signins.failures_since(telegram_id, since) >= FAILURE_LIMIT

    async def _fail(self, telegram_id: int) -> int:
        """Count a wrong code; how many tries are left."""
        now = self._clock.now()
        await self._signins.record_failure(telegram_id, now)
        used = await self._signins.failures_since(telegram_id, now - FAILURE_WINDOW)
        return max(FAILURE_LIMIT - used, 0)

    # The secretary's side

    async def proxy(self, event: Event, member_id: int, by: int) -> str | None:
        """代签 (while the window is open) or 补签 (after) of one member by ``by``; None if
        they were signed in already."""
        kind = self.sign_kind(event)
        done = await self._attendance.sign_in(event.id, member_id, by, kind, self._clock.now())
        return kind if done else None

    async def _expected(self, event: Event) -> list[Member]:
        """Whom ``event`` is for (应到): the branch's members, or for a 支委会 those of them
        on its committee."""
        members = await self._members.members_in([event.branch_id])
        if event.kind != MeetingKind.COMMITTEE.value:
            return members
        committee = await self._committee_ids(event.branch_id)
        return [m for m in members if m.telegram_id in committee]

    async def _committee_ids(self, branch_id: str) -> set[int]:
        return set(await self._committee(branch_id)) if self._committee else set()

    async def absent(self, event: Event, name: str = "") -> list[Member]:
        """Those ``event`` is for who have not signed in (those whose name contains
        ``name``, when given), in the branch's order."""
        members = await self._expected(event)
        replies = await self._attendance.replies(event.id)
        wanted = "".join(name.split())
        return [
            m
            for m in members
            if not (m.id in replies and replies[m.id].present) and wanted in m.name
        ]

    async def board(self, event_id: int) -> Board | None:
        event = await self._attendance.event(event_id)
        if event is None:
            return None
        members = await self._expected(event)
        replies = await self._attendance.replies(event.id)
        none = Reply(0, None, None, False, None)
        present = [(m, replies[m.id]) for m in members if replies.get(m.id, none).present]
        leave = sum(
            1
            for m in members
            if replies.get(m.id, none).reply == "leave" and not replies.get(m.id, none).present
        )
        latest = sorted(
            ((m.name, r.signed_at) for m, r in present if r.signed_at is not None),
            key=lambda pair: pair[1],
            reverse=True,
        )
        return Board(
            event=event,
            expected=len(members),
            present=len(present),
            leave=leave,
            absent=len(members) - len(present) - leave,
            recent=latest[:RECENT_SHOWN],
        )

    async def session(self, event_id: int) -> SigninSession | None:
        return await self._signins.of_event(event_id)

"""Meetings as the handlers and the scheduler need them: the monthly 支部主题党日 with
reminders carrying 参加/请假, attendance, 签到, and 补课 the day after; reminders of other
meetings; a secretary's edits of one occurrence (topic, place, agenda, speaker), its move to
another time and its cancellation, each announced once to every member; and the 党课,
支委会, 党员大会 and 党小组会 a secretary organises in the chat (``/meeting new``), announced
to those they are for with the same 参加/请假 buttons.

A meeting is an event (``events``: branch, kind, time, topic, place, status) that holds its
attendance; each reminder and 补课 message is an outbox batch pointing at the event, whose
messages carry the buttons. Keys are derived from the branch and the time, so an event and
each of its reminders are written once however often the scheduler looks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery.outbox import NewDelivery
from bot.handlers.callbacks import RSVP, STUDIED, RsvpTap, StudiedTap
from bot.i18n import Texts
from bot.meetings.events import (
    THEME_DAY,
    Audience,
    Detail,
    Event,
    EventStatus,
    Meeting,
    MeetingKind,
    Reply,
    kind_name,
)
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.storage.attendance import AttendanceStore
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore

LEAVE_REASON_LIMIT = 200
"""A leave reason's length, stated when it is asked for (the handler refuses longer ones)."""
MOVE_REASON_LIMIT = 200
"""Why a meeting moves, as the announcement quotes it."""
ADHOC_LISTED = 5
"""Meetings organised in the chat that /themeday lists beside the theme days."""


THEMEDAY_START = "themeday"
"""The /start payload of the link in a group's reminder: it opens the private chat."""


class EditRefusal(StrEnum):
    """Why an occurrence can no longer be edited."""

    PAST = "past"
    CANCELLED = "cancelled"


class StudiedOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_YOURS = "not_yours"


class RsvpOutcome(StrEnum):
    RECORDED = "recorded"
    ASK_REASON = "ask_reason"
    PAST = "past"
    NOT_INVITED = "not_invited"


@dataclass(frozen=True)
class Sheet:
    """Who said what for one theme day, as the secretary sees it."""

    event: Event
    coming: list[Member]
    leave: list[tuple[Member, str]]
    no_reply: list[Member]
    unreachable: list[Member]
    present: list[tuple[Member, str]]
    studied: list[Member] = field(default_factory=list)
    """Those who confirmed the 补课 (已学习)."""


def rsvp_keyboard(texts: Texts, event_id: int) -> dict[str, object]:
    """The 参加 / 请假 buttons, in Telegram's JSON form (stored in the outbox as is)."""
    return {
        "inline_keyboard": [
            [
                {"text": texts.rsvp_yes, "callback_data": RSVP.pack(RsvpTap(event_id, "yes"))},
                {
                    "text": texts.rsvp_leave,
                    "callback_data": RSVP.pack(RsvpTap(event_id, "leave")),
                },
            ]
        ]
    }


class MeetingService:
    def __init__(
        self,
        outbox: OutboxStore,
        attendance: AttendanceStore,
        members: OrgStore,
        tree: OrgTree,
        clock: Clock,
        texts: Texts,
        zone: ZoneInfo,
        private_link: str = "",
        committee: Callable[[str], Awaitable[Sequence[int]]] | None = None,
    ) -> None:
        """``private_link`` opens the bot's private chat (``https://t.me/<bot>?start=…``): the
        group copy of a reminder points members there, where their own copy has the buttons.
        ``committee`` gives the Telegram ids of a branch's committee as the bot knows it (its
        secretaries): whom a 支委会 is for."""
        self._private_link = private_link
        self._committee = committee
        self._outbox = outbox
        self._attendance = attendance
        self._members = members
        self._tree = tree
        self._clock = clock
        self._texts = texts
        self._zone = zone

    def describe(self, day: Meeting) -> str:
        local = day.occurs_at.astimezone(self._zone)
        texts = self._texts
        lines = [
            texts.themeday_when.format(
                date=texts.long_date(local),
                weekday=texts.weekday(local),
                time=local.strftime("%H:%M"),
            )
        ]
        if day.place:
            lines.append(texts.themeday_place.format(place=day.place))
        if day.topic:
            lines.append(texts.themeday_topic.format(topic=day.topic))
        if day.speaker:
            lines.append(texts.themeday_speaker.format(speaker=day.speaker))
        if day.agenda:
            lines.append(texts.themeday_agenda.format(agenda=day.agenda))
        return "\n".join(lines)

    async def event(self, meeting: Meeting) -> int:
        """The meeting's event (which holds its attendance), created once."""
        return await self._attendance.ensure_event(meeting, self._clock.now())

    async def remind(
        self,
        day: Meeting,
        reminder: str,
        due: datetime,
        expires_at: datetime,
        group_chats: list[int],
    ) -> int | None:
        """Write one reminder (``reminder`` names it, e.g. ``-1d@18:00``) to every member of
        the branch and its group chats. None when it was written before, or when the
        occurrence was cancelled or moved (a moved one is reminded at its new time:
        ``remind_event``)."""
        event_id = await self.event(day)
        stored = await self._attendance.event(event_id)
        if stored is None or stored.moved_from is not None:
            return None
        return await self.remind_event(stored, reminder, due, expires_at, group_chats)

    async def remind_event(
        self,
        stored: Event,
        reminder: str,
        due: datetime,
        expires_at: datetime,
        group_chats: list[int],
    ) -> int | None:
        """One reminder of a stored meeting at its stored time, once per move: a theme day
        to every member and the groups, a meeting organised in the chat to those it is for."""
        if stored.status is EventStatus.CANCELLED:
            return None
        # The occurrence as the secretary last set it: config only gave its defaults.
        day = stored.as_meeting()
        branch = self._tree.by_id[day.branch_id].name
        if stored.kind == THEME_DAY:
            text = self._texts.themeday_reminder.format(branch=branch, details=self.describe(day))
            short = await self._answered_today(day, due, stored.id)
        else:
            text = self._texts.meeting_reminder.format(
                branch=branch, kind=self.kind_name(stored), details=self.describe(day)
            )
            short, group_chats = {}, []
        keyboard = rsvp_keyboard(self._texts, stored.id)
        recipients = await self._recipients(stored)
        deliveries = [
            NewDelivery(chat, member_id, short[member_id])
            if member_id is not None and member_id in short
            else NewDelivery(chat, member_id, text, keyboard)
            for chat, member_id in recipients
        ]
        deliveries += self._group_copies(day, group_chats)
        moved = f":moved{stored.moves}" if stored.moves else ""
        batch_id = await self._outbox.create_batch(
            key=f"reminder:{stored.key}{moved}:{reminder}",
            kind="reminder",
            title=day.topic,
            unit_id=day.branch_id,
            created_by=None,
            now=self._clock.now(),
            deliveries=deliveries,
            not_before=due,
            expires_at=expires_at,
            occurs_at=day.occurs_at,
            event_id=stored.id,
        )
        if batch_id is not None and stored.audience is Audience.BRANCH:
            members = await self._members.members_in([day.branch_id])
            await self._outbox.record_unreachable(
                batch_id,
                [m.id for m in members if not m.reachable],
                "unreachable",
                self._clock.now(),
            )
        return batch_id

    def kind_name(self, event: Event) -> str:
        """What the meeting is called in a message: 主题党日, 党课, 支委会…"""
        return kind_name(self._texts, event.kind, event.title)

    async def _recipients(self, event: Event) -> list[tuple[int, int | None]]:
        """(chat, member id) of everyone a meeting's messages go to: the branch's reachable
        members, or for a 支委会 its committee as the bot knows it (members of the branch
        among them keep their member id, so their 参加/请假 counts)."""
        members = await self._members.members_in([event.branch_id])
        if event.audience is Audience.BRANCH:
            return [
                (m.telegram_id, m.id) for m in members if m.reachable and m.telegram_id is not None
            ]
        by_chat = {m.telegram_id: m.id for m in members if m.telegram_id is not None}
        return [(chat, by_chat.get(chat)) for chat in await self.committee(event.branch_id)]

    async def committee(self, branch_id: str) -> list[int]:
        """The Telegram ids of the branch's committee as the bot knows it (its secretaries)."""
        return list(await self._committee(branch_id)) if self._committee else []

    def _group_copies(self, day: Meeting, group_chats: list[int]) -> list[NewDelivery]:
        """The reminder for the branch's groups: no 参加/请假 (a reply is personal), but a
        button that opens the private chat where each member's own copy has them."""
        texts = self._texts
        text = texts.themeday_reminder_group.format(
            branch=self._tree.by_id[day.branch_id].name, details=self.describe(day)
        )
        keyboard: dict[str, object] | None = None
        if self._private_link:
            button = {"text": texts.themeday_open_private, "url": self._private_link}
            keyboard = {"inline_keyboard": [[button]]}
        return [NewDelivery(chat, None, text, keyboard) for chat in group_chats]

    async def _answered_today(self, day: Meeting, due: datetime, event_id: int) -> dict[int, str]:
        """On the day itself, those who answered get a short line instead of the full
        reminder: "今天 09:00 见" after 参加, a word that their leave stands after 请假."""
        local = day.occurs_at.astimezone(self._zone)
        if due.astimezone(self._zone).date() != local.date():
            return {}
        texts = self._texts
        time = local.strftime("%H:%M")
        place = texts.themeday_place.format(place=day.place) if day.place else ""
        lines = {
            "yes": texts.themeday_see_you.format(time=time, place=place).strip(),
            "leave": texts.themeday_on_leave_today.format(time=time),
        }
        replies = await self._attendance.replies(event_id)
        return {
            member_id: lines[reply.reply]
            for member_id, reply in replies.items()
            if reply.reply in lines
        }

    async def coming(self, meetings: list[Meeting]) -> list[Event]:
        """The stored occurrences of meetings the schedule plans (created on first sight), so
        that a secretary can edit one before its first reminder."""
        found = []
        for meeting in meetings:
            event = await self._attendance.event(await self.event(meeting))
            if event is not None:
                found.append(event)
        return found

    async def set_detail(self, event: Event, detail: Detail, value: str, by: int) -> bool:
        """Set one detail of one occurrence; the reminders written after it carry it."""
        return await self._attendance.set_detail(
            event.id, detail, value.strip()[: detail.limit], by, self._clock.now()
        )

    async def audience(self, branch_id: str, audience: Audience = Audience.BRANCH) -> int:
        """How many people an announcement to the branch (or its committee) reaches."""
        if audience is Audience.COMMITTEE:
            return len(await self.committee(branch_id))
        members = await self._members.members_in([branch_id])
        return sum(1 for m in members if m.reachable and m.telegram_id is not None)

    async def move(self, event: Event, to: datetime, reason: str, by: int) -> int | None:
        """Move one occurrence to ``to`` and announce it once to those it is for, with the
        参加/请假 buttons: replies given stay as they are, and the announcement says so.
        Each move is announced under its own key (the event's and the move's number), so a
        restart never announces it again. None when the occurrence changed meanwhile."""
        now = self._clock.now()
        number = await self._attendance.move(event.id, event.occurs_at, to, reason, by, now)
        if number is None:
            return None
        moved = await self._attendance.event(event.id)
        assert moved is not None
        texts = self._texts
        was = event.occurs_at.astimezone(self._zone)
        text = texts.meeting_moved_notice.format(
            branch=self._tree.by_id[event.branch_id].name,
            kind=self.kind_name(event),
            was=texts.themeday_when_short.format(
                date=texts.long_date(was), weekday=texts.weekday(was), time=was.strftime("%H:%M")
            ),
            details=self.describe(moved.as_meeting()),
            reason=reason,
        )
        keyboard = rsvp_keyboard(texts, event.id)
        deliveries = [
            NewDelivery(chat, member_id, text, keyboard)
            for chat, member_id in await self._recipients(moved)
        ]
        if moved.audience is Audience.BRANCH:
            groups = await self._members.group_chats_of(event.branch_id)
            deliveries += [NewDelivery(chat, None, text) for chat in groups]
        return await self._outbox.create_batch(
            key=f"moved:{event.key}:{number}",
            kind="move",
            title=moved.topic,
            unit_id=event.branch_id,
            created_by=by,
            now=now,
            deliveries=deliveries,
            not_before=now,
            expires_at=max(to, now + timedelta(hours=6)),
            occurs_at=to,
            event_id=event.id,
        )

    async def create(self, meeting: Meeting, key: str, by: int) -> Event | None:
        """A 党课, 支委会, 党员大会 or 党小组会 organised in the chat, announced at once to
        those it is for (a 支委会: the committee as the bot knows it) with 参加/请假. ``key``
        names the secretary's 确认, so a repeated one creates nothing (None)."""
        now = self._clock.now()
        audience = (
            Audience.COMMITTEE if meeting.kind == MeetingKind.COMMITTEE.value else Audience.BRANCH
        )
        expected = (
            len(await self.committee(meeting.branch_id))
            if audience is Audience.COMMITTEE
            else None
        )
        event_id = await self._attendance.create_event(key, meeting, audience, expected, by, now)
        if event_id is None:
            return None
        event = await self._attendance.event(event_id)
        assert event is not None
        text = self._texts.meeting_notice.format(
            branch=self._tree.by_id[meeting.branch_id].name,
            kind=self.kind_name(event),
            details=self.describe(meeting),
        )
        keyboard = rsvp_keyboard(self._texts, event_id)
        await self._outbox.create_batch(
            key=f"announce:{key}",
            kind="meeting",
            title=meeting.topic,
            unit_id=meeting.branch_id,
            created_by=by,
            now=now,
            deliveries=[
                NewDelivery(chat, member_id, text, keyboard)
                for chat, member_id in await self._recipients(event)
            ],
            not_before=now,
            expires_at=max(meeting.occurs_at, now + timedelta(hours=6)),
            occurs_at=meeting.occurs_at,
            event_id=event_id,
        )
        return event

    async def coming_elsewhere(self, branch_id: str) -> list[Event]:
        """The branch's coming meetings that the schedule does not time (organised in the
        chat, or moved), soonest first: /themeday lists them beside the planned ones."""
        now = self._clock.now()
        found = await self._attendance.off_schedule(now, now + timedelta(days=400))
        return [e for e in found if e.branch_id == branch_id][:ADHOC_LISTED]

    async def off_schedule(self, start: datetime, end: datetime) -> list[Event]:
        """Meetings the configured schedule does not time (moved, or organised in the chat)
        held in [start, end]: the scheduler plans their reminders from the stored time."""
        return await self._attendance.off_schedule(start, end)

    def refusal(self, event: Event) -> EditRefusal | None:
        """Why ``event`` can no longer be edited or cancelled (it began, or was cancelled);
        None while it can. Scope is the caller's to check, with the actor of the moment."""
        if event.status is EventStatus.CANCELLED:
            return EditRefusal.CANCELLED
        if event.occurs_at <= self._clock.now():
            return EditRefusal.PAST
        return None

    async def cancel(self, event: Event, reason: str, by: int) -> int | None:
        """Cancel one occurrence and announce it once to every member and the branch's group
        chats (the outbox key is the event's, so a restart never announces it again). None
        when it was cancelled already."""
        now = self._clock.now()
        if not await self._attendance.cancel(event.id, reason, by, now):
            return None
        local = event.occurs_at.astimezone(self._zone)
        texts = self._texts
        text = texts.themeday_cancelled_notice.format(
            branch=self._tree.by_id[event.branch_id].name,
            date=texts.long_date(local),
            weekday=texts.weekday(local),
            time=local.strftime("%H:%M"),
            reason=reason,
            kind=self.kind_name(event),
        )
        deliveries = [
            NewDelivery(chat, member_id, text) for chat, member_id in await self._recipients(event)
        ]
        if event.audience is Audience.BRANCH:
            groups = await self._members.group_chats_of(event.branch_id)
            deliveries += [NewDelivery(chat, None, text) for chat in groups]
        return await self._outbox.create_batch(
            key=f"cancelled:{event.key}",
            kind="cancellation",
            title=event.topic,
            unit_id=event.branch_id,
            created_by=by,
            now=now,
            deliveries=deliveries,
            not_before=now,
            expires_at=max(event.occurs_at, now + timedelta(hours=6)),
            occurs_at=event.occurs_at,
            event_id=event.id,
        )

    async def rsvp(self, member: Member, event_id: int, reply: str) -> RsvpOutcome:
        """参加 is recorded at once; 请假 asks for a reason first (``leave_reason``)."""
        refused = await self._refusal(member, event_id)
        if refused is not None:
            return refused
        if reply == "leave":
            return RsvpOutcome.ASK_REASON
        await self._attendance.set_reply(event_id, member.id, "yes", None, self._clock.now())
        return RsvpOutcome.RECORDED

    async def leave_reason(self, member: Member, event_id: int, reason: str) -> RsvpOutcome:
        """Record leave with its reason, checked again: the member may have moved branch, or
        the day passed, since they tapped 请假."""
        refused = await self._refusal(member, event_id)
        if refused is not None:
            return refused
        await self._attendance.set_reply(
            event_id, member.id, "leave", reason.strip()[:LEAVE_REASON_LIMIT], self._clock.now()
        )
        return RsvpOutcome.RECORDED

    async def _refusal(self, member: Member, event_id: int) -> RsvpOutcome | None:
        event = await self.find(event_id)
        if event is None or event.branch_id != member.branch_id:
            return RsvpOutcome.NOT_INVITED
        if event.audience is Audience.COMMITTEE and member.telegram_id not in await self.committee(
            event.branch_id
        ):
            return RsvpOutcome.NOT_INVITED
        if event.occurs_at < self._clock.now():
            return RsvpOutcome.PAST
        return None

    async def sheet(self, event_id: int) -> Sheet | None:
        event = await self._attendance.event(event_id)
        if event is None:
            return None
        members = await self._members.members_in([event.branch_id])
        replies = await self._attendance.replies(event_id)
        none = Reply(0, None, None, False, None)
        return Sheet(
            event=event,
            coming=[m for m in members if replies.get(m.id, none).reply == "yes"],
            leave=[
                (m, replies[m.id].reason or "")
                for m in members
                if replies.get(m.id, none).reply == "leave"
            ],
            no_reply=[m for m in members if m.reachable and replies.get(m.id, none).reply is None],
            unreachable=[m for m in members if not m.reachable],
            present=[
                (m, replies[m.id].signed_kind or "")
                for m in members
                if replies.get(m.id, none).present
            ],
            studied=[m for m in members if replies.get(m.id, none).studied_at is not None],
        )

    async def find(self, event_id: int) -> Event | None:
        """The theme day or meeting organised in the chat ``event_id``; None for any other
        id (only those take replies and sign-ins, and a secretary edits only those)."""
        event = await self._attendance.event(event_id)
        return event if event is not None and (event.kind == THEME_DAY or event.adhoc) else None

    async def events(self, branch_id: str) -> list[Event]:
        """The branch's theme days, the latest first."""
        return await self._attendance.events_of(branch_id, THEME_DAY)

    async def sign_in(self, event: Event, member_id: int, by: int) -> str | None:
        """Mark a member present: 代签 on the day of the meeting, 补签 afterwards or once the
        record is closed. None if they were already signed in."""
        today = self._clock.now().astimezone(self._zone).date()
        on_the_day = today <= event.occurs_at.astimezone(self._zone).date()
        kind = "proxy" if on_the_day and not event.closed else "late"
        done = await self._attendance.sign_in(event.id, member_id, by, kind, self._clock.now())
        return kind if done else None

    async def makeup(self, event: Event, due: datetime) -> int | None:
        """补课: after the meeting, those not signed in (on leave or absent) get its topic and
        study material, with 已学习 to confirm. Written once per event (the batch key is the
        event's), so a restart or a second look never sends it twice."""
        members = await self._members.members_in([event.branch_id])
        replies = await self._attendance.replies(event.id)
        absent = [
            m
            for m in members
            if m.reachable
            and m.telegram_id is not None
            and not (m.id in replies and replies[m.id].present)
        ]
        texts = self._texts
        local = event.occurs_at.astimezone(self._zone)
        details = self.describe(event.as_meeting())
        if event.material:
            details += "\n\n" + texts.makeup_material.format(material=event.material)
        text = texts.makeup_text.format(
            branch=self._tree.by_id[event.branch_id].name,
            date=texts.month_day(local.date()),
            details=details,
        )
        button = {
            "text": texts.makeup_done_button,
            "callback_data": STUDIED.pack(StudiedTap(event.id)),
        }
        keyboard: dict[str, object] = {"inline_keyboard": [[button]]}
        return await self._outbox.create_batch(
            key=f"makeup:{event.key}",
            kind="makeup",
            title=event.topic,
            unit_id=event.branch_id,
            created_by=None,
            now=self._clock.now(),
            deliveries=[
                NewDelivery(m.telegram_id, m.id, text, keyboard) for m in absent if m.telegram_id
            ],
            not_before=due,
            expires_at=due + timedelta(days=2),
            occurs_at=event.occurs_at,
            event_id=event.id,
        )

    async def studied(self, member: Member, event_id: int) -> StudiedOutcome:
        """A member's 已学习 under the 补课 of ``event_id``: recorded once, with the time."""
        event = await self._attendance.event(event_id)
        if event is None or event.branch_id != member.branch_id:
            return StudiedOutcome.NOT_YOURS
        now = self._clock.now()
        if await self._attendance.studied(event_id, member.id, now):
            return StudiedOutcome.RECORDED
        return StudiedOutcome.ALREADY

    async def makeups_due(
        self,
        since: datetime,
        now: datetime,
        held: tuple[datetime, datetime],
        due_at: Callable[[Event], datetime | None],
    ) -> list[tuple[Event, datetime]]:
        """Theme days held within ``held`` whose 补课 (``due_at`` of each, from its branch's
        settings) falls in [since, now] and has not been written: from the stored time, so a
        moved meeting's 补课 moves with it."""
        found = []
        for event in await self._attendance.without_batch(THEME_DAY, "makeup", *held):
            due = due_at(event)
            if due is not None and since <= due <= now and event.branch_id in self._tree.by_id:
                found.append((event, due))
        return found

"""Meetings as the handlers and the scheduler need them: the monthly 支部主题党日 with
reminders carrying 参加/请假, attendance, 签到, and 补课 the day after; reminders of other
meetings.

A meeting is an event (``events``: branch, kind, time, topic, place, status) that holds its
attendance; each reminder and 补课 message is an outbox batch pointing at the event, whose
messages carry the buttons. Keys are derived from the branch and the time, so an event and
each of its reminders are written once however often the scheduler looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery.outbox import NewDelivery
from bot.handlers.callbacks import RSVP, RsvpTap
from bot.i18n import Texts
from bot.meetings.events import THEME_DAY, Event, Meeting, Reply
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.storage.attendance import AttendanceStore
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore

LEAVE_REASON_LIMIT = 200
"""A leave reason's length, stated when it is asked for (the handler refuses longer ones)."""


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
    ) -> None:
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
        the branch and its group chats. None when it was written before."""
        event_id = await self.event(day)
        members = await self._members.members_in([day.branch_id])
        text = self._texts.themeday_reminder.format(
            branch=self._tree.by_id[day.branch_id].name, details=self.describe(day)
        )
        keyboard = rsvp_keyboard(self._texts, event_id)
        deliveries = [
            NewDelivery(m.telegram_id, m.id, text, keyboard)
            for m in members
            if m.reachable and m.telegram_id is not None
        ]
        deliveries += [NewDelivery(chat, None, text) for chat in group_chats]
        batch_id = await self._outbox.create_batch(
            key=f"reminder:{day.key}:{reminder}",
            kind="reminder",
            title=day.topic,
            unit_id=day.branch_id,
            created_by=None,
            now=self._clock.now(),
            deliveries=deliveries,
            not_before=due,
            expires_at=expires_at,
            occurs_at=day.occurs_at,
            event_id=event_id,
        )
        if batch_id is not None:
            await self._outbox.record_unreachable(
                batch_id,
                [m.id for m in members if not m.reachable],
                "unreachable",
                self._clock.now(),
            )
        return batch_id

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
        )

    async def find(self, event_id: int) -> Event | None:
        """The theme day ``event_id``; None for any other id (only theme days take replies
        and sign-ins)."""
        event = await self._attendance.event(event_id)
        return event if event is not None and event.kind == THEME_DAY else None

    async def events(self, branch_id: str) -> list[Event]:
        """The branch's theme days, the latest first."""
        return await self._attendance.events_of(branch_id, THEME_DAY)

    async def ended_between(self, start: datetime, end: datetime) -> list[Event]:
        """Theme days held in [start, end]: those whose 补课 may be due."""
        return await self._attendance.events_between(THEME_DAY, start, end)

    async def sign_in(self, event: Event, member_id: int, by: int) -> str | None:
        """Mark a member present: 代签 on the day of the meeting, 补签 afterwards. None if
        they were already signed in."""
        today = self._clock.now().astimezone(self._zone).date()
        kind = "proxy" if today <= event.occurs_at.astimezone(self._zone).date() else "late"
        done = await self._attendance.sign_in(event.id, member_id, by, kind, self._clock.now())
        return kind if done else None

    async def makeup(self, event: Event, due: datetime) -> int | None:
        """补课: the day after, those not signed in get the topic and a way to study it."""
        members = await self._members.members_in([event.branch_id])
        replies = await self._attendance.replies(event.id)
        absent = [
            m
            for m in members
            if m.reachable
            and m.telegram_id is not None
            and not (m.id in replies and replies[m.id].present)
        ]
        text = self._texts.themeday_makeup.format(topic=event.topic)
        return await self._outbox.create_batch(
            key=f"makeup:{event.key}",
            kind="makeup",
            title=event.topic,
            unit_id=event.branch_id,
            created_by=None,
            now=self._clock.now(),
            deliveries=[NewDelivery(m.telegram_id, m.id, text) for m in absent if m.telegram_id],
            not_before=due,
            expires_at=due + timedelta(days=2),
            occurs_at=event.occurs_at,
            event_id=event.id,
        )

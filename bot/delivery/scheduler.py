"""The scheduler's tick: turn what the schedule says is due into outbox batches, nothing more.

Due-ness lives in the database, not in a timer: each tick looks at the window from where the
last tick stopped (``scheduler_state``) to now, so a tick that APScheduler dropped, or hours
the bot was down, are caught up by the next one. What is due within the grace window is
written; older occurrences are logged as skipped. Writing is idempotent (batch keys are the
occurrences' stable keys), so a tick can run twice over the same window without sending
anything twice.

What becomes of each occurrence (``bot.schedule.occurrences``):
* a reminder of the theme day: to every member, with 参加/请假, and to the branch's group chats;
* a reminder of a meeting moved to another time, or organised in the chat (党课, 支委会…):
  planned from its stored time with the branch's theme-day reminder offsets (even where the
  scheduled theme day is off), once per move (the
  configured occurrence of a moved one is not reminded at its old time);
* a reminder of another event (study day, meetings): the same message, without the buttons;
* the quiz nudge: to the members who have not finished a quiz this month;
* 政治生日: a greeting to the member, and a notice to the branch's secretaries days before;
* 补课 after a theme day (``makeup``, the day after at 09:00 by default): to those on leave or
  absent, from the meeting's stored time, with 已学习 to confirm.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery.outbox import NewDelivery
from bot.delivery.service import DeliveryService
from bot.i18n import Texts
from bot.meetings.events import Event, Meeting
from bot.meetings.service import MeetingService
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.schedule.config import ScheduleSettings
from bot.schedule.notation import MAX_OFFSET_DAYS, DayOffset, Offset, parse_offset
from bot.schedule.occurrences import Occurrence, OccurrenceKind
from bot.schedule.planner import BranchSchedule, Schedule
from bot.stats.periods import current_month
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore
from bot.storage.stats import StatsStore

log = logging.getLogger(__name__)

WATERMARK = "schedules"

Plan = Callable[[OrgTree, datetime, datetime], Sequence[Occurrence]]
"""Everything due in [start, end) for the branches of the tree (reminders, nudges, 政治生日)."""


class UpcomingKind(StrEnum):
    REMINDER = "reminder"
    START = "start"
    """The meeting itself begins (sign-in opens around it)."""
    MAKEUP = "makeup"


@dataclass(frozen=True)
class Upcoming:
    """Something due at ``at`` about a meeting called ``title`` (主题党日, 党课…)."""

    at: datetime
    kind: UpcomingKind
    title: str


@dataclass(frozen=True)
class TickReport:
    written: int
    skipped: int
    makeups: int


def plan_from(schedule: Schedule) -> Plan:
    """The occurrences a tick acts on, from the configured schedule."""

    def plan(tree: OrgTree, start: datetime, end: datetime) -> Sequence[Occurrence]:
        pairs = [(unit.id, unit.kind) for unit in tree.branches]
        return [
            o
            for o in schedule.occurrences(pairs, start, end)
            if o.kind in (OccurrenceKind.REMINDER, OccurrenceKind.QUIZ_NUDGE)
        ]

    return plan


class Scheduler:
    def __init__(
        self,
        *,
        outbox: OutboxStore,
        members: OrgStore,
        quizzes: StatsStore,
        tree: OrgTree,
        clock: Clock,
        meetings: MeetingService,
        delivery: DeliveryService,
        texts: Texts,
        zone: ZoneInfo,
        plan: Plan,
        grace: timedelta,
        schedule: Schedule | None = None,
        secretaries: Callable[[str], Awaitable[Sequence[int]]] | None = None,
    ) -> None:
        self._outbox = outbox
        self._members = members
        self._quizzes = quizzes
        self._tree = tree
        self._clock = clock
        self._meetings = meetings
        self._delivery = delivery
        self._texts = texts
        self._zone = zone
        self._plan = plan
        self._grace = grace
        self._schedule = schedule
        self._secretaries = secretaries
        self._reach = (
            _theme_day_reach(schedule.settings) if schedule else (timedelta(), timedelta())
        )
        # 补课 times come from the settings even where a test plans reminders by hand.
        self._plans = schedule or Schedule(ScheduleSettings(), zone)
        self._makeup_reach = makeup_reach(self._plans.settings)
        self._makeup_offsets = makeup_offsets(self._plans.settings)

    async def tick(self) -> TickReport:
        tree = self._tree
        now = self._clock.now()
        since = await self._outbox.checked_until(WATERMARK) or now - self._grace
        due = list(self._plan(tree, since, now + timedelta(seconds=1)))
        due += await self._birthdays(since, now + timedelta(seconds=1))
        written = skipped = 0
        for occurrence in due:
            if occurrence.branch_id not in tree.by_id:
                continue
            if occurrence.occurs_at < now - self._grace:
                log.warning("%s missed by more than the grace window; skipped", occurrence.key)
                skipped += 1
                continue
            written += await self._write(occurrence)
        written += await self._off_schedule(since, now + timedelta(seconds=1), now)
        makeups = await self._makeups(now)
        await self._outbox.set_checked_until(WATERMARK, now)
        return TickReport(written, skipped, makeups)

    async def _write(self, occurrence: Occurrence) -> bool:
        expires = occurrence.occurs_at + self._grace
        branch = occurrence.branch_id
        if occurrence.kind is OccurrenceKind.REMINDER:
            event = occurrence.event
            topic = event.topic or event.title
            if event.kind is OccurrenceKind.THEME_DAY:
                day = Meeting(branch, event.occurs_at, topic, event.place)
                groups = await self._members.group_chats_of(branch)
                batch = await self._meetings.remind(
                    day, occurrence.offset or "", occurrence.occurs_at, expires, groups
                )
                return batch is not None
            meeting = Meeting(
                branch,
                event.occurs_at,
                topic,
                event.place,
                kind=event.kind.value,
                rule=event.rule_key,
                title=event.title,
            )
            text = self._texts.event_reminder.format(
                branch=self._tree.by_id[branch].name,
                title=event.title,
                details=self._meetings.describe(meeting),
            )
            members = await self._members.members_in([branch])
            event_id = await self._meetings.event(meeting)
            batch_id = await self._send(
                occurrence.key, "reminder", branch, members, text, event_id=event_id
            )
            return batch_id is not None
        if occurrence.kind is OccurrenceKind.QUIZ_NUDGE:
            month = current_month(occurrence.rule_date)
            start, end = month.bounds(self._zone)
            studied = {
                row.member_id for row in await self._quizzes.finished_quizzes([branch], start, end)
            }
            members = [m for m in await self._members.members_in([branch]) if m.id not in studied]
            text = self._texts.nudge_text.format(period=self._texts.period(month))
            return await self._send(occurrence.key, "nudge", branch, members, text) is not None
        if occurrence.kind is OccurrenceKind.POLITICAL_BIRTHDAY and occurrence.member_id:
            member = await self._members.member_by_id(occurrence.member_id)
            if member is None:
                return False
            text = self._texts.birthday_greeting.format(
                name=self._texts.address(member.name), years=occurrence.years
            )
            return await self._send(occurrence.key, "birthday", branch, [member], text) is not None
        if occurrence.kind is OccurrenceKind.BIRTHDAY_NOTICE and occurrence.member_id:
            member = await self._members.member_by_id(occurrence.member_id)
            secretaries = list(await self._secretaries(branch)) if self._secretaries else []
            if member is None or not secretaries:
                return False
            text = self._texts.birthday_notice.format(
                name=self._texts.address(member.name),
                date=self._texts.month_day(occurrence.rule_date),
                years=occurrence.years,
            )
            batch = await self._outbox.create_batch(
                key=occurrence.key,
                kind="birthday_notice",
                title=text[:40],
                unit_id=branch,
                created_by=None,
                now=self._clock.now(),
                deliveries=[NewDelivery(chat, None, text) for chat in secretaries],
                not_before=occurrence.occurs_at,
                expires_at=expires,
            )
            return batch is not None
        return False

    async def _send(
        self,
        key: str,
        kind: str,
        branch: str,
        members: Sequence[Member],
        text: str,
        *,
        event_id: int | None = None,
    ) -> int | None:
        return await self._delivery.send_to(
            list(members),
            key=key,
            kind=kind,
            text=text,
            unit_id=branch,
            created_by=0,
            progress_chat_id=None,
            event_id=event_id,
        )

    async def _birthdays(self, start: datetime, end: datetime) -> list[Occurrence]:
        """政治生日 greetings and notices due in the window, for the members whose anniversary
        the window can reach (the database narrows it to a few days of the year)."""
        if self._schedule is None:
            return []
        found: list[Occurrence] = []
        # One schedule per kind (or per branch with its own overrides), not one per member:
        # building a schedule parses its rules, and a city has thousands of anniversaries near.
        plans: dict[object, BranchSchedule] = {}
        overridden = self._schedule.settings.branches
        days = self._schedule.anniversaries_in_reach(start, end)
        for member in await self._members.members_with_anniversary_on(days):
            if member.branch_id is None or member.party_joined_on is None:
                continue
            unit = self._tree.by_id.get(member.branch_id)
            if unit is None:
                continue
            key: object = unit.id if unit.id in overridden else unit.kind
            if key not in plans:
                plans[key] = self._schedule.branch(unit.id, unit.kind)
            greetings = plans[key].political_birthdays(
                member.id, member.party_joined_on, start, end
            )
            found += [o.for_branch(unit.id) for o in greetings]
        return found

    async def _off_schedule(self, start: datetime, end: datetime, now: datetime) -> int:
        """Reminders due in [start, end) of meetings the schedule does not time: moved ones
        and those organised in the chat, at the theme day's offsets from the stored time."""
        if self._schedule is None:
            return 0
        written = 0
        # Only the meetings whose reminders can fall in the window (two days around it with
        # the default offsets), not every one of a month: a city calls thousands.
        before, after = self._reach
        events = await self._meetings.off_schedule(start - after, end + before)
        for event in events:
            unit = self._tree.by_id.get(event.branch_id)
            if unit is None:
                continue
            for offset, due in self._reminders_of(event):
                if not start <= due < end or due < now - self._grace:
                    continue
                groups = await self._members.group_chats_of(event.branch_id)
                batch = await self._meetings.remind_event(
                    event, str(offset), due, due + self._grace, groups
                )
                written += batch is not None
        return written

    def _reminders_of(self, event: Event) -> list[tuple[Offset, datetime]]:
        """When a meeting off the schedule is reminded: the branch's theme-day offsets from
        its stored time, even where the scheduled theme day is switched off (a meeting called
        in the chat is still reminded); none after it begins."""
        assert self._schedule is not None
        unit = self._tree.by_id[event.branch_id]
        settings = self._schedule.branch(unit.id, unit.kind).settings.theme_day
        held = event.occurs_at.astimezone(self._zone).date()
        moments = []
        for offset in (parse_offset(text) for text in settings.reminders):
            due = offset.moment(held, event.occurs_at, self._zone)
            if due <= event.occurs_at:
                moments.append((offset, due))
        return moments

    async def upcoming(self, start: datetime, end: datetime) -> list[Upcoming]:
        """What ticks in [start, end) will act on that the configured schedule does not show:
        the reminders and starts of meetings moved or called in the chat, and the 补课 of
        meetings already stored, at their stored times. With the schedule's own occurrences
        this is the sandbox's "next event", so jumping the clock never passes one."""
        found: list[Upcoming] = []
        if self._schedule is not None:
            before, after = self._reach
            for event in await self._meetings.off_schedule(start - after, end + before):
                if event.branch_id not in self._tree.by_id:
                    continue
                name = self._meetings.kind_name(event)
                if start <= event.occurs_at < end:
                    found.append(Upcoming(event.occurs_at, UpcomingKind.START, name))
                found += [
                    Upcoming(due, UpcomingKind.REMINDER, name)
                    for _, due in self._reminders_of(event)
                    if start <= due < end
                ]
        held = (start - self._makeup_reach, end)
        for event, at in await self._meetings.makeups_due(start, end, held, self._makeup_due_at()):
            if at < end:
                found.append(Upcoming(at, UpcomingKind.MAKEUP, self._meetings.kind_name(event)))
        return sorted(found, key=lambda u: u.at)

    def _makeup_due_at(self) -> Callable[[Event], datetime | None]:
        """When an event's 补课 is due, from its branch's settings and its stored time (one
        resolved schedule per kind, or per branch with overrides)."""
        plans: dict[object, BranchSchedule] = {}

        def due_at(event: Event) -> datetime | None:
            unit = self._tree.by_id[event.branch_id]
            key: object = unit.id if unit.id in self._plans.settings.branches else unit.kind
            if key not in plans:
                plans[key] = self._plans.branch(unit.id, unit.kind)
            offset = plans[key].settings.event(event.key.partition(":")[0]).makeup
            if offset is None:
                return None
            day = event.occurs_at.astimezone(self._zone).date()
            return parse_offset(offset).moment(day, event.occurs_at, self._zone)

        return due_at

    async def _makeups(self, now: datetime) -> int:
        """补课 for theme days whose makeup time (from each branch's settings and the stored
        time of its meeting) came within the grace window; each written once."""
        count = 0
        since = now - self._grace
        # Only meetings whose 补课 can be due by now: on the day after a city's theme day
        # that leaves out the thousands held that morning (224 ms a tick otherwise).
        held = (since - self._makeup_reach, latest_held(self._makeup_offsets, now, self._zone))
        due = await self._meetings.makeups_due(since, now, held, self._makeup_due_at())
        for event, at in due:
            count += await self._meetings.makeup(event, at) is not None
        return count

    async def coming_makeups(self, branch_id: str) -> list[tuple[Event, datetime]]:
        """The branch's 补课 still to be sent for meetings already held: for /themeday."""
        now = self._clock.now()
        far = now + self._makeup_reach
        held = (now - self._makeup_reach, now)
        due = await self._meetings.makeups_due(now, far, held, self._makeup_due_at())
        return [(event, at) for event, at in due if event.branch_id == branch_id and at > now]


def latest_held(offsets: Sequence[Offset], now: datetime, zone: ZoneInfo) -> datetime:
    """The latest start of a meeting whose 补课 can be due by ``now``, over ``offsets``:
    ``now - 3h`` for ``+3h``; for ``+1d@09:00`` the end of yesterday from 09:00 on, of the
    day before until then (a meeting today has its 补课 tomorrow at the earliest)."""
    latest = now - timedelta(days=MAX_OFFSET_DAYS + 1)
    for offset in offsets:
        if isinstance(offset, DayOffset):
            local = now.astimezone(zone)
            # The last day whose 补课 has come: today minus the days, once the hour passed.
            last = local.date() - timedelta(days=offset.days)
            if local.time() < offset.at:
                last -= timedelta(days=1)
            following = last + timedelta(days=1)
            moment = datetime.combine(following, time(), tzinfo=zone).astimezone(UTC)
        else:
            moment = now - timedelta(minutes=offset.minutes)
        latest = max(latest, moment)
    return min(latest, now)


def makeup_offsets(settings: ScheduleSettings) -> list[Offset]:
    """Every 补课 offset any branch's theme day has."""
    layers = [*settings.kinds.values(), *settings.branches.values()]
    texts = [settings.theme_day.makeup]
    texts += [layer.theme_day.makeup for layer in layers if layer.theme_day is not None]
    return [parse_offset(text) for text in dict.fromkeys(texts) if text is not None]


def makeup_reach(settings: ScheduleSettings) -> timedelta:
    """How long after its meeting any branch's 补课 can come: the query's reach back."""
    reach = timedelta(days=1)
    for offset in makeup_offsets(settings):
        if isinstance(offset, DayOffset):
            reach = max(reach, timedelta(days=offset.days + 1))
        else:
            reach = max(reach, timedelta(minutes=offset.minutes))
    return reach


def _theme_day_reach(settings: ScheduleSettings) -> tuple[timedelta, timedelta]:
    """How long before a meeting its earliest theme-day reminder can be, and how long after
    its latest, over every kind's and branch's settings."""
    layers = [settings.theme_day]
    overrides = [*settings.kinds.values(), *settings.branches.values()]
    layers += [o.theme_day for o in overrides if o.theme_day is not None]
    before = after = timedelta()
    for layer in layers:
        for text in layer.reminders:
            offset = parse_offset(text)
            if isinstance(offset, DayOffset):
                # A day offset's wall-clock time can be up to a day from the meeting's.
                span = timedelta(days=abs(offset.days) + 1)
                before, after = (
                    (max(before, span), after) if offset.days <= 0 else (before, max(after, span))
                )
            else:
                lead = timedelta(minutes=offset.minutes)
                before, after = max(before, -lead), max(after, lead)
    return before, after

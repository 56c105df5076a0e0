"""Turning settings into occurrences: the schedule of a branch over a window of time.

``Schedule`` holds the ``schedules`` settings, the time zone and the holiday calendar;
``Schedule.branch(id, kind)`` gives a ``BranchSchedule`` with every layer of settings applied,
which answers "what is due in ``[start, end)``" and "what comes next". All instants in and out
are aware datetimes, compared in UTC; dates and times of day are read in the configured zone.
Nothing here reads a clock: callers pass the window, so tests and the sandbox pin time.

Local times that do not exist or exist twice in a zone with daylight saving time follow
``zoneinfo`` with ``fold=0``: a time skipped by the spring change happens one hour later on the
wall clock (09:30 in a gap from 09:00 to 10:00 becomes 10:30), and a time that repeats in autumn
happens the first time. Asia/Shanghai has no daylight saving time, so neither arises there.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.org.tree import Kind
from bot.schedule.config import (
    BranchSettings,
    EventSettings,
    LeapDay,
    ScheduleSettings,
    resolve,
)
from bot.schedule.holidays import (
    MOVE_LIMIT_DAYS,
    ChineseCalendar,
    DeclaredCalendar,
    HolidayCalendar,
    apply_policy,
)
from bot.schedule.notation import DayOffset, Offset, parse_offset
from bot.schedule.occurrences import EVENT_KINDS, Occurrence, OccurrenceKind
from bot.schedule.rules import Rule, parse_rule

DEFAULT_ANCHOR = date(2000, 1, 3)
"""Where rules without ``starts`` are counted from; only ``INTERVAL`` > 1 (which requires
``starts``) depends on it."""
LOOKAHEAD = timedelta(days=10 * 366)
"""``next_occurrences`` looks no further than this."""
QUIZ_NUDGE_TITLE = "答题提醒"
POLITICAL_BIRTHDAY_TITLE = "政治生日"
MAKEUP_TITLE = "补课"


def anniversary(joined: date, year: int, leap_day: LeapDay = LeapDay.FEB_28) -> date:
    """The day of the Party-joining anniversary in ``year``; 29 February goes to 28 February
    or 1 March in other years, as ``leap_day`` says."""
    if (joined.month, joined.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28) if leap_day is LeapDay.FEB_28 else date(year, 3, 1)
    return joined.replace(year=year)


def standing_years(joined: date, on: date, leap_day: LeapDay = LeapDay.FEB_28) -> int:
    """Whole years since joining the Party, on ``on`` (0 before the first anniversary).

    This is 入党 N 周年, counted from the joining date as 政治生日 is; 党龄 in the strict sense
    counts from full membership (转正), usually a year later, and is not computed here."""
    years = on.year - joined.year
    if on < anniversary(joined, on.year, leap_day):
        years -= 1
    return max(years, 0)


@dataclass(frozen=True)
class _Recurring:
    """One enabled recurring event of a branch, its rule and offsets parsed."""

    rule_key: str
    kind: OccurrenceKind
    title: str
    settings: EventSettings
    rule: Rule
    offsets: tuple[Offset, ...]
    makeup: Offset | None = None

    def reach(self) -> tuple[int, int]:
        """Whole days before and after the held day that its instants can fall on."""
        before, after = 0, 1
        for offset in (*self.offsets, *((self.makeup,) if self.makeup else ())):
            if isinstance(offset, DayOffset):
                before, after = max(before, -offset.days), max(after, offset.days + 1)
            else:
                before = max(before, math.ceil(-offset.minutes / 1440) + 1)
                after = max(after, math.ceil(offset.minutes / 1440) + 1)
        return before, after


def calendar_for(settings: ScheduleSettings) -> HolidayCalendar:
    """The package's holiday calendar, with the years the settings declare laid over it."""
    declared = settings.holidays
    if not declared.days_off:
        return ChineseCalendar()
    return DeclaredCalendar(ChineseCalendar(), declared.days_off_by_date(), declared.workdays)


class Schedule:
    """Every branch's schedule, from the settings; cheap to build, immutable once built."""

    def __init__(
        self,
        settings: ScheduleSettings,
        zone: ZoneInfo,
        holidays: HolidayCalendar | None = None,
    ) -> None:
        self.settings = settings
        self.zone = zone
        self.holidays: HolidayCalendar = (
            holidays if holidays is not None else calendar_for(settings)
        )

    def branch(self, branch_id: str, kind: Kind | None = None) -> BranchSchedule:
        """The schedule of one branch; ``kind`` (from the organisation tree) picks the kind's
        overrides and whether the weekly study day is on by default (机关)."""
        return BranchSchedule(resolve(self.settings, branch_id, kind), self.zone, self.holidays)

    def occurrences(
        self,
        branches: Iterable[tuple[str, Kind | None]],
        start: datetime,
        end: datetime,
        *,
        kinds: Collection[OccurrenceKind] | None = None,
        include_skipped: bool = False,
    ) -> list[Occurrence]:
        """``BranchSchedule.occurrences`` for many ``(branch id, kind)`` pairs at once, all in
        one list ordered by ``occurs_at`` then key. Branches without their own overrides share
        one computation per kind: a city's thousands of branches cost a handful, not thousands."""
        shared: dict[Kind | None, list[Occurrence]] = {}
        found: list[Occurrence] = []
        for branch_id, kind in branches:
            if branch_id in self.settings.branches:
                plan = self.branch(branch_id, kind)
                found += plan.occurrences(start, end, kinds=kinds, include_skipped=include_skipped)
                continue
            if kind not in shared:
                shared[kind] = self.branch("", kind).occurrences(
                    start, end, kinds=kinds, include_skipped=include_skipped
                )
            found += [occurrence.for_branch(branch_id) for occurrence in shared[kind]]
        return sorted(found, key=lambda o: (o.occurs_at, o.key))

    def anniversaries_in_reach(self, start: datetime, end: datetime) -> frozenset[str] | None:
        """The anniversaries (``"MM-DD"``) whose 政治生日 greeting or notice can fall in
        ``[start, end)``: the window's own days, and those days moved forward by every notice
        lead any kind or branch uses — so a 30-second tick looks at a few days' members, not
        a city's. None: a window of a year or more reaches every day."""
        first, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        if (last - first).days >= 365:
            return None
        layers = [*self.settings.kinds.values(), *self.settings.branches.values()]
        settings = [self.settings.political_birthday]
        settings += [layer.political_birthday for layer in layers if layer.political_birthday]
        leads = {0} | {s.notice_days for s in settings if s.notice_days is not None}
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        reached = {(d + timedelta(days=lead)).strftime("%m-%d") for d in days for lead in leads}
        if reached & {"02-28", "03-01"}:
            reached.add("02-29")  # greeted on one of those days in a common year
        return frozenset(reached)


class BranchSchedule:
    """One branch's occurrences over any window."""

    def __init__(
        self, settings: BranchSettings, zone: ZoneInfo, holidays: HolidayCalendar
    ) -> None:
        self.settings = settings
        self.zone = zone
        self.holidays = holidays
        recurring = [
            _compile("theme_day", OccurrenceKind.THEME_DAY, settings.theme_day, "主题党日")
            if settings.theme_day.enabled
            else None,
            _compile("study_day", OccurrenceKind.STUDY_DAY, settings.study_day, "固定学习日")
            if settings.study_day_enabled
            else None,
            *(
                _compile(f"meetings.{name}", OccurrenceKind.MEETING, meeting, name)
                for name, meeting in sorted(settings.meetings.items())
                if meeting.enabled
            ),
        ]
        self._recurring = tuple(r for r in recurring if r is not None)

    @property
    def branch_id(self) -> str:
        return self.settings.branch_id

    def occurrences(
        self,
        start: datetime,
        end: datetime,
        *,
        kinds: Collection[OccurrenceKind] | None = None,
        include_skipped: bool = False,
    ) -> list[Occurrence]:
        """Everything due in ``[start, end)`` — events, reminders, the quiz nudge — in order of
        ``occurs_at`` then key; only ``kinds`` if given. Skipped events (holiday policy) only
        with ``include_skipped``; they have no reminders. 政治生日 needs a member: see
        ``political_birthdays``."""
        _check_window(start, end)
        wanted = frozenset(OccurrenceKind) if kinds is None else frozenset(kinds)
        found: list[Occurrence] = []
        first_day = start.astimezone(self.zone).date()
        last_day = end.astimezone(self.zone).date()
        for recurring in self._recurring:
            if not wanted & {recurring.kind, OccurrenceKind.REMINDER, OccurrenceKind.MAKEUP}:
                continue
            before, after = recurring.reach()
            from_day = first_day - timedelta(days=after + 1 + MOVE_LIMIT_DAYS)
            to_day = last_day + timedelta(days=before + 2)
            for event in self._events(recurring, from_day, to_day):
                if event.skipped and not include_skipped:
                    continue
                if event.kind in wanted and start <= event.occurs_at < end:
                    found.append(event)
                if OccurrenceKind.REMINDER in wanted:
                    found += [r for r in self.reminders(event) if start <= r.occurs_at < end]
                makeup = self.makeup(event) if OccurrenceKind.MAKEUP in wanted else None
                if makeup is not None and start <= makeup.occurs_at < end:
                    found.append(makeup)
        if OccurrenceKind.QUIZ_NUDGE in wanted:
            found += self._quiz_nudges(start, end)
        return sorted(found, key=lambda o: (o.occurs_at, o.key))

    def next_occurrences(
        self,
        after: datetime,
        count: int,
        *,
        kinds: Collection[OccurrenceKind] | None = None,
        include_skipped: bool = False,
    ) -> list[Occurrence]:
        """The first ``count`` occurrences at or after ``after`` (fewer if none come within
        ten years), as ``occurrences`` would list them."""
        found: list[Occurrence] = []
        start, span = after, timedelta(days=62)
        while len(found) < count and start < after + LOOKAHEAD:
            end = min(start + span, after + LOOKAHEAD)
            found += self.occurrences(start, end, kinds=kinds, include_skipped=include_skipped)
            start, span = end, span * 2
        return found[:count]

    def reminders(self, event: Occurrence) -> list[Occurrence]:
        """The reminders of an event, in order; none for a skipped one."""
        recurring = next((r for r in self._recurring if r.rule_key == event.rule_key), None)
        if recurring is None or event.skipped or event.kind not in EVENT_KINDS:
            return []
        held = event.occurs_at.astimezone(self.zone).date()
        reminders = [
            Occurrence(
                kind=OccurrenceKind.REMINDER,
                rule_key=event.rule_key,
                branch_id=event.branch_id,
                occurs_at=offset.moment(held, event.occurs_at, self.zone),
                rule_date=event.rule_date,
                title=event.title,
                place=event.place,
                topic=event.topic,
                holiday=event.holiday,
                parent=event,
                offset=str(offset),
            )
            for offset in recurring.offsets
        ]
        return sorted(reminders, key=lambda o: (o.occurs_at, o.key))

    def makeup(self, event: Occurrence) -> Occurrence | None:
        """The event's 补课 (``makeup`` after it), or None: none configured, or skipped."""
        recurring = next((r for r in self._recurring if r.rule_key == event.rule_key), None)
        if recurring is None or recurring.makeup is None or event.skipped:
            return None
        held = event.occurs_at.astimezone(self.zone).date()
        return Occurrence(
            kind=OccurrenceKind.MAKEUP,
            rule_key=event.rule_key,
            branch_id=event.branch_id,
            occurs_at=recurring.makeup.moment(held, event.occurs_at, self.zone),
            rule_date=event.rule_date,
            title=f"{MAKEUP_TITLE}：{event.title}",
            place=event.place,
            topic=event.topic,
            holiday=event.holiday,
            parent=event,
        )

    def political_birthdays(
        self, member_id: int, joined: date, start: datetime, end: datetime
    ) -> list[Occurrence]:
        """A member's 政治生日 greetings and the secretary's notices due in ``[start, end)``.

        The greeting is on each anniversary of ``joined`` (from the first), the notice
        ``notice_days`` before it; both carry ``years``, the standing on the greeting's day."""
        _check_window(start, end)
        settings = self.settings.political_birthday
        if not settings.enabled:
            return []
        found = []
        first_year = start.astimezone(self.zone).year
        for year in range(
            max(first_year - 1, joined.year + 1), end.astimezone(self.zone).year + 2
        ):
            day = anniversary(joined, year, settings.leap_day)
            greeting = Occurrence(
                kind=OccurrenceKind.POLITICAL_BIRTHDAY,
                rule_key="political_birthday",
                branch_id=self.branch_id,
                occurs_at=self._at(day, settings.time),
                rule_date=day,
                title=POLITICAL_BIRTHDAY_TITLE,
                member_id=member_id,
                years=year - joined.year,
            )
            if start <= greeting.occurs_at < end:
                found.append(greeting)
            if settings.notice_days is not None:
                notice_day = day - timedelta(days=settings.notice_days)
                notice_at = self._at(notice_day, settings.notice_time)
                if start <= notice_at < end:
                    found.append(
                        Occurrence(
                            kind=OccurrenceKind.BIRTHDAY_NOTICE,
                            rule_key="political_birthday",
                            branch_id=self.branch_id,
                            occurs_at=notice_at,
                            rule_date=day,
                            title=POLITICAL_BIRTHDAY_TITLE,
                            parent=greeting,
                            member_id=member_id,
                            years=greeting.years,
                        )
                    )
        return sorted(found, key=lambda o: (o.occurs_at, o.key))

    def _events(self, recurring: _Recurring, first: date, last: date) -> list[Occurrence]:
        """Events whose rule date is in ``[first, last)``, skipped ones included."""
        settings = recurring.settings
        end = last + timedelta(days=MOVE_LIMIT_DAYS + 1)
        if settings.until is not None:
            end = min(end, settings.until + timedelta(days=1))
        days = list(recurring.rule.dates(first, end, settings.starts or DEFAULT_ANCHOR))
        events = []
        for index, day in enumerate(days):
            if day >= last:
                break
            following = days[index + 1] if index + 1 < len(days) else None
            held, note = apply_policy(day, following, settings.on_holiday, self.holidays)
            events.append(
                Occurrence(
                    kind=recurring.kind,
                    rule_key=recurring.rule_key,
                    branch_id=self.branch_id,
                    occurs_at=self._at(held or day, settings.time),
                    rule_date=day,
                    title=recurring.title,
                    place=settings.place,
                    topic=settings.topic_for(day),
                    holiday=note,
                )
            )
        return events

    def _quiz_nudges(self, start: datetime, end: datetime) -> list[Occurrence]:
        settings = self.settings.quiz_nudge
        if not settings.enabled:
            return []
        found = []
        month = start.astimezone(self.zone).date().replace(day=1) - timedelta(days=1)
        month = month.replace(day=1)
        while month <= end.astimezone(self.zone).date():
            length = calendar.monthrange(month.year, month.month)[1]
            day = month.replace(day=length - settings.days_before_month_end)
            occurs_at = self._at(day, settings.time)
            if start <= occurs_at < end:
                found.append(
                    Occurrence(
                        kind=OccurrenceKind.QUIZ_NUDGE,
                        rule_key="quiz_nudge",
                        branch_id=self.branch_id,
                        occurs_at=occurs_at,
                        rule_date=day,
                        title=QUIZ_NUDGE_TITLE,
                    )
                )
            month = (month + timedelta(days=32)).replace(day=1)
        return found

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)


def _compile(
    rule_key: str, kind: OccurrenceKind, settings: EventSettings, title: str
) -> _Recurring | None:
    if settings.rule is None:
        return None
    offsets = tuple(parse_offset(text) for text in settings.reminders)
    makeup = parse_offset(settings.makeup) if settings.makeup else None
    return _Recurring(
        rule_key,
        kind,
        settings.title or title,
        settings,
        parse_rule(settings.rule),
        offsets,
        makeup,
    )


def _check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the window's datetimes must be aware (use UTC)")

"""Chinese statutory holidays, and what a theme day does when it falls on one.

The calendar is the ``chinese-calendar`` package (pinned in requirements.txt), which carries the
State Council's yearly holiday and adjusted-working-day (调休) announcements. It knows a fixed
range of years (1.11.0: 2004–2026) and raises ``NotImplementedError`` for any other; here that
becomes ``UnknownYearError``, and ``apply_policy`` then keeps the rule's date and says so in
its result, so an outdated package never stops the bot — upgrade the pin when the State
Council publishes the next year (usually in November).

A *statutory holiday* is a day off the State Council names (国庆节, 春节, …), including the
weekend days inside such a break; an ordinary weekend is not one, so a rule that meets on
Saturdays keeps meeting on Saturdays. A *working day* is what the package calls one: Monday to
Friday unless a holiday, plus the weekend days made working days by 调休.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

import chinese_calendar  # type: ignore[import-untyped]

MOVE_LIMIT_DAYS = 31
"""How far ``move`` looks for a working day; the longest break (春节) is nine days."""


class UnknownYearError(LookupError):
    """The holiday calendar has no data for this year."""


class HolidayCalendar(Protocol):
    """Which days are statutory holidays and which are working days."""

    @property
    def known_years(self) -> Collection[int]: ...

    def holiday(self, day: date) -> str | None:
        """The holiday's Chinese name (``国庆节``) if ``day`` is a statutory day off, else None.
        Raises ``UnknownYearError`` for a year outside ``known_years``."""
        ...

    def is_workday(self, day: date) -> bool:
        """Raises ``UnknownYearError`` for a year outside ``known_years``."""
        ...


class ChineseCalendar:
    """``HolidayCalendar`` over the ``chinese-calendar`` package's tables.

    Reads the package's exported ``holidays`` and ``workdays`` tables directly, with the same
    rule as its ``is_workday``: its functions recompute the supported range on every call
    (about 36 µs), which matters when a city's 8,885 branches are planned at once.
    """

    def __init__(self) -> None:
        self._holidays: dict[date, str] = chinese_calendar.holidays
        self._workdays: dict[date, str] = chinese_calendar.workdays
        self._names = {h.value: h.chinese for h in chinese_calendar.Holiday}
        years = [d.year for d in self._holidays]
        self._years = range(min(years), max(years) + 1)

    @property
    def known_years(self) -> range:
        return self._years

    @property
    def version(self) -> str:
        return str(chinese_calendar.__version__)

    def holiday(self, day: date) -> str | None:
        self._check(day)
        name = self._holidays.get(day)
        return None if name is None else self._names.get(name, name)

    def is_workday(self, day: date) -> bool:
        self._check(day)
        return day in self._workdays or (day.weekday() < 5 and day not in self._holidays)

    def _check(self, day: date) -> None:
        if day.year not in self._years:
            first, last = self._years.start, self._years.stop - 1
            raise UnknownYearError(
                f"chinese-calendar {self.version} has no holidays for {day.year} "
                f"(it knows {first}–{last}); declare them under schedules.holidays"
            )


class DeclaredCalendar:
    """Another calendar with some years declared by hand (``schedules.holidays`` in the
    config): the State Council's notice for a year the installed package does not know yet,
    or a correction. A declared year replaces the other calendar's for that year."""

    def __init__(
        self, base: HolidayCalendar, days_off: Mapping[date, str], workdays: Collection[date]
    ) -> None:
        self._base = base
        self._days_off = dict(days_off)
        self._workdays = frozenset(workdays)
        self.declared_years = frozenset(day.year for day in days_off)

    @property
    def known_years(self) -> frozenset[int]:
        return frozenset(self._base.known_years) | self.declared_years

    def holiday(self, day: date) -> str | None:
        if day.year in self.declared_years:
            return self._days_off.get(day)
        return self._base.holiday(day)

    def is_workday(self, day: date) -> bool:
        if day.year in self.declared_years:
            return day in self._workdays or (day.weekday() < 5 and day not in self._days_off)
        return self._base.is_workday(day)


def year_spans(years: Collection[int]) -> str:
    """``2004–2026、2028`` for a set of years."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return "、".join(f"{a}–{b}" if a != b else str(a) for a, b in spans)


class HolidayPolicy(StrEnum):
    """What a theme day (or other recurring event) does on a statutory holiday."""

    KEEP = "keep"
    MOVE = "move"
    """To the next working day (which may be a 调休 Saturday)."""
    SKIP = "skip"


class Adjustment(StrEnum):
    KEPT = "kept"
    """On a holiday, and the policy is ``keep``."""
    MOVED = "moved"
    SKIPPED = "skipped"
    MERGED = "merged"
    """``move`` would reach the rule's next date: this one is dropped, the next one stays."""
    UNKNOWN = "unknown"
    """The calendar does not know the year (or the year a move would reach): date kept."""


@dataclass(frozen=True)
class HolidayNote:
    """Why an event is not simply on its rule's date, or may not be."""

    adjustment: Adjustment
    rule_date: date
    holiday: str | None = None
    """The holiday's Chinese name (KEPT, MOVED, SKIPPED, MERGED)."""
    warning: str | None = None
    """For UNKNOWN: what the calendar does not know, for the log and ``schedule show``."""


def apply_policy(
    rule_date: date, next_rule_date: date | None, policy: HolidayPolicy, calendar: HolidayCalendar
) -> tuple[date | None, HolidayNote | None]:
    """The day an event with this rule date is held (None: not held) and a note when the
    holiday calendar had a say. ``next_rule_date`` is the rule's following date, if any."""
    try:
        holiday = calendar.holiday(rule_date)
    except UnknownYearError as error:
        if policy is HolidayPolicy.KEEP:
            return rule_date, None
        return rule_date, HolidayNote(Adjustment.UNKNOWN, rule_date, warning=str(error))
    if holiday is None:
        return rule_date, None
    if policy is HolidayPolicy.KEEP:
        return rule_date, HolidayNote(Adjustment.KEPT, rule_date, holiday)
    if policy is HolidayPolicy.SKIP:
        return None, HolidayNote(Adjustment.SKIPPED, rule_date, holiday)
    day = rule_date
    try:
        for _ in range(MOVE_LIMIT_DAYS):
            day += timedelta(days=1)
            if calendar.is_workday(day):
                break
        else:
            warning = f"no working day within {MOVE_LIMIT_DAYS} days after {rule_date}"
            return rule_date, HolidayNote(Adjustment.UNKNOWN, rule_date, holiday, warning)
    except UnknownYearError as error:
        return rule_date, HolidayNote(Adjustment.UNKNOWN, rule_date, holiday, str(error))
    if next_rule_date is not None and day >= next_rule_date:
        return None, HolidayNote(Adjustment.MERGED, rule_date, holiday)
    return day, HolidayNote(Adjustment.MOVED, rule_date, holiday)

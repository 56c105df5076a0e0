"""Calendar dates as people type them, with a reason when a date cannot be taken.

Accepted (spaces ignored, full-width digits and punctuation as their ASCII forms):
``1990-07-01``, ``1990/7/1``, ``1990.7.1`` (one separator throughout), ``1990年7月1日`` (or
``1日`` written ``1号``, or no day mark at all) and ``19900701``. A date that has the right shape
but is not on the calendar (``1990-13-01``, ``1990-02-30``) and a date after today are refused
with their own reason, so the reply can say what is wrong instead of repeating the usage line.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum


class DateProblem(StrEnum):
    FORM = "form"
    """Not a date in any accepted form."""
    MONTH = "month"
    """The month is not 1–12."""
    DAY = "day"
    """The month has no such day (``days_in_month`` says how many it has)."""
    FUTURE = "future"
    """A real date, but after today."""


@dataclass(frozen=True)
class DateRefusal:
    problem: DateProblem
    year: int = 0
    month: int = 0
    day: int = 0

    @property
    def days_in_month(self) -> int:
        """How many days the typed month has (only meaningful for ``DateProblem.DAY``)."""
        return calendar.monthrange(self.year, self.month)[1] if 1 <= self.month <= 12 else 0


MAX_LENGTH = 40
"""Longer input is not a date; nothing longer is matched against the patterns."""

_FORMS = (
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    re.compile(r"([0-9]{4})()年([0-9]{1,2})月([0-9]{1,2})[日号]?"),
    re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})"),
)


def parse_date(text: str, today: date) -> date | DateRefusal:
    """The date in ``text``, or why it is not one that can be taken (never an exception)."""
    if len(text) > MAX_LENGTH:
        return DateRefusal(DateProblem.FORM)
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    found = next((m for m in (form.fullmatch(compact) for form in _FORMS) if m), None)
    if found is None:
        return DateRefusal(DateProblem.FORM)
    year, month, day = int(found[1]), int(found[3]), int(found[4])
    if year == 0:
        return DateRefusal(DateProblem.FORM)
    if not 1 <= month <= 12:
        return DateRefusal(DateProblem.MONTH, year, month, day)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return DateRefusal(DateProblem.DAY, year, month, day)
    typed = date(year, month, day)
    if typed > today:
        return DateRefusal(DateProblem.FUTURE, year, month, day)
    return typed


class WhenProblem(StrEnum):
    FORM = "form"
    """Not a date (and time) in any accepted form."""
    MONTH = "month"
    DAY = "day"
    """The month has no such day."""
    TIME = "time"
    """The hour is not 0–23 or the minute not 0–59."""
    PAST = "past"
    """A real date, but before today."""


@dataclass(frozen=True)
class WhenRefusal:
    problem: WhenProblem


@dataclass(frozen=True)
class When:
    """A day and, if one was written, a time of day (local, as typed)."""

    day: date
    at: time | None


_WHEN_DAYS = (
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    re.compile(r"([0-9]{4})()年([0-9]{1,2})月([0-9]{1,2})[日号]?"),
    re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})"),
    re.compile(r"()()([0-9]{1,2})月([0-9]{1,2})[日号]?"),
    re.compile(r"()()([0-9]{1,2})[-/.]([0-9]{1,2})"),
)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_HALVES = {"上午": 0, "早上": 0, "早晨": 0, "中午": 12, "下午": 12, "晚上": 12}
_TIME = re.compile(
    r"(上午|早上|早晨|中午|下午|晚上)?"
    r"(?:([0-9]{1,2}):([0-9]{2})|([0-9]{1,2})[点时](?:(半)|([0-9]{1,2})分?)?)"
)


def parse_when(text: str, today: date) -> When | WhenRefusal:
    """A day and an optional time of day as people write them for a coming meeting:
    ``2026-12-10 14:30``, ``12月10日下午2点半``, ``12/10 9:00``, ``明天 15:00``, ``20261210``.
    A day without a year is the next such day from ``today``; a day before today is refused,
    and so is a time that is not on the clock (never an exception)."""
    if len(text) > MAX_LENGTH:
        return WhenRefusal(WhenProblem.FORM)
    normal = unicodedata.normalize("NFKC", text)
    words = normal.split()
    compact = "".join(words)
    # Where the day ends and the time begins: between the two words, else anywhere.
    splits = [(words[0], words[1])] if len(words) == 2 else []
    splits += [(compact[:i], compact[i:]) for i in range(1, len(compact))]
    refused: WhenRefusal | None = None
    for head, tail in splits:
        clock = _TIME.fullmatch(tail)
        if clock is None or tail.isdigit():
            continue
        day = _day(head, today, None)
        if isinstance(day, WhenRefusal) and day.problem is WhenProblem.FORM:
            continue
        at = _clock(clock)
        found = WhenRefusal(WhenProblem.TIME) if at is None else _day(head, today, at)
        if isinstance(found, When):
            return found
        # Another split may still read (2026-12-040:00 is the 4th at 0:00, not the 0th).
        refused = refused or found
    return refused or _day(compact, today, None)


def _day(typed: str, today: date, at: time | None) -> When | WhenRefusal:
    if typed in _RELATIVE_DAYS:
        return When(today + timedelta(days=_RELATIVE_DAYS[typed]), at)
    found = next((m for m in (form.fullmatch(typed) for form in _WHEN_DAYS) if m), None)
    if found is None:
        return WhenRefusal(WhenProblem.FORM)
    month, day = int(found[3]), int(found[4])
    year = int(found[1]) if found[1] else today.year
    if year == 0:
        return WhenRefusal(WhenProblem.FORM)
    if not 1 <= month <= 12:
        return WhenRefusal(WhenProblem.MONTH)
    if not found[1] and (month, day) == (2, 29):
        # 2月29日 without a year: the next year that has one.
        while not calendar.isleap(year) or date(year, 2, 29) < today:
            year += 1
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return WhenRefusal(WhenProblem.DAY)
    when = date(year, month, day)
    if not found[1] and when < today:
        when = date(year + 1, month, day)
    if when < today:
        return WhenRefusal(WhenProblem.PAST)
    return When(when, at)


def _clock(found: re.Match[str]) -> time | None:
    half, colon_hour, colon_minute, hour_mark, half_hour, minute_mark = found.groups()
    hour = int(colon_hour if colon_hour is not None else hour_mark)
    minute = int(colon_minute or minute_mark or (30 if half_hour else 0))
    if half is not None and hour < 12 and _HALVES[half] and not (half == "中午" and hour >= 11):
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)

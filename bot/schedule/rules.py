"""Recurrence rules: on which dates a theme day, study day or meeting recurs.

A rule is a checked subset of RFC 5545 ``RRULE`` (``FREQ=MONTHLY;BYDAY=1MO``), evaluated by
python-dateutil's ``rrule``; a few Chinese phrases are accepted as aliases (``每月第一个星期一``).
A rule gives dates only: the time of day, place and reminders are separate settings.

Secretaries write rules by hand, so the subset is small enough to check completely before the
bot starts. Anything dateutil would reinterpret silently (an ordinal on a weekly rule), and any
rule that could never occur (``BYMONTH=2;BYMONTHDAY=30``), is refused with the reason: dateutil
would search such a rule year by year up to 9999 before giving up.

Accepted parts, each at most once, in any order, with an optional ``RRULE:`` prefix:

* ``FREQ`` — ``WEEKLY``, ``MONTHLY`` or ``YEARLY`` (required);
* ``INTERVAL`` — 1..99, counted from the event's ``starts`` date (required when above 1);
* ``BYDAY`` — weekdays ``MO``..``SU``; with ``MONTHLY``/``YEARLY`` an ordinal within the month,
  ``1MO`` (first Monday) .. ``5MO``, ``-1FR`` (last Friday) .. ``-5FR``; ordinals and plain
  weekdays are not mixed in one rule (dateutil would require both to match);
* ``BYMONTHDAY`` — ±1..31, negative from the month's end (``-1`` is the last day);
* ``BYMONTH`` — 1..12;
* ``BYSETPOS`` — picks among the dates of one period, with a plain list of weekdays only
  (``BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1``: the last working weekday of the month).

``WEEKLY`` needs ``BYDAY``; ``MONTHLY`` needs ``BYDAY`` or ``BYMONTHDAY`` (not both); ``YEARLY``
needs ``BYMONTH`` and one of them. Months without the requested day are skipped, as RFC 5545
says: ``BYMONTHDAY=31`` occurs in seven months a year, ``BYDAY=5MO`` in four or five.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, YEARLY, rrule

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_OBJECTS = (MO, TU, WE, TH, FR, SA, SU)
_WEEKDAY_NAMES: tuple[str, ...] = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays")
_WEEKDAY_NAMES += ("Saturdays", "Sundays")
_MONTH_LENGTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
_ZH_WEEKDAY_TEXT = "一二三四五六日"
_NEVER_LOOKAHEAD_YEARS = 400
"""The Gregorian calendar repeats every 400 years: a rule with no date in 400 years has none."""

_UNSUPPORTED = {
    "COUNT": "COUNT is not supported (use starts/until in the config)",
    "UNTIL": "UNTIL is not supported (use until in the config)",
    "DTSTART": "DTSTART is not supported (use starts in the config)",
    "BYHOUR": "BYHOUR is not supported (the time of day is the time setting)",
    "BYMINUTE": "BYMINUTE is not supported (the time of day is the time setting)",
    "BYSECOND": "BYSECOND is not supported (the time of day is the time setting)",
}
_KNOWN_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS")
_INTEGER = re.compile(r"^[+-]?\d{1,3}$")
_DAY_ITEM = re.compile(r"^([+-]?\d{1,3})?([A-Z]{2})$")

_ZH_NTH = re.compile(
    r"^每月的?(?:第(?P<nth>[一二三四五1-5])个|(?P<first>首)个|(?P<last>最后)一个"
    r"|倒数第(?P<back>[一二三四五1-5])个)(?:星期|周|礼拜)(?P<day>[一二三四五六日天])$"
)
_ZH_MONTH_DAY = re.compile(r"^每月的?(?P<day>\d{1,2})(?:日|号)$")
_ZH_LAST_DAY = re.compile(r"^每月的?最后一天$")
_ZH_WEEKLY = re.compile(r"^每(?:周|星期|礼拜)(?P<day>[一二三四五六日天])$")
_ZH_EXAMPLES = "每月第一个星期一, 每月最后一个星期五, 每月15日, 每周五"


class RuleError(ValueError):
    """A rule that is not accepted; the message says why, in one line."""


class Freq(StrEnum):
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


_DATEUTIL_FREQ: dict[Freq, Literal[0, 1, 2]] = {
    Freq.WEEKLY: WEEKLY,
    Freq.MONTHLY: MONTHLY,
    Freq.YEARLY: YEARLY,
}


@dataclass(frozen=True)
class Rule:
    """A checked recurrence rule; build it with ``parse_rule``.

    ``by_day`` holds ``(ordinal, weekday)`` pairs, weekday 0 = Monday and ordinal 0 = every
    such weekday. ``str(rule)`` is the canonical RRULE text: parts in a fixed order, values
    sorted, ``INTERVAL=1`` left out, so two spellings of one rule print the same.
    """

    freq: Freq
    interval: int = 1
    by_month: tuple[int, ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_day: tuple[tuple[int, int], ...] = ()
    by_set_pos: tuple[int, ...] = ()

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq.value}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.by_month:
            parts.append("BYMONTH=" + ",".join(map(str, self.by_month)))
        if self.by_month_day:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.by_month_day)))
        if self.by_day:
            days = (f"{n or ''}{WEEKDAYS[w]}" for n, w in self.by_day)
            parts.append("BYDAY=" + ",".join(days))
        if self.by_set_pos:
            parts.append("BYSETPOS=" + ",".join(map(str, self.by_set_pos)))
        return ";".join(parts)

    def dates(self, start: date, end: date, anchor: date) -> Iterator[date]:
        """The rule's dates in ``[start, end)``, none before ``anchor``; ``INTERVAL`` periods
        are counted from the period (week, month, year) that contains ``anchor``.

        dateutil expands the rule one period at a time from the period containing the first
        wanted date, so the cost depends on the window, not on how long ago the anchor was.
        """
        low = max(start, anchor)
        if low >= end:
            return
        expansion = rrule(
            _DATEUTIL_FREQ[self.freq],
            dtstart=datetime.combine(self._period_start(low), datetime.min.time()),
            wkst=MO,
            bymonth=self.by_month or None,
            bymonthday=self.by_month_day or None,
            byweekday=[
                _WEEKDAY_OBJECTS[w](n) if n else _WEEKDAY_OBJECTS[w] for n, w in self.by_day
            ]
            or None,
            bysetpos=self.by_set_pos or None,
        )
        for moment in expansion:
            day = moment.date()
            if day >= end:
                return
            if day >= low and self._period_index(day, anchor) % self.interval == 0:
                yield day

    def first_date(self, anchor: date) -> date | None:
        """The first date on or after ``anchor``; None if there is none in 400 years."""
        horizon = date(min(anchor.year + _NEVER_LOOKAHEAD_YEARS, 9999), 1, 1)
        return next(self.dates(anchor, horizon, anchor), None)

    def describe(self) -> str:
        """The rule in Chinese when it is one of the common shapes, else its RRULE text."""
        if self.interval != 1 or self.by_month or self.by_set_pos:
            return str(self)
        if self.freq is Freq.WEEKLY and all(n == 0 for n, _ in self.by_day):
            return "每周" + "、".join(_ZH_WEEKDAY_TEXT[w] for _, w in self.by_day)
        if self.freq is Freq.MONTHLY and len(self.by_day) == 1:
            n, w = self.by_day[0]
            if n:
                number = _ZH_WEEKDAY_TEXT[abs(n) - 1]  # 一..五
                nth = "最后一个" if n == -1 else f"倒数第{number}个" if n < 0 else f"第{number}个"
                return f"每月{nth}星期{_ZH_WEEKDAY_TEXT[w]}"
        if self.freq is Freq.MONTHLY and len(self.by_month_day) == 1:
            day = self.by_month_day[0]
            return "每月最后一天" if day == -1 else f"每月{day}日" if day > 0 else str(self)
        return str(self)

    def _period_start(self, day: date) -> date:
        if self.freq is Freq.WEEKLY:
            return day - timedelta(days=day.weekday())
        if self.freq is Freq.MONTHLY:
            return day.replace(day=1)
        return day.replace(month=1, day=1)

    def _period_index(self, day: date, anchor: date) -> int:
        if self.freq is Freq.WEEKLY:
            return (self._period_start(day) - self._period_start(anchor)).days // 7
        if self.freq is Freq.MONTHLY:
            return (day.year - anchor.year) * 12 + day.month - anchor.month
        return day.year - anchor.year


def parse_rule(text: str) -> Rule:
    """Parse an RRULE string or a Chinese alias; raise ``RuleError`` saying what is wrong."""
    stripped = text.strip()
    if not stripped.isprintable():
        raise RuleError("contains a control character or an unpaired surrogate")
    if re.search(r"[\u3000-\u9fff]", stripped):
        return _parse_chinese(re.sub(r"\s+", "", stripped))
    body = stripped.upper()
    body = body.removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for piece in body.split(";"):
        if not piece.strip():
            continue
        name, equals, value = (s.strip() for s in piece.partition("="))
        if not equals or not name:
            raise RuleError(f"{piece.strip()!r} is not NAME=VALUE")
        if name in parts:
            raise RuleError(f"{name} is given twice")
        if name in _UNSUPPORTED:
            raise RuleError(_UNSUPPORTED[name])
        if name not in _KNOWN_PARTS:
            raise RuleError(f"{name} is not supported (use {', '.join(_KNOWN_PARTS)})")
        if not value:
            raise RuleError(f"{name} has no value")
        parts[name] = value
    if "FREQ" not in parts:
        raise RuleError("FREQ is missing (e.g. FREQ=MONTHLY;BYDAY=1MO)")
    return _build(parts)


def _build(parts: dict[str, str]) -> Rule:
    try:
        freq = Freq(parts["FREQ"])
    except ValueError:
        message = f"FREQ={parts['FREQ']} is not supported (use WEEKLY, MONTHLY or YEARLY)"
        raise RuleError(message) from None
    interval = _integers("INTERVAL", parts.get("INTERVAL", "1"), 1, 99, single=True)[0]
    months = _integers("BYMONTH", parts.get("BYMONTH"), 1, 12)
    month_days = _integers("BYMONTHDAY", parts.get("BYMONTHDAY"), 1, 31, signed=True)
    days = _weekdays(parts.get("BYDAY"), freq)
    set_pos = _integers("BYSETPOS", parts.get("BYSETPOS"), 1, 366, signed=True)
    if freq is Freq.WEEKLY:
        if month_days:
            raise RuleError("BYMONTHDAY needs FREQ=MONTHLY or FREQ=YEARLY")
        if not days:
            raise RuleError("FREQ=WEEKLY needs BYDAY (e.g. FREQ=WEEKLY;BYDAY=FR)")
    else:
        if freq is Freq.YEARLY and not months:
            raise RuleError("FREQ=YEARLY needs BYMONTH (e.g. BYMONTH=7;BYMONTHDAY=1)")
        if days and month_days:
            raise RuleError("use either BYDAY or BYMONTHDAY, not both")
        if not days and not month_days:
            raise RuleError(f"FREQ={freq.value} needs BYDAY (e.g. 1MO) or BYMONTHDAY (e.g. 15)")
    if (
        month_days
        and months
        and not any(abs(d) <= _MONTH_LENGTH[m - 1] for d in month_days for m in months)
    ):
        raise RuleError(
            f"BYMONTHDAY={parts['BYMONTHDAY']} never falls in BYMONTH={parts['BYMONTH']}"
        )
    if days and len({n == 0 for n, _ in days}) > 1:
        # dateutil would need a date to match both kinds at once, not either (RFC 5545).
        raise RuleError("BYDAY cannot mix plain weekdays (MO) with ordinals (1TU); use one kind")
    if set_pos:
        if not days or any(n for n, _ in days):
            raise RuleError("BYSETPOS needs BYDAY with plain weekdays (e.g. MO,TU,WE,TH,FR)")
        per_period = len(days) * {Freq.WEEKLY: 1, Freq.MONTHLY: 4, Freq.YEARLY: 4}[freq]
        if freq is Freq.YEARLY:
            per_period *= len(months)
        if any(abs(p) > per_period for p in set_pos):
            raise RuleError(f"BYSETPOS must be 1..{per_period} or -{per_period}..-1 here")
    return Rule(freq, interval, months, month_days, days, set_pos)


def _integers(
    name: str,
    value: str | None,
    low: int,
    high: int,
    *,
    signed: bool = False,
    single: bool = False,
) -> tuple[int, ...]:
    if value is None:
        return ()
    items = value.split(",")
    if single and len(items) > 1:
        raise RuleError(f"{name} takes one number")
    numbers = set()
    for item in items:
        item = item.strip()
        number = int(item) if _INTEGER.match(item) else None
        if number is None or not low <= abs(number) <= high or (number < 0 and not signed):
            allowed = f"{low}..{high}" + (f" or -{high}..-{low}" if signed else "")
            raise RuleError(f"{name}={value}: {item or '(empty)'} is not {allowed}")
        numbers.add(number)
    return tuple(sorted(numbers))


def _weekdays(value: str | None, freq: Freq) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    found = set()
    for item in value.split(","):
        item = item.strip()
        match = _DAY_ITEM.match(item)
        if match is None or match.group(2) not in WEEKDAYS:
            raise RuleError(f"BYDAY={value}: {item or '(empty)'} is not a weekday (MO..SU, 1MO)")
        weekday = WEEKDAYS.index(match.group(2))
        ordinal = int(match.group(1) or 0)
        if match.group(1) is not None:
            if freq is Freq.WEEKLY:
                raise RuleError(f"BYDAY={item}: ordinals such as 1MO need FREQ=MONTHLY")
            if not 1 <= abs(ordinal) <= 5:
                raise RuleError(
                    f"BYDAY={item}: a month has at most 5 {_WEEKDAY_NAMES[weekday]} "
                    "(use 1..5, or -1..-5 counting from the end)"
                )
        found.add((ordinal, weekday))
    return tuple(sorted(found, key=lambda pair: (pair[1], pair[0])))


def _parse_chinese(text: str) -> Rule:
    if match := _ZH_NTH.match(text):
        weekday = _ZH_WEEKDAY[match["day"]]
        if match["first"]:
            ordinal = 1
        elif match["last"]:
            ordinal = -1
        elif match["back"]:
            ordinal = -_ZH_NUMBER[match["back"]]
        else:
            ordinal = _ZH_NUMBER[match["nth"]]
        return Rule(Freq.MONTHLY, by_day=((ordinal, weekday),))
    if match := _ZH_MONTH_DAY.match(text):
        day = int(match["day"])
        if not 1 <= day <= 31:
            raise RuleError(f"{text}: a month has days 1..31")
        return Rule(Freq.MONTHLY, by_month_day=(day,))
    if _ZH_LAST_DAY.match(text):
        return Rule(Freq.MONTHLY, by_month_day=(-1,))
    if match := _ZH_WEEKLY.match(text):
        return Rule(Freq.WEEKLY, by_day=((0, _ZH_WEEKDAY[match["day"]]),))
    raise RuleError(f"not a rule I know (write e.g. {_ZH_EXAMPLES}, or FREQ=MONTHLY;BYDAY=1MO)")

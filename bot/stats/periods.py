"""Reporting periods: a month, a quarter, a year or a run of months, as secretaries name them.

Accepted: nothing or 本月 (this month), 上月, 本季度, 上季度, 本年/今年, 去年, ``2026-11``,
``2026年11月``, ``11月`` (this year), ``2026-Q4`` / ``2026Q4`` / ``2026年第四季度``, ``2026`` /
``2026年``, and ranges of months ``2026-09..2026-11`` (also with 至 or ~, or in the 年月 form).
Everything else is refused with the list of accepted forms. Periods are calendar periods in
the configured time zone, half open: [start, end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo


class Span(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"
    """Consecutive months, from the month ``index`` of ``year`` for ``length`` months."""


MAX_RANGE_MONTHS = 36
"""A range longer than three years is refused: nobody files a ledger that long."""


@dataclass(frozen=True, order=True)
class Period:
    span: Span
    year: int
    index: int = 1
    """Month 1–12, quarter 1–4, or 1 for a year; the first month for a range."""
    length: int = 1
    """For a range: how many months."""

    @property
    def start(self) -> date:
        month = {
            Span.MONTH: self.index,
            Span.QUARTER: 3 * self.index - 2,
            Span.YEAR: 1,
            Span.RANGE: self.index,
        }
        return date(self.year, month[self.span], 1)

    @property
    def end(self) -> date:
        return self.next().start

    @property
    def key(self) -> str:
        """The compact form, e.g. 2026-11, 2026-Q4, 2026, 2026-09..2026-11 (for file names
        and the CLI)."""
        if self.span is Span.RANGE:
            return f"{self.months()[0].key}..{self.months()[-1].key}"
        if self.span is Span.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.span is Span.QUARTER:
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    def _shift(self, steps: int) -> Period:
        if self.span is Span.RANGE:
            first = Period(Span.MONTH, self.year, self.index)._shift(steps * self.length)
            return Period(Span.RANGE, first.year, first.index, self.length)
        per_year = {Span.MONTH: 12, Span.QUARTER: 4, Span.YEAR: 1}[self.span]
        absolute = self.year * per_year + self.index - 1 + steps
        return Period(self.span, absolute // per_year, absolute % per_year + 1)

    def previous(self) -> Period:
        return self._shift(-1)

    def next(self) -> Period:
        return self._shift(1)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants, for range queries."""
        start = datetime.combine(self.start, time(), zone).astimezone(UTC)
        end = datetime.combine(self.end, time(), zone).astimezone(UTC)
        return start, end

    def months(self) -> list[Period]:
        """The months making up the period, in order."""
        first = Period(Span.MONTH, self.year, self.start.month)
        count = {Span.MONTH: 1, Span.QUARTER: 3, Span.YEAR: 12, Span.RANGE: self.length}[self.span]
        return [first._shift(n) for n in range(count)]


def current_month(today: date) -> Period:
    return Period(Span.MONTH, today.year, today.month)


_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORMS = [
    (re.compile(r"(\d{4})-(\d{1,2})"), Span.MONTH),
    (re.compile(r"(\d{4})年(\d{1,2})月"), Span.MONTH),
    (re.compile(r"(\d{4})-?[Qq]([1-4])"), Span.QUARTER),
    (re.compile(r"(\d{4})年第?([一二三四1-4])季度?"), Span.QUARTER),
    (re.compile(r"(\d{4})年?"), Span.YEAR),
]
_THIS_YEARS_MONTH = re.compile(r"(\d{1,2})月(?:份)?")


def _month(year: int, month: int) -> Period | None:
    return Period(Span.MONTH, year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _range(text: str) -> Period | None:
    """``2026-09..2026-11`` (or 至/到/~ between, or 2026年9月至11月): those months."""
    parts = re.split(r"\.\.|至|到|~|～", text)
    if len(parts) != 2:
        return None
    ends: list[Period] = []
    for part in parts:
        match = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})月?", part)
        alone = re.fullmatch(r"(\d{1,2})月", part) if ends else None
        if match is not None:
            month = _month(int(match.group(1)), int(match.group(2)))
        elif alone is not None:  # 2026年9月至11月: the same year
            month = _month(ends[0].year, int(alone.group(1)))
        else:
            month = None
        if month is None:
            return None
        ends.append(month)
    first, last = ends
    length = (last.year - first.year) * 12 + last.index - first.index + 1
    if not 1 <= length <= MAX_RANGE_MONTHS:
        return None
    return Period(Span.RANGE, first.year, first.index, length)


def parse_period(text: str | None, today: date) -> Period | None:
    """The period a secretary asked for, or None when the text is not a period."""
    text = (text or "").strip().replace(" ", "")
    month = current_month(today)
    quarter = Period(Span.QUARTER, today.year, (today.month - 1) // 3 + 1)
    year = Period(Span.YEAR, today.year)
    relative = {
        "": month,
        "本月": month,
        "上月": month.previous(),
        "本季度": quarter,
        "上季度": quarter.previous(),
        "本年": year,
        "今年": year,
        "去年": year.previous(),
    }
    if text in relative:
        return relative[text]
    if len(text) > 40:
        return None
    if any(mark in text for mark in ("..", "至", "到", "~", "～")):
        return _range(text)
    this_year = _THIS_YEARS_MONTH.fullmatch(text)
    if this_year is not None:
        return _month(today.year, int(this_year.group(1)))
    for pattern, span in _FORMS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        number = int(match.group(1))
        if not 2000 <= number <= 2100:
            return None
        if span is Span.YEAR:
            return Period(span, number)
        index = _CHINESE_DIGITS.get(match.group(2)) or int(match.group(2))
        limit = 12 if span is Span.MONTH else 4
        return Period(span, number, index) if 1 <= index <= limit else None
    return None

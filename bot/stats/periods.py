"""Reporting periods: a month, a quarter or a year, as secretaries name them.

Accepted: nothing or 本月 (this month), 上月, 本季度, 上季度, 本年/今年, 去年, ``2026-11``,
``2026年11月``, ``2026-Q4`` / ``2026Q4`` / ``2026年第四季度``, ``2026`` / ``2026年``. Everything
else is refused with the list of accepted forms. Periods are calendar periods in the
configured time zone, half open: [start, end).
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


@dataclass(frozen=True, order=True)
class Period:
    span: Span
    year: int
    index: int = 1
    """Month 1–12, quarter 1–4, or 1 for a year."""

    @property
    def start(self) -> date:
        month = {Span.MONTH: self.index, Span.QUARTER: 3 * self.index - 2, Span.YEAR: 1}
        return date(self.year, month[self.span], 1)

    @property
    def end(self) -> date:
        return self.next().start

    @property
    def key(self) -> str:
        """The compact form, e.g. 2026-11, 2026-Q4, 2026 (for file names and the CLI)."""
        if self.span is Span.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.span is Span.QUARTER:
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    def _shift(self, steps: int) -> Period:
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
        count = {Span.MONTH: 1, Span.QUARTER: 3, Span.YEAR: 12}[self.span]
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

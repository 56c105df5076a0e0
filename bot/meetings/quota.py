"""三会一课 against its quota: how many of each meeting a branch held in a period, how many
were due, and whether it is behind. Plain computation over periods and counts, no I/O.

《中国共产党支部工作条例（试行）》 asks for a 支部党员大会 once a quarter, a 支委会 once a
month, a 党小组会 once a month and a 党课 once a quarter; the 主题党日 is monthly. A month's
report counts the quarterly ones over the month's quarter (a 党课 held in October counts for
November's report too), since one month cannot owe a third of a meeting. A branch is behind
on a kind when it held fewer than the months (or quarters) of the window that have ended ask
for: the month under way is never held against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from bot.meetings.events import THEME_DAY, MeetingKind
from bot.stats.periods import Period, Span

QUOTA_KINDS: tuple[str, ...] = (
    MeetingKind.MEMBERS.value,
    MeetingKind.COMMITTEE.value,
    MeetingKind.GROUP.value,
    MeetingKind.LECTURE.value,
    THEME_DAY,
)
"""The kinds counted, in the order a report lists them (三会, 一课, then the theme day)."""


def months_per(kind: str) -> int:
    """How many months one meeting of ``kind`` is due in."""
    return MeetingKind(kind).months if kind != THEME_DAY else 1


def window(kind: str, period: Period) -> Period:
    """The period a kind is counted over for a report on ``period``: the period itself, or
    for a quarterly kind and a month, the month's quarter."""
    if months_per(kind) == 3 and period.span is Span.MONTH:
        return Period(Span.QUARTER, period.year, (period.index - 1) // 3 + 1)
    return period


def _parts(kind: str, counted: Period) -> list[tuple[date, date]]:
    """The months (or calendar quarters) the window touches, each as [start, end): one
    meeting of ``kind`` is due in each."""
    months = counted.months()
    if months_per(kind) == 1:
        return [(month.start, month.end) for month in months]
    quarters = {Period(Span.QUARTER, m.year, (m.index - 1) // 3 + 1) for m in months}
    return sorted((quarter.start, quarter.end) for quarter in quarters)


@dataclass(frozen=True)
class QuotaLine:
    kind: str
    done: int
    due: int
    """For the whole window."""
    due_so_far: int
    """For the months (or quarters) of the window that have ended by the report's day."""
    window: Period

    @property
    def behind(self) -> bool:
        return self.done < self.due_so_far


def quota_plan(period: Period, today: date) -> list[QuotaLine]:
    """What is due of each kind for a report on ``period`` made ``today`` (nothing done yet):
    the same for every branch, so a city's report computes it once."""
    lines = []
    for kind in QUOTA_KINDS:
        counted = window(kind, period)
        parts = _parts(kind, counted)
        lines.append(
            QuotaLine(
                kind=kind,
                done=0,
                due=len(parts),
                due_so_far=sum(1 for _, end in parts if end <= today),
                window=counted,
            )
        )
    return lines


def with_done(plan: list[QuotaLine], done: Mapping[str, int]) -> list[QuotaLine]:
    """The plan with ``done`` counting the meetings held in each kind's window."""
    return [replace(line, done=done.get(line.kind, 0)) for line in plan]


def quota_lines(period: Period, today: date, done: Mapping[str, int]) -> list[QuotaLine]:
    """One line per kind: ``done`` counts the meetings held in each kind's window."""
    return with_done(quota_plan(period, today), done)

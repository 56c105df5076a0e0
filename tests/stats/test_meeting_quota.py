"""三会一课 against the quota (bot/meetings/quota.py): which period each kind is counted over,
how many are due, and when a branch is behind — never for a month still under way."""

from __future__ import annotations

from datetime import date

from bot.meetings.quota import QUOTA_KINDS, QuotaLine, quota_lines
from bot.stats.periods import Period, Span

NOVEMBER = Period(Span.MONTH, 2026, 11)
Q4 = Period(Span.QUARTER, 2026, 4)


def _by_kind(lines: list[QuotaLine]) -> dict[str, tuple[int, int, int, Period]]:
    return {line.kind: (line.done, line.due, line.due_so_far, line.window) for line in lines}


def test_a_month_counts_the_quarterly_kinds_over_its_quarter() -> None:
    done = {"party_lecture": 1, "committee_meeting": 1}
    lines = _by_kind(quota_lines(NOVEMBER, date(2026, 12, 4), done))
    assert list(lines) == list(QUOTA_KINDS)
    assert lines["committee_meeting"] == (1, 1, 1, NOVEMBER)
    assert lines["group_meeting"] == (0, 1, 1, NOVEMBER)
    assert lines["theme_day"] == (0, 1, 1, NOVEMBER)
    # The quarter has not ended on 4 December: nothing quarterly is owed yet.
    assert lines["party_lecture"] == (1, 1, 0, Q4)
    assert lines["member_meeting"] == (0, 1, 0, Q4)


def test_behind_only_on_what_the_ended_months_ask_for() -> None:
    quarter = quota_lines(Q4, date(2026, 12, 4), {"committee_meeting": 1, "theme_day": 2})
    behind = {line.kind: (line.done, line.due_so_far) for line in quarter if line.behind}
    # October and November have ended: two 支委会 and two 党小组会 were due, one 支委会 held.
    assert behind == {"committee_meeting": (1, 2), "group_meeting": (0, 2)}
    assert {line.kind: line.due for line in quarter} == {
        "member_meeting": 1,
        "committee_meeting": 3,
        "group_meeting": 3,
        "party_lecture": 1,
        "theme_day": 3,
    }
    after = quota_lines(Q4, date(2027, 1, 1), {})
    assert all(line.behind and line.due_so_far == line.due for line in after)


def test_a_year_and_a_run_of_months() -> None:
    year = _by_kind(quota_lines(Period(Span.YEAR, 2026), date(2027, 2, 1), {}))
    assert year["member_meeting"][1:3] == (4, 4) and year["committee_meeting"][1:3] == (12, 12)
    run = Period(Span.RANGE, 2026, 9, 4)  # September to December
    lines = _by_kind(quota_lines(run, date(2026, 12, 4), {}))
    # Four months: four 支委会; the two calendar quarters it touches owe a 党课 each, and
    # the third quarter (September) has ended.
    assert lines["committee_meeting"][1:3] == (4, 3)
    assert lines["party_lecture"][1:3] == (2, 1)

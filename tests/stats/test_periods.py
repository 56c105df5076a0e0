"""Reporting periods: every accepted form, and nothing else, parses."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import ZH_CN
from bot.stats.periods import Period, Span, parse_period

TODAY = date(2026, 1, 15)


def test_relative_and_absolute_forms() -> None:
    assert parse_period(None, TODAY) == Period(Span.MONTH, 2026, 1)
    assert parse_period("上月", TODAY) == Period(Span.MONTH, 2025, 12)
    assert parse_period("本季度", TODAY) == Period(Span.QUARTER, 2026, 1)
    assert parse_period("上季度", TODAY) == Period(Span.QUARTER, 2025, 4)
    assert parse_period("去年", TODAY) == Period(Span.YEAR, 2025)
    assert parse_period("2026-11", TODAY) == Period(Span.MONTH, 2026, 11)
    assert parse_period("2026年3月", TODAY) == Period(Span.MONTH, 2026, 3)
    assert parse_period("2026-Q4", TODAY) == parse_period("2026年第四季度", TODAY)
    assert parse_period("2026", TODAY) == Period(Span.YEAR, 2026)
    assert parse_period("11月", TODAY) == Period(Span.MONTH, 2026, 11)
    assert parse_period("2026-09..2026-11", TODAY) == Period(Span.RANGE, 2026, 9, 3)
    assert parse_period("2025年11月至2026年2月", TODAY) == Period(Span.RANGE, 2025, 11, 4)
    for bad in ("2026-13", "2026-Q5", "2026-00", "1899", "明年", "13月", "2026-11..2026-09"):
        assert parse_period(bad, TODAY) is None, bad


def test_a_range_reads_and_shifts_as_months() -> None:
    autumn = Period(Span.RANGE, 2026, 9, 3)
    assert ZH_CN.period(autumn) == "2026年9月至11月" and autumn.key == "2026-09..2026-11"
    assert autumn.previous() == Period(Span.RANGE, 2026, 6, 3)
    assert [m.index for m in autumn.months()] == [9, 10, 11]
    assert ZH_CN.period(Period(Span.RANGE, 2025, 11, 4)) == "2025年11月至2026年2月"


PERIODS = st.one_of(
    st.builds(lambda y, m: Period(Span.MONTH, y, m), st.integers(2000, 2100), st.integers(1, 12)),
    st.builds(lambda y, q: Period(Span.QUARTER, y, q), st.integers(2000, 2100), st.integers(1, 4)),
    st.builds(lambda y: Period(Span.YEAR, y), st.integers(2000, 2100)),
    st.builds(
        lambda y, m, n: Period(Span.RANGE, y, m, n),
        st.integers(2000, 2096),
        st.integers(1, 12),
        st.integers(1, 36),
    ),
)


@given(PERIODS)
def test_every_period_reads_back_from_its_key_and_its_words(period: Period) -> None:
    assert parse_period(period.key, TODAY) == period
    assert parse_period(ZH_CN.period(period), TODAY) == period


def test_bounds_are_local_midnights() -> None:
    start, end = Period(Span.MONTH, 2026, 11).bounds(ZoneInfo("Asia/Shanghai"))
    assert start.isoformat() == "2026-10-31T16:00:00+00:00"
    assert end.isoformat() == "2026-11-30T16:00:00+00:00"
    assert Period(Span.QUARTER, 2026, 4).months()[-1] == Period(Span.MONTH, 2026, 12)


@given(st.text(max_size=20))
def test_any_text_is_a_period_or_none(text: str) -> None:
    period = parse_period(text, TODAY)
    assert period is None or period.start < period.end


@given(st.sampled_from(list(Span)), st.integers(2000, 2100), st.integers(1, 12))
def test_previous_and_next_are_inverse(span: Span, year: int, index: int) -> None:
    limit = {Span.MONTH: 12, Span.QUARTER: 4, Span.YEAR: 1, Span.RANGE: 12}[span]
    period = Period(span, year, min(index, limit))
    assert period.previous().next() == period
    assert period.previous().end == period.start
    assert parse_period(period.key, TODAY) == period

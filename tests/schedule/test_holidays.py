"""The holiday calendar and the holiday policy, on the real 2026 calendar and on made-up ones."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from bot.schedule import Adjustment, ChineseCalendar, HolidayPolicy, UnknownYearError
from bot.schedule.holidays import DeclaredCalendar, apply_policy, year_spans

from .conftest import FakeCalendar

CALENDAR = ChineseCalendar()


def test_agrees_with_the_package_functions_day_by_day() -> None:
    day = date(2024, 1, 1)
    while day.year <= 2026:
        official, name = chinese_calendar.get_holiday_detail(day)
        assert CALENDAR.is_workday(day) == chinese_calendar.is_workday(day)
        expected = chinese_calendar.Holiday(name).chinese if official and name else None
        assert CALENDAR.holiday(day) == expected, day
        day += timedelta(days=1)


def test_known_years_and_the_year_after() -> None:
    last = CALENDAR.known_years.stop - 1
    assert CALENDAR.known_years.start == 2004 and last >= 2026
    with pytest.raises(UnknownYearError, match=f"no holidays for {last + 1}"):
        CALENDAR.holiday(date(last + 1, 1, 4))
    with pytest.raises(NotImplementedError):  # what the package itself does
        chinese_calendar.is_workday(date(last + 1, 1, 4))


def test_national_day_2026() -> None:
    assert CALENDAR.holiday(date(2026, 10, 1)) == "国庆节"
    assert CALENDAR.holiday(date(2026, 10, 8)) is None
    assert CALENDAR.holiday(date(2026, 10, 10)) is None and CALENDAR.is_workday(date(2026, 10, 10))
    assert CALENDAR.holiday(date(2026, 10, 17)) is None  # an ordinary Saturday is no holiday


@pytest.mark.parametrize(
    ("policy", "held", "adjustment"),
    [
        (HolidayPolicy.MOVE, date(2026, 10, 8), Adjustment.MOVED),
        (HolidayPolicy.SKIP, None, Adjustment.SKIPPED),
        (HolidayPolicy.KEEP, date(2026, 10, 1), Adjustment.KEPT),
    ],
)
def test_a_theme_day_on_1_october(
    policy: HolidayPolicy, held: date | None, adjustment: Adjustment
) -> None:
    day, note = apply_policy(date(2026, 10, 1), date(2026, 11, 1), policy, CALENDAR)
    assert day == held
    assert note is not None and note.adjustment is adjustment and note.holiday == "国庆节"
    assert note.rule_date == date(2026, 10, 1)


def test_a_move_reaching_the_next_date_merges_into_it() -> None:
    day, note = apply_policy(date(2026, 10, 2), date(2026, 10, 8), HolidayPolicy.MOVE, CALENDAR)
    assert day is None and note is not None and note.adjustment is Adjustment.MERGED


def test_working_days_have_no_note() -> None:
    for policy in HolidayPolicy:
        assert apply_policy(date(2026, 12, 7), None, policy, CALENDAR) == (date(2026, 12, 7), None)


def test_an_unknown_year_keeps_the_date_with_a_warning() -> None:
    year = CALENDAR.known_years.stop
    for policy in (HolidayPolicy.MOVE, HolidayPolicy.SKIP):
        day, note = apply_policy(date(year, 10, 1), None, policy, CALENDAR)
        assert day == date(year, 10, 1)
        assert note is not None and note.adjustment is Adjustment.UNKNOWN
        assert note.warning is not None and str(year) in note.warning
    assert apply_policy(date(year, 10, 1), None, HolidayPolicy.KEEP, CALENDAR) == (
        date(year, 10, 1),
        None,
    )


def test_a_move_into_an_unknown_year_keeps_the_date() -> None:
    calendar = FakeCalendar({date(2026, 12, 31): "跨年"})
    day, note = apply_policy(date(2026, 12, 31), None, HolidayPolicy.MOVE, calendar)
    assert day == date(2026, 12, 31)
    assert note is not None and note.adjustment is Adjustment.UNKNOWN and note.holiday == "跨年"


def test_no_working_day_within_reach() -> None:
    calendar = FakeCalendar({date(2026, 3, 1) + timedelta(days=i): "长假" for i in range(40)})
    day, note = apply_policy(date(2026, 3, 2), None, HolidayPolicy.MOVE, calendar)
    assert day == date(2026, 3, 2)
    assert note is not None and note.adjustment is Adjustment.UNKNOWN
    assert note.warning == "no working day within 31 days after 2026-03-02"


def test_a_declared_year_until_the_package_knows_it() -> None:
    days_off = {date(2027, 10, 1) + timedelta(days=i): "国庆节" for i in range(8)}
    calendar = DeclaredCalendar(CALENDAR, days_off, [date(2027, 10, 9)])
    assert 2027 in calendar.known_years and 2004 in calendar.known_years
    assert calendar.holiday(date(2027, 10, 4)) == "国庆节"
    assert calendar.holiday(date(2027, 10, 11)) is None
    assert calendar.is_workday(date(2027, 10, 9))  # a 调休 Saturday
    assert not calendar.is_workday(date(2027, 10, 10))  # an ordinary Sunday
    # The first Monday is in the break; the next working day is the 调休 Saturday.
    day, note = apply_policy(date(2027, 10, 4), None, HolidayPolicy.MOVE, calendar)
    assert day == date(2027, 10, 9)
    assert note is not None and note.adjustment is Adjustment.MOVED
    # Other years are the package's; a year neither knows is still unknown.
    assert calendar.holiday(date(2026, 10, 1)) == "国庆节"
    with pytest.raises(UnknownYearError, match=r"schedules\.holidays"):
        calendar.holiday(date(2028, 10, 2))


def test_a_declared_year_replaces_the_packages() -> None:
    calendar = DeclaredCalendar(CALENDAR, {date(2026, 5, 1): "劳动节"}, [])
    assert calendar.holiday(date(2026, 10, 1)) is None
    assert calendar.is_workday(date(2026, 10, 1))
    assert year_spans({2004, 2005, 2006, 2027, 2029}) == "2004–2006、2027、2029"

"""Occurrences over windows of time, with the clock injected: theme days against the 2026
calendar and its holidays, reminders, nudges, 政治生日, other zones, and stable keys."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.org.tree import Kind
from bot.schedule import (
    Adjustment,
    LeapDay,
    Occurrence,
    OccurrenceKind,
    Schedule,
    ScheduleSettings,
    anniversary,
    standing_years,
)

from .conftest import NEW_YORK, SHANGHAI, FakeCalendar, at, utc
from .test_rules import FIRST_MONDAYS_2026, FIRST_MONDAYS_2027

THEME = {OccurrenceKind.THEME_DAY}
MEETINGS = {OccurrenceKind.THEME_DAY, OccurrenceKind.MEETING}


def schedule(zone: Any = SHANGHAI, calendar: Any = None, **sections: Any) -> Schedule:
    return Schedule(ScheduleSettings.model_validate(sections), zone, calendar)


def local(occurrences: list[Occurrence], zone: Any = SHANGHAI) -> list[str]:
    return [f"{o.occurs_at.astimezone(zone):%Y-%m-%d %H:%M} {o.key}" for o in occurrences]


def test_first_mondays_at_nine_with_the_clock_injected() -> None:
    clock = FixedClock(utc(2026, 1, 1))
    plan = schedule(theme_day={"on_holiday": "keep"}).branch("zb-001")
    found = plan.next_occurrences(clock.now(), 24, kinds=THEME)
    assert [o.occurs_at for o in found] == [
        at(SHANGHAI, d.year, d.month, d.day, 9) for d in FIRST_MONDAYS_2026 + FIRST_MONDAYS_2027
    ]
    assert found[0].occurs_at == utc(2026, 1, 5, 1)
    assert found[0].key == "theme_day/zb-001/2026-01-05"
    assert found[0].title == "主题党日" and found[0].branch_id == "zb-001"


def test_the_default_policy_moves_theme_days_off_2026_holidays() -> None:
    plan = schedule().branch("zb-001")
    found = plan.occurrences(utc(2026, 1, 1), utc(2027, 1, 1), kinds=THEME)
    moved = {o.rule_date: o for o in found if o.holiday is not None}
    assert set(moved) == {date(2026, 4, 6), date(2026, 5, 4), date(2026, 10, 5)}
    april, may, october = (moved[date(2026, m, d)] for m, d in [(4, 6), (5, 4), (10, 5)])
    assert april.occurs_at == at(SHANGHAI, 2026, 4, 7, 9) and april.holiday is not None
    assert april.holiday.holiday == "清明"
    assert may.occurs_at == at(SHANGHAI, 2026, 5, 6, 9) and may.holiday is not None
    assert may.holiday.adjustment is Adjustment.MOVED and may.holiday.holiday == "劳动节"
    assert october.occurs_at == at(SHANGHAI, 2026, 10, 8, 9)
    assert october.key == "theme_day/zb-001/2026-10-05"  # keyed by the rule's date


@pytest.mark.parametrize(
    ("policy", "held", "adjustment"),
    [
        ("move", date(2026, 10, 8), Adjustment.MOVED),
        ("skip", None, Adjustment.SKIPPED),
        ("keep", date(2026, 10, 1), Adjustment.KEPT),
    ],
)
def test_a_theme_day_on_1_october(policy: str, held: date | None, adjustment: Adjustment) -> None:
    plan = schedule(theme_day={"rule": "每月1日", "on_holiday": policy}).branch("zb-001")
    window = (utc(2026, 9, 20), utc(2026, 10, 20))
    due = plan.occurrences(*window, kinds=THEME)
    listed = plan.occurrences(*window, kinds=THEME, include_skipped=True)
    assert len(listed) == 1 and listed[0].holiday is not None
    assert listed[0].holiday.adjustment is adjustment and listed[0].holiday.holiday == "国庆节"
    if held is None:
        assert due == [] and listed[0].skipped
        assert listed[0].occurs_at == at(SHANGHAI, 2026, 10, 1, 9)
        assert plan.reminders(listed[0]) == []
        assert plan.occurrences(*window, kinds={OccurrenceKind.REMINDER}) == []
    else:
        assert due == listed and due[0].occurs_at == at(
            SHANGHAI, held.year, held.month, held.day, 9
        )


def test_reminders_default_to_the_evening_before_and_the_morning_of() -> None:
    plan = schedule(theme_day={"place": "党员活动室", "topic": "学习党章"}).branch("zb-001")
    found = plan.occurrences(utc(2026, 12, 1), utc(2026, 12, 8))
    assert local(found) == [
        "2026-12-06 18:00 theme_day/zb-001/2026-12-07/-1d@18:00",
        "2026-12-07 08:00 theme_day/zb-001/2026-12-07/0d@08:00",
        "2026-12-07 09:00 theme_day/zb-001/2026-12-07",
    ]
    reminder, event = found[0], found[2]
    assert reminder.kind is OccurrenceKind.REMINDER and reminder.parent == event
    assert reminder.event is event and event.event is event
    assert reminder.offset == "-1d@18:00" and reminder.place == "党员活动室"
    assert reminder.occurs_at == utc(2026, 12, 6, 10)
    assert plan.reminders(event) == found[:2]


def test_reminders_follow_a_moved_day() -> None:
    plan = schedule().branch("zb-001")
    found = plan.occurrences(utc(2026, 10, 4), utc(2026, 10, 9), kinds={OccurrenceKind.REMINDER})
    assert local(found) == [
        "2026-10-07 18:00 theme_day/zb-001/2026-10-05/-1d@18:00",
        "2026-10-08 08:00 theme_day/zb-001/2026-10-05/0d@08:00",
    ]


def test_the_day_before_reminder_crosses_a_month_boundary() -> None:
    plan = schedule(theme_day={"rule": "每月1日", "on_holiday": "keep"}).branch("zb-001")
    november = plan.occurrences(
        utc(2026, 11, 2), at(SHANGHAI, 2026, 12, 1), kinds={OccurrenceKind.REMINDER}
    )
    assert local(november) == ["2026-11-30 18:00 theme_day/zb-001/2026-12-01/-1d@18:00"]
    march = plan.occurrences(at(SHANGHAI, 2027, 2, 28), at(SHANGHAI, 2027, 3, 2))
    assert local(march)[0] == "2027-02-28 18:00 theme_day/zb-001/2027-03-01/-1d@18:00"
    new_year = plan.occurrences(at(SHANGHAI, 2026, 12, 31), at(SHANGHAI, 2027, 1, 1, 8))
    assert local(new_year) == ["2026-12-31 18:00 theme_day/zb-001/2027-01-01/-1d@18:00"]


def test_windows_are_half_open_and_tile_without_duplicates() -> None:
    plan = schedule(study_day={"enabled": True}).branch("zb-001")
    nine = utc(2026, 12, 7, 1)  # 09:00 in Shanghai
    assert [o.key for o in plan.occurrences(nine, nine + timedelta(minutes=1))] == [
        "theme_day/zb-001/2026-12-07"
    ]
    assert plan.occurrences(nine - timedelta(minutes=1), nine) == []
    straddling = plan.occurrences(nine - timedelta(minutes=30), nine + timedelta(minutes=30))
    assert [o.occurs_at for o in straddling] == [nine]
    start, end = utc(2026, 11, 1), utc(2027, 3, 1)
    whole = plan.occurrences(start, end)
    pieces, cut = [], start
    while cut < end:
        step = min(cut + timedelta(hours=7, minutes=13), end)
        pieces += plan.occurrences(cut, step)
        cut = step
    assert pieces == whole and len({o.key for o in whole}) == len(whole)


def test_the_quiz_nudge_n_days_before_month_end() -> None:
    plan = schedule(quiz_nudge={"days_before_month_end": 3}).branch("zb-001")
    kinds = {OccurrenceKind.QUIZ_NUDGE}
    found = plan.occurrences(utc(2026, 1, 1), utc(2026, 4, 1), kinds=kinds)
    assert local(found) == [
        "2026-01-28 10:00 quiz_nudge/zb-001/2026-01",
        "2026-02-25 10:00 quiz_nudge/zb-001/2026-02",
        "2026-03-28 10:00 quiz_nudge/zb-001/2026-03",
    ]
    last_day = schedule(quiz_nudge={"days_before_month_end": 0, "time": "20:00"}).branch("b")
    assert local(last_day.occurrences(utc(2028, 2, 1), utc(2028, 3, 1), kinds=kinds)) == [
        "2028-02-29 20:00 quiz_nudge/b/2028-02"
    ]
    assert (
        schedule(quiz_nudge={"enabled": False})
        .branch("b")
        .occurrences(utc(2026, 1, 1), utc(2027, 1, 1), kinds=kinds)
        == []
    )


def test_the_study_day_is_on_for_organ_branches_by_default() -> None:
    plan = schedule()
    kinds = {OccurrenceKind.STUDY_DAY}
    window = (utc(2026, 12, 1), utc(2027, 1, 1))
    organ = plan.branch("zb-001", Kind.ORGAN).occurrences(*window, kinds=kinds)
    assert [o.occurs_at.astimezone(SHANGHAI).day for o in organ] == [4, 11, 18, 25]
    assert organ[0].occurs_at == at(SHANGHAI, 2026, 12, 4, 15) and organ[0].title == "固定学习日"
    assert plan.branch("zb-002", Kind.VILLAGE).occurrences(*window, kinds=kinds) == []
    assert plan.branch("zb-003").occurrences(*window, kinds=kinds) == []
    # 国庆 Friday 2 October is skipped by the study day's default policy.
    october = plan.branch("zb-001", Kind.ORGAN).occurrences(
        utc(2026, 9, 28), utc(2026, 10, 12), kinds=kinds, include_skipped=True
    )
    assert [(o.rule_date.day, o.skipped) for o in october] == [(2, True), (9, False)]


def test_meetings_and_monthly_topics() -> None:
    plan = schedule(
        theme_day={"topic": "学习党章", "topics": {"2026-12": "学习二十大精神"}},
        meetings={
            "lecture": {"title": "党课", "rule": "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=-1TH"},
            "old": {"title": "旧会", "rule": "每周一", "enabled": False},
        },
    ).branch("zb-001")
    found = plan.occurrences(utc(2026, 12, 1), utc(2027, 2, 1), kinds=MEETINGS)
    assert [(o.key, o.title, o.topic) for o in found] == [
        ("theme_day/zb-001/2026-12-07", "主题党日", "学习二十大精神"),
        ("theme_day/zb-001/2027-01-04", "主题党日", "学习党章"),
        ("meetings.lecture/zb-001/2027-01-28", "党课", ""),
    ]


def test_until_and_starts_bound_a_rule() -> None:
    plan = schedule(
        theme_day={"starts": "2026-03-01", "until": "2026-05-31", "on_holiday": "keep"}
    ).branch("zb-001")
    found = plan.next_occurrences(utc(2026, 1, 1), 10, kinds=THEME)
    assert [o.rule_date for o in found] == [date(2026, m, d) for m, d in [(3, 2), (4, 6), (5, 4)]]


def test_a_year_the_holiday_calendar_does_not_know() -> None:
    plan = schedule(calendar=FakeCalendar()).branch("zb-001")
    found = plan.occurrences(utc(2027, 9, 30), utc(2027, 10, 5))
    event = found[-1]
    assert event.occurs_at == at(SHANGHAI, 2027, 10, 4, 9)  # kept where the rule puts it
    assert event.holiday is not None and event.holiday.adjustment is Adjustment.UNKNOWN
    assert event.holiday.warning == "no data for 2027" and not event.skipped
    assert [o.kind for o in found] == [OccurrenceKind.REMINDER] * 2 + [OccurrenceKind.THEME_DAY]


def test_another_zone_with_daylight_saving_time() -> None:
    plan = schedule(NEW_YORK, theme_day={"on_holiday": "keep", "reminders": ["-1d@18:00", "-2h"]})
    kinds = {OccurrenceKind.THEME_DAY, OccurrenceKind.REMINDER}
    found = plan.branch("ny").occurrences(utc(2026, 2, 20), utc(2026, 4, 10), kinds=kinds)
    assert [o.occurs_at for o in found] == [
        utc(2026, 3, 1, 23),  # 18:00 EST
        utc(2026, 3, 2, 12),  # 07:00 EST
        utc(2026, 3, 2, 14),  # 09:00 EST
        utc(2026, 4, 5, 22),  # 18:00 EDT
        utc(2026, 4, 6, 11),  # 07:00 EDT
        utc(2026, 4, 6, 13),  # 09:00 EDT
    ]
    # Clocks go back on 1 November: 09:00 on 2 November is 14:00 UTC again.
    november = plan.branch("ny").occurrences(utc(2026, 11, 1), utc(2026, 11, 3), kinds=THEME)
    assert [o.occurs_at for o in november] == [utc(2026, 11, 2, 14)]


def test_a_time_in_the_spring_gap_happens_an_hour_later() -> None:
    plan = schedule(
        NEW_YORK,
        theme_day={"rule": "FREQ=MONTHLY;BYMONTHDAY=8", "time": "02:30", "on_holiday": "keep"},
    ).branch("ny")
    [event] = plan.occurrences(utc(2026, 3, 8), utc(2026, 3, 9), kinds=THEME)
    assert event.occurs_at == utc(2026, 3, 8, 7, 30)
    assert f"{event.occurs_at.astimezone(NEW_YORK):%H:%M}" == "03:30"


def test_political_birthday_dates_and_standing() -> None:
    leap = date(2004, 2, 29)
    assert anniversary(leap, 2026) == date(2026, 2, 28)
    assert anniversary(leap, 2026, LeapDay.MAR_1) == date(2026, 3, 1)
    assert anniversary(leap, 2028) == date(2028, 2, 29)
    assert anniversary(date(1998, 7, 1), 2026) == date(2026, 7, 1)
    assert standing_years(leap, date(2026, 2, 27)) == 21
    assert standing_years(leap, date(2026, 2, 28)) == 22
    assert standing_years(leap, date(2026, 2, 28), LeapDay.MAR_1) == 21
    assert standing_years(date(2026, 5, 1), date(2026, 4, 1)) == 0


def test_political_birthday_greeting_and_notice_on_29_february() -> None:
    plan = schedule().branch("zb-001")
    found = plan.political_birthdays(42, date(2004, 2, 29), utc(2026, 1, 1), utc(2029, 1, 1))
    assert [(o.kind.value, o.years, o.key) for o in found] == [
        ("birthday_notice", 22, "political_birthday/member-42/2026/notice"),
        ("political_birthday", 22, "political_birthday/member-42/2026"),
        ("birthday_notice", 23, "political_birthday/member-42/2027/notice"),
        ("political_birthday", 23, "political_birthday/member-42/2027"),
        ("birthday_notice", 24, "political_birthday/member-42/2028/notice"),
        ("political_birthday", 24, "political_birthday/member-42/2028"),
    ]
    assert [f"{o.occurs_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" for o in found] == [
        "2026-02-21 09:00",
        "2026-02-28 09:00",
        "2027-02-21 09:00",
        "2027-02-28 09:00",
        "2028-02-22 09:00",
        "2028-02-29 09:00",
    ]
    assert found[0].parent == found[1] and found[0].member_id == 42


def test_political_birthday_settings() -> None:
    plan = schedule(
        political_birthday={"leap_day": "mar1", "notice_days": None, "time": "08:00"}
    ).branch("zb-001")
    found = plan.political_birthdays(7, date(2004, 2, 29), utc(2027, 1, 1), utc(2028, 1, 1))
    assert local(found) == ["2027-03-01 08:00 political_birthday/member-7/2027"]
    # No greeting for the year of joining; a notice can fall in the previous year.
    plan = schedule(political_birthday={"notice_days": 7}).branch("zb-001")
    joined = date(2025, 1, 3)
    found = plan.political_birthdays(8, joined, utc(2025, 1, 1), utc(2026, 1, 1))
    assert local(found) == ["2025-12-27 09:00 political_birthday/member-8/2026/notice"]
    off = schedule(political_birthday={"enabled": False}).branch("zb-001")
    assert off.political_birthdays(8, joined, utc(2025, 1, 1), utc(2030, 1, 1)) == []


def test_keys_are_stable_across_rebuilds_and_harmless_changes() -> None:
    window = (utc(2026, 9, 1), utc(2027, 1, 1))

    def keys(**sections: Any) -> list[str]:
        return [o.key for o in schedule(**sections).branch("zb-001").occurrences(*window)]

    base = keys()
    assert base == keys()  # a restart or reload computes the same keys
    assert base == keys(theme_day={"rule": "每月第一个星期一", "time": "14:00", "place": "礼堂"})
    assert base == keys(quiz_nudge={"days_before_month_end": 5})
    held_on_holiday = keys(theme_day={"on_holiday": "keep"})
    assert held_on_holiday == base  # same keys: moving the 国庆 theme day does not rename it
    other_rule = keys(theme_day={"rule": "FREQ=MONTHLY;BYDAY=1TU"})
    assert (
        "theme_day/zb-001/2026-10-06" in other_rule
        and "theme_day/zb-001/2026-10-05" not in other_rule
    )
    later = keys(theme_day={"reminders": ["-1d@19:00", "0d@08:00"]})
    days = ("2026-09-07", "2026-10-05", "2026-11-02", "2026-12-07")
    assert set(later) - set(base) == {f"theme_day/zb-001/{d}/-1d@19:00" for d in days}


def test_many_branches_at_once_match_one_by_one() -> None:
    plan = schedule(branches={"zb-002": {"theme_day": {"rule": "每月15日"}}})
    branches = [
        ("zb-001", Kind.ORGAN),
        ("zb-002", Kind.VILLAGE),
        ("zb-003", None),
        ("zb-004", Kind.ORGAN),
    ]
    window = (utc(2026, 11, 1), utc(2027, 2, 1))
    together = plan.occurrences(branches, *window)
    one_by_one = [o for b, k in branches for o in plan.branch(b, k).occurrences(*window)]
    assert together == sorted(one_by_one, key=lambda o: (o.occurs_at, o.key))
    assert {o.key for o in together if o.rule_date == date(2026, 11, 15) and o.kind in THEME} == {
        "theme_day/zb-002/2026-11-15"
    }
    moved = dataclasses.replace(together[0].for_branch("zb-009"))
    assert moved.key.startswith(together[0].rule_key) and "zb-009" in moved.key


def test_next_occurrences_stop_at_the_count_or_the_horizon() -> None:
    plan = schedule(theme_day={"until": "2026-12-31"}, quiz_nudge={"enabled": False})
    found = plan.branch("zb-001").next_occurrences(utc(2026, 11, 3), 100, kinds=THEME)
    assert [o.rule_date for o in found] == [date(2026, 12, 7)]
    assert len(plan.branch("zb-001").next_occurrences(utc(2026, 11, 3), 2)) == 2


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        schedule().branch("zb-001").occurrences(datetime(2026, 1, 1), utc(2026, 2, 1))


@settings(max_examples=300, deadline=None)
@given(
    joined=st.dates(date(1950, 1, 1), date(2026, 12, 31)),
    start=st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)),
    length=st.sampled_from([timedelta(seconds=30), timedelta(hours=6), timedelta(days=3)]),
    notice_days=st.one_of(st.none(), st.integers(1, 60)),
    village_notice_days=st.integers(1, 60),
    leap_day=st.sampled_from(list(LeapDay)),
)
def test_the_anniversaries_in_reach_miss_no_greeting_or_notice(
    joined: date,
    start: datetime,
    length: timedelta,
    notice_days: int | None,
    village_notice_days: int,
    leap_day: LeapDay,
) -> None:
    """The scheduler asks the database only for members with these anniversaries: any
    member left out must have nothing due in the window."""
    plans = schedule(
        political_birthday={"notice_days": notice_days, "leap_day": leap_day.value},
        kinds={"村": {"political_birthday": {"notice_days": village_notice_days}}},
    )
    end = start + length
    reach = plans.anniversaries_in_reach(start, end)
    assert reach is not None
    for kind in (Kind.VILLAGE, Kind.ORGAN):
        if plans.branch("zb-001", kind).political_birthdays(1, joined, start, end):
            assert joined.strftime("%m-%d") in reach
    assert plans.anniversaries_in_reach(start, start + timedelta(days=366)) is None


def test_the_makeup_follows_the_theme_day_it_belongs_to() -> None:
    """补课 the day after at 09:00 by default, after the day the theme day is really held (a
    moved one's too), keyed under it; configurable, or none; none for the study day."""
    makeups = {OccurrenceKind.MAKEUP}
    plan = schedule().branch("zb-001", Kind.ORGAN)
    # The window starts after the theme day: its 补课 is found all the same.
    found = plan.occurrences(utc(2026, 12, 7, 12), utc(2026, 12, 9), kinds=makeups)
    assert local(found) == ["2026-12-08 09:00 theme_day/zb-001/2026-12-07/makeup"]
    (makeup,) = found
    assert makeup.parent is not None and makeup.parent.key == "theme_day/zb-001/2026-12-07"
    assert makeup.title == "补课：主题党日" and makeup.event is makeup.parent
    moved = plan.occurrences(utc(2026, 10, 1), utc(2026, 10, 31), kinds=makeups)
    assert local(moved) == ["2026-10-09 09:00 theme_day/zb-001/2026-10-05/makeup"]
    soon = schedule(theme_day={"makeup": "+3h"}).branch("zb-001")
    found = soon.occurrences(utc(2026, 12, 1), utc(2026, 12, 31), kinds=makeups)
    assert local(found) == ["2026-12-07 12:00 theme_day/zb-001/2026-12-07/makeup"]
    never = schedule(theme_day={"makeup": None}).branch("zb-001")
    assert never.occurrences(utc(2026, 12, 1), utc(2026, 12, 31), kinds=makeups) == []

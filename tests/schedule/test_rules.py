"""Recurrence rules against real calendars, their canonical text, and every refusal."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from dateutil.rrule import rrulestr

from bot.schedule import RuleError, parse_rule
from bot.schedule.rules import Freq

ANCHOR = date(2000, 1, 3)

FIRST_MONDAYS_2026 = [
    date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 6),
    date(2026, 5, 4), date(2026, 6, 1), date(2026, 7, 6), date(2026, 8, 3),
    date(2026, 9, 7), date(2026, 10, 5), date(2026, 11, 2), date(2026, 12, 7),
]  # fmt: skip
FIRST_MONDAYS_2027 = [
    date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 5),
    date(2027, 5, 3), date(2027, 6, 7), date(2027, 7, 5), date(2027, 8, 2),
    date(2027, 9, 6), date(2027, 10, 4), date(2027, 11, 1), date(2027, 12, 6),
]  # fmt: skip
LAST_FRIDAYS_2026 = [
    date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24),
    date(2026, 5, 29), date(2026, 6, 26), date(2026, 7, 31), date(2026, 8, 28),
    date(2026, 9, 25), date(2026, 10, 30), date(2026, 11, 27), date(2026, 12, 25),
]  # fmt: skip


def year(text: str, y: int, anchor: date = ANCHOR) -> list[date]:
    return list(parse_rule(text).dates(date(y, 1, 1), date(y + 1, 1, 1), anchor))


@pytest.mark.parametrize("text", ["FREQ=MONTHLY;BYDAY=1MO", "每月第一个星期一", "每月首个星期一"])
def test_first_mondays_of_2026_and_2027(text: str) -> None:
    assert year(text, 2026) == FIRST_MONDAYS_2026
    assert year(text, 2027) == FIRST_MONDAYS_2027


@pytest.mark.parametrize("text", ["FREQ=MONTHLY;BYDAY=-1FR", "每月最后一个星期五"])
def test_last_fridays_of_2026(text: str) -> None:
    assert year(text, 2026) == LAST_FRIDAYS_2026


def test_day_31_skips_the_months_that_have_no_31st() -> None:
    # RFC 5545: a BYMONTHDAY that a month does not have produces nothing in that month.
    assert [d.month for d in year("FREQ=MONTHLY;BYMONTHDAY=31", 2026)] == [1, 3, 5, 7, 8, 10, 12]


def test_last_day_of_the_month_counts_from_the_end() -> None:
    assert [d.day for d in year("每月最后一天", 2028)][:3] == [31, 29, 31]
    assert year("FREQ=MONTHLY;BYMONTHDAY=-1", 2026)[1] == date(2026, 2, 28)


def test_fifth_monday_occurs_only_in_months_that_have_one() -> None:
    assert year("FREQ=MONTHLY;BYDAY=5MO", 2026) == [
        date(2026, 3, 30),
        date(2026, 6, 29),
        date(2026, 8, 31),
        date(2026, 11, 30),
    ]


def test_every_friday() -> None:
    rule = parse_rule("每周五")
    assert str(rule) == "FREQ=WEEKLY;BYDAY=FR"
    assert list(rule.dates(date(2026, 1, 1), date(2026, 2, 1), ANCHOR)) == [
        date(2026, 1, 2),
        date(2026, 1, 9),
        date(2026, 1, 16),
        date(2026, 1, 23),
        date(2026, 1, 30),
    ]


def test_day_of_the_month_and_yearly_rules() -> None:
    assert year("每月15号", 2026) == [date(2026, m, 15) for m in range(1, 13)]
    assert year("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=1", 2026) == [date(2026, 7, 1)]
    # With BYMONTH, a yearly ordinal counts within the month (first Monday of March, July).
    assert year("FREQ=YEARLY;BYMONTH=3,7;BYDAY=1MO", 2026) == [date(2026, 3, 2), date(2026, 7, 6)]


def test_quarterly_last_thursday_and_last_working_weekday() -> None:
    quarterly = year("FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=-1TH", 2026)
    assert quarterly == [
        date(2026, 1, 29),
        date(2026, 4, 30),
        date(2026, 7, 30),
        date(2026, 10, 29),
    ]
    weekdays = year("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", 2026)
    assert weekdays[:3] == [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 31)]
    assert weekdays[7] == date(2026, 8, 31)  # a Monday


def test_interval_counts_from_the_anchor_whatever_the_window() -> None:
    rule = parse_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")
    anchor = date(2026, 1, 2)
    fortnightly = [date(2026, 1, 2), date(2026, 1, 16), date(2026, 1, 30), date(2026, 2, 13)]
    assert list(rule.dates(date(2025, 12, 1), date(2026, 2, 14), anchor)) == fortnightly
    assert list(rule.dates(date(2026, 1, 10), date(2026, 2, 14), anchor)) == fortnightly[1:]
    quarterly = parse_rule("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO")
    months = [
        d.month for d in quarterly.dates(date(2026, 1, 1), date(2027, 1, 1), date(2025, 10, 9))
    ]
    assert months == [1, 4, 7, 10]


def test_nothing_before_the_anchor() -> None:
    rule = parse_rule("FREQ=MONTHLY;BYDAY=1MO")
    assert list(rule.dates(date(2026, 1, 1), date(2026, 4, 1), date(2026, 2, 3))) == [
        date(2026, 3, 2)
    ]


def test_agrees_with_dateutil_evaluating_the_whole_rule_from_the_anchor() -> None:
    for text, anchor in [
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,FR", date(2025, 11, 19)),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31", date(2025, 3, 31)),
        ("FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYDAY=-1MO", date(2023, 5, 5)),
        ("FREQ=MONTHLY;BYDAY=MO,WE;BYSETPOS=2,-1", date(2026, 1, 1)),
    ]:
        rule = parse_rule(text)
        start, end = datetime(2026, 2, 1), datetime(2028, 1, 1)
        native = rrulestr(f"{text};WKST=MO", dtstart=datetime.combine(anchor, datetime.min.time()))
        expected = [moment.date() for moment in native.between(start, end, inc=True)]
        assert list(rule.dates(start.date(), end.date(), anchor)) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("rrule:freq=monthly; byday=+1mo", "FREQ=MONTHLY;BYDAY=1MO"),
        ("FREQ=MONTHLY;BYDAY=FR,MO;INTERVAL=1;", "FREQ=MONTHLY;BYDAY=MO,FR"),
        ("BYMONTHDAY=15,1;FREQ=MONTHLY;BYMONTH=10,4", "FREQ=MONTHLY;BYMONTH=4,10;BYMONTHDAY=1,15"),
        ("每月倒数第二个周三", "FREQ=MONTHLY;BYDAY=-2WE"),
        ("每 周 日", "FREQ=WEEKLY;BYDAY=SU"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    assert str(parse_rule(text)) == canonical
    assert parse_rule(canonical) == parse_rule(text)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("FREQ=MONTHLY;BYDAY=1MO", "每月第一个星期一"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "每月最后一个星期五"),
        ("FREQ=MONTHLY;BYDAY=-2WE", "每月倒数第二个星期三"),
        ("FREQ=WEEKLY;BYDAY=MO,FR", "每周一、五"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "每月15日"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "每月最后一天"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO"),
    ],
)
def test_description_in_chinese(text: str, description: str) -> None:
    assert parse_rule(text).describe() == description


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FREQ=MONTHLY;BYDAY=9MO", "BYDAY=9MO: a month has at most 5 Mondays"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY=0MO: a month has at most 5 Mondays"),
        ("FREQ=WEEKLY;BYDAY=1MO", "ordinals such as 1MO need FREQ=MONTHLY"),
        ("FREQ=WEEKLY", "FREQ=WEEKLY needs BYDAY"),
        ("FREQ=MONTHLY", "FREQ=MONTHLY needs BYDAY (e.g. 1MO) or BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTHDAY=1", "FREQ=YEARLY needs BYMONTH"),
        ("FREQ=DAILY", "FREQ=DAILY is not supported"),
        ("BYDAY=MO", "FREQ is missing"),
        ("", "FREQ is missing"),
        ("FREQ=MONTHLY;BYDAY=1MO;COUNT=3", "COUNT is not supported (use starts/until"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", "the time of day is the time setting"),
        ("FREQ=MONTHLY;BYDAY=1MO;WKST=SU", "WKST is not supported"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=MONTHLY;BYDAY", "'BYDAY' is not NAME=VALUE"),
        ("FREQ=MONTHLY;BYDAY=", "BYDAY has no value"),
        ("FREQ=MONTHLY;BYDAY=XX", "XX is not a weekday"),
        ("FREQ=MONTHLY;BYDAY=1MO,", "(empty) is not a weekday"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0: 0 is not 1..31 or -31..-1"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "32 is not 1..31"),
        ("FREQ=MONTHLY;BYMONTH=13;BYDAY=1MO", "BYMONTH=13: 13 is not 1..12"),
        ("FREQ=MONTHLY;INTERVAL=0;BYDAY=1MO", "INTERVAL=0: 0 is not 1..99"),
        ("FREQ=MONTHLY;INTERVAL=1,2;BYDAY=1MO", "INTERVAL takes one number"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1", "use either BYDAY or BYMONTHDAY"),
        ("FREQ=WEEKLY;BYDAY=MO;BYMONTHDAY=1", "BYMONTHDAY needs FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "BYMONTHDAY=30 never falls in BYMONTH=2"),
        ("FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31", "never falls in BYMONTH=4,6"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1", "BYSETPOS needs BYDAY with plain weekdays"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "BYSETPOS must be 1..1 or -1..-1 here"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", "BYSETPOS must be 1..4"),
        ("FREQ=MONTHLY;BYDAY=MO,1TU", "BYDAY cannot mix plain weekdays (MO) with ordinals"),
        ("每月第六个星期一", "not a rule I know"),
        ("每月32日", "a month has days 1..31"),
        ("FREQ=MONTHLY;BYDAY=1MO\x00", "contains a control character"),
        ("\ud800=", "an unpaired surrogate"),
    ],
)
def test_refusals_say_why(text: str, message: str) -> None:
    with pytest.raises(RuleError) as raised:
        parse_rule(text)
    assert message in str(raised.value)


def test_a_rule_that_never_meets_its_interval_has_no_first_date() -> None:
    # 29 February every four years counted from 2025: 2025, 2029, … are never leap years.
    rule = parse_rule("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29")
    assert rule.first_date(date(2025, 1, 1)) is None
    assert rule.first_date(date(2028, 1, 1)) == date(2028, 2, 29)
    assert rule.freq is Freq.YEARLY

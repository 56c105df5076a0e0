"""Random input for the notation parsers: never a crash, always a valid value or a reason.

Strategies build text from the grammar's own pieces as well as from arbitrary characters, so
that most examples get past the first check and exercise the deeper ones."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule import (
    NotationError,
    RuleError,
    Schedule,
    ScheduleSettings,
    load_schedules,
    parse_clock,
    parse_offset,
)
from bot.schedule import parse_rule as parse
from bot.yamlfile import parse_located

from .conftest import SHANGHAI, utc

TEXT = st.text(st.characters(codec="utf-8"), max_size=40)

NUMBER = st.one_of(st.integers(-400, 400).map(str), st.sampled_from(["", "+", "-", "00", "1e3"]))
CLOCK = st.builds(
    lambda h, sep, m: f"{h}{sep}{m}",
    st.one_of(st.integers(0, 30).map(str), st.just("")),
    st.sampled_from([":", "：", ".", ""]),
    st.one_of(st.integers(0, 70).map(lambda m: f"{m:02d}"), st.just("5")),
)
OFFSET = st.one_of(
    st.builds(lambda n, c: f"{n}d@{c}", NUMBER, CLOCK),
    st.builds(
        lambda sign, h, m: f"{sign}{h}{m}",
        st.sampled_from(["", "+", "-", "--"]),
        st.one_of(st.just(""), NUMBER.map(lambda n: f"{n}h")),
        st.one_of(st.just(""), NUMBER.map(lambda n: f"{n}m")),
    ),
    TEXT,
)

DAY = st.builds(
    lambda n, d: f"{n}{d}",
    st.sampled_from(["", "", "1", "-1", "2", "5", "-5", "6", "+3", "0"]),
    st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"]),
)
PART = st.one_of(
    st.sampled_from(["FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=DAILY"]),
    st.lists(DAY, min_size=1, max_size=4).map(lambda ds: "BYDAY=" + ",".join(ds)),
    st.lists(st.integers(-33, 33), min_size=1, max_size=3).map(
        lambda ns: "BYMONTHDAY=" + ",".join(map(str, ns))
    ),
    st.lists(st.integers(0, 13), min_size=1, max_size=3).map(
        lambda ns: "BYMONTH=" + ",".join(map(str, ns))
    ),
    st.lists(st.integers(-30, 30), min_size=1, max_size=2).map(
        lambda ns: "BYSETPOS=" + ",".join(map(str, ns))
    ),
    st.integers(0, 5).map(lambda n: f"INTERVAL={n}"),
    st.sampled_from(["COUNT=3", "UNTIL=20270101", "WKST=SU", "BYHOUR=9", "X", "=", ""]),
)
RULE = st.one_of(
    st.builds(
        lambda freq, parts: ";".join([freq, *parts]),
        st.sampled_from(["FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY"]),
        st.lists(PART, max_size=4),
    ),
    st.lists(PART, max_size=5).map(";".join),
    st.builds(
        lambda head, nth, day: f"每月{head}{nth}{day}",
        st.sampled_from(["", "的"]),
        st.sampled_from(["第一个", "第6个", "最后一个", "倒数第二个", "首个", "15日", "32号"]),
        st.sampled_from(["", "星期一", "周日", "礼拜八"]),
    ),
    TEXT,
)


@given(CLOCK | TEXT)
def test_clock_parser_never_crashes(text: str) -> None:
    try:
        value = parse_clock(text)
    except NotationError:
        return
    assert parse_clock(f"{value.hour:02d}:{value.minute:02d}") == value


@given(OFFSET)
def test_offset_parser_gives_a_round_tripping_value_or_a_reason(text: str) -> None:
    try:
        offset = parse_offset(text)
    except NotationError as error:
        assert str(error)
        return
    assert parse_offset(str(offset)) == offset


@given(RULE)
@settings(max_examples=300, deadline=None)
def test_rule_parser_gives_a_usable_rule_or_a_reason(text: str) -> None:
    try:
        rule = parse(text)
    except RuleError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert parse(str(rule)) == rule
    anchor = date(2025, 11, 17)
    first = rule.first_date(anchor)
    if rule.interval == 1:
        assert first is not None  # only INTERVAL rules need the anchor to be checked
    if first is None:
        return
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    dates = list(rule.dates(start, end, anchor))
    native = rrulestr(f"{rule};WKST=MO", dtstart=datetime.combine(anchor, datetime.min.time()))
    moments = native.between(datetime(2026, 1, 1), datetime(2026, 12, 31, 23), inc=True)
    assert dates == [moment.date() for moment in moments]
    assert dates == sorted(set(dates)) and all(start <= d < end for d in dates)


@given(RULE.filter(str.isprintable), st.integers(0, 3))
@settings(max_examples=150, deadline=None)
def test_a_rule_in_config_is_valid_or_a_positioned_problem(text: str, padding: int) -> None:
    quoted = json.dumps(text, ensure_ascii=False)
    yaml_text = "\n" * padding + f"schedules:\n  theme_day:\n    rule: {quoted}\n"
    settings_, problems = load_schedules(parse_located(yaml_text, "config.yaml"))
    if settings_ is not None and not problems:
        assert settings_.theme_day.rule == str(parse(text))
        return
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.line, problem.column) == ("config.yaml", padding + 3, 11)
    assert problem.message.startswith("schedules.theme_day.rule: ")


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 3000))
def test_any_window_of_the_default_schedule_has_sorted_unique_keys(day: date, hours: int) -> None:
    plan = Schedule(ScheduleSettings(), SHANGHAI).branch("zb-001")
    start = utc(day.year, day.month, day.day)
    found = plan.occurrences(start, start + timedelta(hours=hours))
    assert [o.occurs_at for o in found] == sorted(o.occurs_at for o in found)
    assert len({o.key for o in found}) == len(found)

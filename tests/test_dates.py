"""The date parser: every form people type round-trips; impossible and future dates are told
apart from text that is no date at all."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import (
    DateProblem,
    DateRefusal,
    When,
    WhenProblem,
    WhenRefusal,
    parse_date,
    parse_when,
)

TODAY = date(2026, 12, 4)

FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")

Form = Callable[[int, int, int], str]
FORMS: dict[str, Form] = {
    "iso": lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    "dash unpadded": lambda y, m, d: f"{y}-{m}-{d}",
    "slash": lambda y, m, d: f"{y}/{m}/{d}",
    "dot": lambda y, m, d: f"{y}.{m}.{d}",
    "chinese": lambda y, m, d: f"{y}年{m}月{d}日",
    "chinese 号": lambda y, m, d: f"{y}年{m:02d}月{d:02d}号",
    "chinese spaced": lambda y, m, d: f" {y} 年 {m} 月 {d} 日 ",
    "compact": lambda y, m, d: f"{y:04d}{m:02d}{d:02d}",
    "full-width iso": lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}".translate(FULL_WIDTH),
    "full-width chinese": lambda y, m, d: f"{y}年{m}月{d}日".translate(FULL_WIDTH),
    "full-width compact": lambda y, m, d: f"{y:04d}{m:02d}{d:02d}".translate(FULL_WIDTH),
}
forms = st.sampled_from(sorted(FORMS))


@given(st.dates(min_value=date(1000, 1, 1), max_value=TODAY), forms)
def test_every_valid_date_in_every_form_round_trips(day: date, form: str) -> None:
    assert parse_date(FORMS[form](day.year, day.month, day.day), TODAY) == day


@given(st.dates(min_value=date(TODAY.year, TODAY.month, TODAY.day + 1)), forms)
def test_a_future_date_is_refused_as_future(day: date, form: str) -> None:
    text = FORMS[form](day.year, day.month, day.day)
    assert parse_date(text, TODAY) == DateRefusal(DateProblem.FUTURE, *day.timetuple()[:3])


@given(
    st.integers(1000, 9999),
    st.one_of(st.just(0), st.integers(13, 99)),
    st.integers(1, 28),
    forms,
)
def test_a_month_off_the_calendar_is_refused_as_such(
    year: int, month: int, day: int, form: str
) -> None:
    refusal = parse_date(FORMS[form](year, month, day), TODAY)
    assert refusal == DateRefusal(DateProblem.MONTH, year, month, day)


@given(st.integers(1000, 9999), st.integers(1, 12), st.integers(0, 99), forms)
def test_a_day_the_month_does_not_have_is_refused_with_its_length(
    year: int, month: int, day: int, form: str
) -> None:
    length = calendar.monthrange(year, month)[1]
    if 1 <= day <= length:
        return
    refusal = parse_date(FORMS[form](year, month, day), TODAY)
    assert refusal == DateRefusal(DateProblem.DAY, year, month, day)
    assert isinstance(refusal, DateRefusal) and refusal.days_in_month == length


@given(st.text(max_size=60))
def test_any_text_is_a_date_or_a_refusal_never_an_exception(text: str) -> None:
    assert isinstance(parse_date(text, TODAY), date | DateRefusal)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-13-01", DateRefusal(DateProblem.MONTH, 1990, 13, 1)),
        ("1990-02-30", DateRefusal(DateProblem.DAY, 1990, 2, 30)),
        ("2030-07-01", DateRefusal(DateProblem.FUTURE, 2030, 7, 1)),
        ("1990/7-1", DateRefusal(DateProblem.FORM)),
        ("7/1/1990", DateRefusal(DateProblem.FORM)),
        ("九零年七月一日", DateRefusal(DateProblem.FORM)),
        ("0000-01-01", DateRefusal(DateProblem.FORM)),
        ("١٩٩٠-٠٧-٠١", DateRefusal(DateProblem.FORM)),
        ("1" * 41, DateRefusal(DateProblem.FORM)),
        ("1990年7月1日", date(1990, 7, 1)),
        ("２０２６／１２／４", TODAY),
    ],
)
def test_examples(text: str, expected: date | DateRefusal) -> None:
    assert parse_date(text, TODAY) == expected


def test_days_in_month_knows_leap_years() -> None:
    assert DateRefusal(DateProblem.DAY, 2000, 2, 30).days_in_month == 29
    assert DateRefusal(DateProblem.DAY, 1900, 2, 29).days_in_month == 28


# --- A coming meeting's date and time (parse_when) -----------------------------------------

CLOCKS = [
    (lambda t: f"{t:%H:%M}", lambda t: t),
    (lambda t: f"{t.hour}:{t.minute:02d}", lambda t: t),
    (lambda t: f"{t.hour}点{t.minute}分", lambda t: t),
    (lambda t: f"{t.hour}点", lambda t: t.replace(minute=0)),
    (lambda t: f"{t.hour}点半", lambda t: t.replace(minute=30)),
    (lambda t: f"{t.hour}时{t.minute}分", lambda t: t),
]
WHEN_DAYS = [
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y%m%d}",
]


@given(
    st.dates(min_value=TODAY, max_value=date(2100, 12, 31)),
    st.times(),
    st.sampled_from(WHEN_DAYS),
    st.sampled_from(CLOCKS),
    st.sampled_from(["", " ", "  "]),
)
def test_a_coming_day_and_time_in_every_form_round_trips(
    day: date, at: time, written: Any, clock: Any, space: str
) -> None:
    at = at.replace(second=0, microsecond=0)
    typed, meant = clock
    if not space and not written(day).endswith("日"):
        space = " "  # 2026-12-110:00 could be the 1st at 10:00 as well as the 11th at 0:00
    assert parse_when(f"{written(day)}{space}{typed(at)}", TODAY) == When(day, meant(at))
    assert parse_when(written(day), TODAY) == When(day, None)


@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=TODAY + timedelta(days=364)))
def test_a_day_without_a_year_is_the_next_such_day(day: date) -> None:
    if (day.month, day.day) == (2, 29):
        return
    for typed in (f"{day.month}月{day.day}日", f"{day.month}/{day.day}", f"{day.month}-{day.day}"):
        assert parse_when(typed, TODAY) == When(day, None)


@given(st.dates(max_value=TODAY - timedelta(days=1), min_value=date(1000, 1, 1)))
def test_a_past_day_with_its_year_is_refused_as_past(day: date) -> None:
    assert parse_when(f"{day:%Y-%m-%d} 09:00", TODAY) == WhenRefusal(WhenProblem.PAST)


@given(st.text(max_size=60))
def test_any_text_is_a_moment_or_a_refusal_never_an_exception(text: str) -> None:
    assert isinstance(parse_when(text, TODAY), When | WhenRefusal)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天 15:00", When(TODAY + timedelta(days=1), time(15, 0))),
        ("今天下午3点半", When(TODAY, time(15, 30))),
        ("后天晚上8点", When(TODAY + timedelta(days=2), time(20, 0))),
        ("明天中午12点", When(TODAY + timedelta(days=1), time(12, 0))),
        ("明天上午9点", When(TODAY + timedelta(days=1), time(9, 0))),
        ("２０２７－０１－０５　９：３０", When(date(2027, 1, 5), time(9, 30))),
        ("2027-01-05 24:00", WhenRefusal(WhenProblem.TIME)),
        ("2027-01-05 9:60", WhenRefusal(WhenProblem.TIME)),
        ("2027-13-05", WhenRefusal(WhenProblem.MONTH)),
        ("2027-02-29", WhenRefusal(WhenProblem.DAY)),
        ("下午3点", WhenRefusal(WhenProblem.FORM)),
        ("下周吧", WhenRefusal(WhenProblem.FORM)),
        ("", WhenRefusal(WhenProblem.FORM)),
    ],
)
def test_when_examples(text: str, expected: When | WhenRefusal) -> None:
    assert parse_when(text, TODAY) == expected

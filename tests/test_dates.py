"""The date parser: every form people type round-trips; impossible and future dates are told
apart from text that is no date at all."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import DateProblem, DateRefusal, parse_date

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

"""Times of day and reminder offsets: what is read, how it prints, and what is refused."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.schedule import DayOffset, Lead, NotationError, parse_clock, parse_offset

from .conftest import NEW_YORK, at


@pytest.mark.parametrize(
    ("text", "value"),
    [("09:00", time(9)), ("9:05", time(9, 5)), (" 18:30 ", time(18, 30)), ("08：00", time(8))],
)
def test_clock(text: str, value: time) -> None:
    assert parse_clock(text) == value


@pytest.mark.parametrize("text", ["24:00", "12:60", "0900", "9", "9:5", "", "09:00:00", "x"])
def test_clock_refused(text: str) -> None:
    with pytest.raises(NotationError):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "offset", "canonical"),
    [
        ("-1d@18:00", DayOffset(-1, time(18)), "-1d@18:00"),
        ("0d@08:00", DayOffset(0, time(8)), "0d@08:00"),
        ("-0d@8:00", DayOffset(0, time(8)), "0d@08:00"),
        ("+1D@09:00", DayOffset(1, time(9)), "+1d@09:00"),
        ("-31d@00:00", DayOffset(-31, time(0)), "-31d@00:00"),
        ("-2h", Lead(-120), "-2h"),
        ("-90m", Lead(-90), "-1h30m"),
        ("-1h30m", Lead(-90), "-1h30m"),
        ("+1h", Lead(60), "+1h"),
        ("0m", Lead(0), "0m"),
        ("0h", Lead(0), "0m"),
        ("-72h", Lead(-72 * 60), "-72h"),
    ],
)
def test_offsets_and_their_canonical_spelling(text: str, offset: object, canonical: str) -> None:
    assert parse_offset(text) == offset
    assert str(parse_offset(text)) == canonical
    assert parse_offset(canonical) == offset


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1d@18:00", "write -1d@… for before or +1d@… for after"),
        ("2h", "write -… for before the start or +… for after it"),
        ("-32d@18:00", "at most 31 days"),
        ("-73h", "at most 72 hours"),
        ("-1d@25:00", "after @ comes a time HH:MM"),
        ("-1d", "is not a reminder offset"),
        ("-", "is not a reminder offset"),
        ("-1h-30m", "is not a reminder offset"),
        ("前一天18:00", "is not a reminder offset"),
    ],
)
def test_offsets_refused(text: str, message: str) -> None:
    with pytest.raises(NotationError) as raised:
        parse_offset(text)
    assert message in str(raised.value)


def test_a_day_offset_keeps_the_wall_clock_a_duration_does_not() -> None:
    # New York moves its clocks forward on Sunday 8 March 2026, between the two.
    event_at = at(NEW_YORK, 2026, 3, 9, 9, 0)
    day = date(2026, 3, 9)
    assert DayOffset(-2, time(9)).moment(day, event_at, NEW_YORK) == at(NEW_YORK, 2026, 3, 7, 9)
    assert Lead(-48 * 60).moment(day, event_at, NEW_YORK) == at(NEW_YORK, 2026, 3, 7, 8)

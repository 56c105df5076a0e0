"""Callback data is user input: parsing is total, and what the bot writes parses back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.handlers.callbacks import MAX_CALLBACK_BYTES, parse_quiz_data, quiz_data
from bot.quiz.session import Tap, TapAction


@given(st.one_of(st.text(max_size=80), st.binary(max_size=80), st.none(), st.integers()))
def test_any_data_parses_to_a_tap_or_none(data: object) -> None:
    tap = parse_quiz_data(data)
    assert tap is None or isinstance(tap, Tap)


@given(
    session=st.integers(1, 10**17),
    position=st.integers(0, 50),
    action=st.sampled_from(list(TapAction)),
    option=st.integers(0, 7),
)
def test_written_data_round_trips_and_fits(
    session: int, position: int, action: TapAction, option: int
) -> None:
    tap = Tap(session, position, action, None if action is TapAction.SUBMIT else option)
    data = quiz_data(tap)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert parse_quiz_data(data) == tap


def test_near_misses_are_refused() -> None:
    for data in (
        "quiz:answer:1:0",
        "quiz:submit:1:0:2",
        "quiz:answer:0:0:1",
        "quiz:answer:1:0:8",
        "quiz:answer:1:0:1:extra",
        "quiz:explode:1:0:1",
        " quiz:answer:1:0:1",
    ):
        assert parse_quiz_data(data) is None, data

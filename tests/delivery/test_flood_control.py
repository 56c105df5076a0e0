"""The emulator's model of Telegram's flood control, which the broadcast benchmark relies on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.pacing import Pacer
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.limits import FloodControl


def test_thirty_a_second_overall() -> None:
    flood = FloodControl()
    for n in range(30):
        flood.check("sendMessage", 1000 + n, False, 0.5)
    with pytest.raises(ApiError) as refused:
        flood.check("sendMessage", 2000, False, 0.51)
    assert refused.value.error_code == 429 and refused.value.retry_after == 1
    assert refused.value.description == "Too Many Requests: retry after 1"
    flood.check("sendMessage", 2000, False, 0.6)
    flood.check("editMessageText", 2000, False, 0.6)
    assert flood.violations == 1
    # A steady 29 a second never trips it.
    steady = FloodControl()
    for n in range(29 * 20):
        steady.check("sendMessage", 10_000 + n, False, n / 29)


def test_paid_broadcasts_and_groups() -> None:
    flood = FloodControl()
    for n in range(500):
        flood.check("sendMessage", n + 1, True, 0.0)
    group = FloodControl()
    for _ in range(20):
        group.check("sendMessage", -100, False, 0.0)
    with pytest.raises(ApiError) as refused:
        group.check("sendMessage", -100, False, 0.0)
    assert refused.value.retry_after == 3


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 0.5), min_size=50, max_size=300))
def test_the_outbox_pacer_never_trips_the_flood_control(delays: list[float]) -> None:
    """Sends booked by the pacer, each leaving up to half a second late, stay within
    Telegram's limits."""
    pacer = Pacer()
    flood = FloodControl()
    now = 0.0
    sends = []
    for n, delay in enumerate(delays):
        booked = pacer.reserve(1000 + n, now)
        sends.append(booked + delay)
        now = booked
    for n, at in enumerate(sorted(sends)):
        flood.check("sendMessage", 1000 + n, False, at)

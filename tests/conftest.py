"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from bot.quiz.bank import load_bank
from bot.quiz.questions import Bank

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_BANK = FIXTURES / "bank"

# No per-example deadline: the machines have two cores shared with the rest of the suite, and a
# parser that took 277 ms once under load is not slow (the tests bound their own work).
settings.register_profile("shared-cores", deadline=None)
settings.load_profile("shared-cores")


@pytest.fixture
def sample_bank() -> Bank:
    return load_bank([SAMPLE_BANK]).bank

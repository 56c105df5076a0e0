"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.quiz.bank import load_bank
from bot.quiz.questions import Bank

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_BANK = FIXTURES / "bank"


@pytest.fixture
def sample_bank() -> Bank:
    return load_bank([SAMPLE_BANK]).bank

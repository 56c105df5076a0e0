"""Fixtures for the emulator tests: a running emulator, a PTB Bot bound to it, a control client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.config import Http
from bot.sandbox.emulator import Emulator, EmulatorClient
from bot.transport import telegram_request


class FakeClock:
    """Injectable ``now`` for the emulator, advanced by hand."""

    def __init__(self, start: float = 1_750_000_000.0):
        self.value = start

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[Emulator]:
    emulator = Emulator(now=clock)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture(params=[Http.AIOHTTP, Http.HTTPX])
async def bot(emu: Emulator, request: pytest.FixtureRequest) -> AsyncIterator[Bot]:
    """A python-telegram-bot ``Bot`` on each of the bot's transports: every method the
    emulator implements is driven through both HTTP clients."""
    async with Bot(
        emu.token,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        request=telegram_request(request.param, pool_size=8, retrying=False),
    ) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.url) as control:
        yield control

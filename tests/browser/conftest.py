"""The sandbox page in a real browser: Debian's Chromium (headless), driven by Playwright, on
a sandbox running in the test's event loop. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.quiz.bank import load_bank
from bot.quiz.questions import Bank
from bot.sandbox.clock import SandboxClock, clock_file
from bot.sandbox.run import prepare_database, serve_sandbox

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent / "artifacts"
ROOT = Path(__file__).parent.parent.parent
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bank() -> Bank:
    return load_bank([ROOT / "question_bank"]).bank


@pytest.fixture
def sandbox_start() -> datetime | None:
    """Where the simulated clock starts (a test module may pin it); None: real time."""
    return None


@pytest.fixture
async def sandbox(
    tmp_path: Path, bank: Bank, sandbox_start: datetime | None
) -> AsyncIterator[str]:
    settings = load_settings(ROOT / "config.yaml", environ={})
    database = tmp_path / "sandbox.sqlite3"
    port = free_port()
    ready = asyncio.Event()
    new = prepare_database(database, fresh=True)
    if sandbox_start is not None:
        # As if the sandbox had been run before and its clock moved there (it keeps its lead).
        SandboxClock(clock_file(database), sandbox_start - datetime.now(UTC)).save()
    task = asyncio.create_task(
        serve_sandbox(settings, bank, "127.0.0.1", port, database, new, ready)
    )
    await asyncio.wait_for(ready.wait(), 60)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.fixture
async def page(sandbox: str, tmp_path: Path) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(viewport={"width": 1100, "height": 800})
        tab = await context.new_page()
        await tab.goto(sandbox)
        await tab.wait_for_selector("#who option", state="attached")
        yield tab
        await browser.close()

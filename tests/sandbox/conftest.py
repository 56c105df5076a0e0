"""Running the sandbox (``python -m bot sandbox``) in the test's own event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.quiz.bank import load_bank
from bot.sandbox.run import prepare_database, serve_sandbox

ROOT = Path(__file__).parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running_sandbox(database: Path, *, fresh: bool) -> AsyncIterator[str]:
    """One run of the sandbox (``python -m bot sandbox``) on ``database``, in this process."""
    settings = load_settings(ROOT / "config.yaml", environ={})
    bank = load_bank([ROOT / "question_bank"]).bank
    port = _free_port()
    ready = asyncio.Event()
    new = prepare_database(database, fresh=fresh)
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

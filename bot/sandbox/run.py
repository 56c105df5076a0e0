"""The bot without Telegram: the local Bot API emulator, the real bot, a demo organisation and
a chat page, in one process.

This is ``python -m bot sandbox``, and what ``python -m bot run --sandbox`` does when no token is
configured. Only the base URL differs from a real deployment: the same ``Application``,
handlers and storage run against the emulator, with the data kept apart in ``sandbox/``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import build_application, serve_until_stopped
from bot.config import Settings
from bot.context import BotApplication
from bot.delivery.scheduler import WATERMARK
from bot.quiz.questions import Bank
from bot.sandbox.clock import SandboxClock, clock_file
from bot.sandbox.demo import ORGANISATION, populate, prepare_theme_day
from bot.sandbox.emulator.server import Emulator
from bot.sandbox.page import Page
from bot.storage import Storage
from bot.storage.url import DatabaseUrl

SANDBOX_DATABASE = Path("sandbox/bot.sqlite3")


def sandbox_settings(
    settings: Settings, emulator: Emulator, database: DatabaseUrl | Path
) -> Settings:
    telegram = settings.telegram.model_copy(
        update={"base_url": emulator.base_url, "base_file_url": emulator.base_file_url}
    )
    return settings.model_copy(update={"telegram": telegram, "database": DatabaseUrl.of(database)})


def run_sandbox(
    settings: Settings,
    bank: Bank,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    fresh: bool = False,
    database: Path = SANDBOX_DATABASE,
) -> int:
    new = prepare_database(database, fresh=fresh)
    asyncio.run(serve_sandbox(settings, bank, host, port, database, new))
    return 0


def prepare_database(database: Path, *, fresh: bool) -> bool:
    """Delete the sandbox database (and its clock) when asked; True when the demo must be
    built anew."""
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        clock_file(database).unlink(missing_ok=True)
    return not database.exists()


async def restore_clock(database: Path, new: bool) -> SandboxClock:
    """The simulated clock as the sandbox left it. A kept database whose clock was lost (an
    older sandbox, a deleted file) is never behind the scheduler's watermark: the clock moves
    up to where the scheduler last looked, so the next event can still be fired."""
    clock = SandboxClock.load(clock_file(database))
    if not new:
        storage = await Storage.open(database)
        try:
            checked = await storage.outbox.checked_until(WATERMARK)
        finally:
            await storage.close()
        if checked is not None:
            clock.catch_up(checked)
    return clock


async def serve_sandbox(
    settings: Settings,
    bank: Bank,
    host: str,
    port: int,
    database: Path,
    new: bool,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until stopped (SIGINT/SIGTERM, or cancelled); ``ready`` is set once the page and
    the bot are up, for tests. ``new``: build the demo's members and history."""
    emulator = Emulator()
    clock = await restore_clock(database, new)
    holder: list[BotApplication] = []
    page = Page(emulator, clock, lambda: holder[0] if holder else None)
    page.mount()
    await emulator.start(host=host, port=port)
    local = sandbox_settings(settings, emulator, database).model_copy(
        update={"organisation": ORGANISATION}
    )
    application = build_application(local, bank, emulator.token, clock=clock)
    holder.append(application)

    async def started() -> None:
        # The demo is data, not behaviour: it is written over a connection of its own, the
        # way `python -m bot org roster` adds members, while the bot is already up.
        storage = await Storage.open(local.database)
        try:
            page.personas = await populate(emulator, storage, bank, clock.now(), fresh=new)
        finally:
            await storage.close()
        services = application.bot_data.services
        if new and services is not None:
            await prepare_theme_day(services, page.personas)
        print(f"沙盒已启动，请用浏览器打开：{emulator.url}", flush=True)
        print(f"Sandbox: open {emulator.url} in a browser (Ctrl+C to stop)", flush=True)
        if ready is not None:
            ready.set()

    try:
        await serve_until_stopped(application, local, started)
    finally:
        await emulator.stop()

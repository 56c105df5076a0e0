"""The bot without Telegram: the local Bot API emulator and the real bot, in one process.

This is what ``python -m bot run`` does when no token is configured. Only the base URL differs
from a real deployment: the same ``Application``, handlers and storage run against the
emulator, with the data kept apart in ``sandbox/``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import build_application, serve_until_stopped
from bot.config import Settings
from bot.quiz.questions import Bank
from bot.sandbox.emulator.server import Emulator

SANDBOX_DATABASE = Path("sandbox/bot.sqlite3")


def sandbox_settings(settings: Settings, emulator: Emulator, database: Path) -> Settings:
    telegram = settings.telegram.model_copy(
        update={"base_url": emulator.base_url, "base_file_url": emulator.base_file_url}
    )
    return settings.model_copy(update={"telegram": telegram, "database": database})


def run_sandbox(
    settings: Settings, bank: Bank, *, host: str = "127.0.0.1", port: int = 8080
) -> int:
    asyncio.run(_serve(settings, bank, host, port))
    return 0


async def _serve(settings: Settings, bank: Bank, host: str, port: int) -> None:
    emulator = Emulator()
    await emulator.start(host=host, port=port)

    def ready() -> None:
        print(f"没有设置 BOT_TOKEN，已启动本地沙盒：{emulator.url}", flush=True)
        print(f"No BOT_TOKEN: local sandbox at {emulator.url} (Ctrl+C to stop)", flush=True)

    try:
        local = sandbox_settings(settings, emulator, SANDBOX_DATABASE)
        await serve_until_stopped(build_application(local, bank, emulator.token), local, ready)
    finally:
        await emulator.stop()

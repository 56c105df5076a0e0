"""A second process writing to the same SQLite file (a receiver, other workers) must never
make the bot's own writes fail. They did: a read left open between two calls to the
connection's thread let another coroutine's write run inside the read's transaction, and
SQLite refuses such a write at once ("database is locked", no busy wait) when another
connection has written meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.storage import Storage


def keep_writing(path: Path, stop: threading.Event) -> None:
    with sqlite3.connect(path, isolation_level=None, timeout=5) as db:
        n = 0
        while not stop.is_set():
            db.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, 'other', 0) "
                "ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at",
                (f"other:{n % 50}",),
            )
            n += 1


async def test_reads_and_writes_beside_another_writer_never_fail(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    storage = await Storage.open(path)
    stop = threading.Event()
    writer = threading.Thread(target=keep_writing, args=(path, stop))
    writer.start()
    clock = FixedClock()
    try:

        async def reader() -> None:
            for _ in range(100):
                await storage.leases.live("other:", clock.now())
                await storage.leases.holder("mine:0", clock.now())

        async def own_writer() -> None:
            for n in range(100):
                now = clock.now()
                await storage.leases.take(f"mine:{n % 5}", "me", now, now + timedelta(1))

        await asyncio.gather(*(reader() for _ in range(8)), *(own_writer() for _ in range(4)))
    finally:
        stop.set()
        writer.join()
        await storage.close()

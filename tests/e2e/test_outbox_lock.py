"""The outbox sender outlives a database held by another writer (finding 5): a backup or an
operator's ``sqlite3`` session holding a write transaction longer than the busy timeout used
to kill the sender, and every reminder and broadcast after it stayed pending until a restart.

By default the lock is held 2 s against a 0.3 s busy timeout (several failed attempts, fast
enough for every run); ``BOT_TEST_LOCK_SECONDS=15 BOT_TEST_BUSY_TIMEOUT=5`` holds it the full
15 s against the production timeout.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time

import asyncpg

from bot.config import Settings
from bot.storage.url import DatabaseUrl
from tests.e2e.conftest import ADMIN, SECRETARY_1, Harness, buttons, invite_link, join, person

LOCK_SECONDS = float(os.environ.get("BOT_TEST_LOCK_SECONDS", "2"))
BUSY_TIMEOUT = float(os.environ.get("BOT_TEST_BUSY_TIMEOUT", "0.3"))


def slow(settings: Settings) -> Settings:
    """Two messages a second, so that the broadcast is still running when the lock comes."""
    delivery = settings.delivery.model_copy(update={"per_second": 2})
    return settings.model_copy(update={"delivery": delivery})


def hold_write_lock(database: DatabaseUrl, seconds: float, taken: threading.Event) -> None:
    """Another writer holds the database: SQLite's write lock, or on PostgreSQL an exclusive
    lock on the outbox's tables (the sender's statements wait for it)."""
    if database.engine == "sqlite":
        with sqlite3.connect(database.path, isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO scheduler_state (name, checked_until) VALUES ('lock-test', 0)")
            taken.set()
            time.sleep(seconds)
            db.execute("ROLLBACK")
        return

    async def hold() -> None:
        connection = await asyncpg.connect(database.url)
        try:
            async with connection.transaction():
                await connection.execute("LOCK TABLE deliveries, batches IN EXCLUSIVE MODE")
                taken.set()
                await asyncio.sleep(seconds)
        finally:
            await connection.close()

    asyncio.run(hold())


async def test_a_broadcast_is_delivered_in_full_after_the_database_was_locked(
    org_harness: Harness,
) -> None:
    harness = org_harness
    harness.settings = slow(harness.settings)
    harness.busy_timeout = BUSY_TIMEOUT
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        admin = await person(harness, "管理员", ADMIN)
        link = await invite_link(secretary)
        members = [await join(harness, link, name) for name in ("张三", "李四", "王五", "赵六")]
        await secretary.say("/broadcast")
        preview = await secretary.say("周五下午三点学习党章。")
        send = next(data for label, data in buttons(preview) if label == "确认发送")
        await secretary.tap(preview, send)
        await members[0].next_message(lambda m: "学习党章" in m["text"])
        taken = threading.Event()
        locker = asyncio.create_task(
            asyncio.to_thread(hold_write_lock, harness.settings.database, LOCK_SECONDS, taken)
        )
        await asyncio.to_thread(taken.wait)
        await locker
        for member in members[1:]:
            got = await member.next_message(lambda m: "学习党章" in m["text"])
            assert got["text"] == "📢 东村党支部 · 书记 赵书记\n\n周五下午三点学习党章。"
        summary = await harness.client.wait_for_edit(
            secretary.id, predicate=lambda m: m["text"].startswith("群发完成")
        )
        assert "共 4 人，已送达 4 人" in summary["text"]
        status = (await admin.say("/status"))["text"]
        assert status.startswith("发送队列：最近一次正常运行于")
    # Leaving the block shut the bot down without an error; every member got exactly one.
    assert harness.rows("SELECT status, COUNT(*) FROM deliveries GROUP BY status") == [("sent", 4)]
    for member in members:
        texts = [m["text"] for m in await harness.client.get_messages(member.id)]
        assert texts.count("📢 东村党支部 · 书记 赵书记\n\n周五下午三点学习党章。") == 1

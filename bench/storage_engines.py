"""Benchmark: what one answer-path statement costs through each way of talking to a database.

The bot's answer path is a handful of single statements (read the tap's quiz, insert the
answer, read the quiz back). This measures one read (``SELECT * FROM quiz_sessions WHERE
id = ?``) and one write (an ``UPDATE`` of that row, committed on its own) through:

* ``aiosqlite`` — what the bot used before a second engine (one connection, WAL);
* ``sqlalchemy+aiosqlite`` — SQLAlchemy 2's async engine with ``text()`` over the same file;
* ``asyncpg`` — a pool of asyncpg connections to PostgreSQL;
* ``sqlalchemy+asyncpg`` — SQLAlchemy 2's async engine with ``text()`` over asyncpg.

For each it prints the wall time and the bot process's CPU time per statement (process time:
it includes aiosqlite's worker thread, not the PostgreSQL server's own CPU), as JSON.

``--store`` measures instead one quiz answer through the bot's own storage layer on each
engine (``bot.storage``: the tap's quiz looked up with its owner, the answer recorded and
the quiz read back, 下一题 looked up and claimed, the next question's message recorded: five
statements), run against the tree given by ``--tree`` (to compare with an older checkout).

    pip install -r bench/requirements.txt          # SQLAlchemy, for the comparison only
    python bench/storage_engines.py --json
    python bench/storage_engines.py --store --json
    python bench/storage_engines.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1000
SCHEMA = """
CREATE TABLE quiz_sessions (
    id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, chat_id BIGINT NOT NULL,
    status TEXT NOT NULL, question_ids TEXT NOT NULL, option_orders TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0, selection TEXT NOT NULL DEFAULT '[]',
    message_id INTEGER, question_shown_at BIGINT NOT NULL, started_at BIGINT NOT NULL,
    finished_at BIGINT, score INTEGER NOT NULL DEFAULT 0, question_count INTEGER NOT NULL,
    branch_id TEXT, bank_version TEXT NOT NULL
)
"""
ROW = (1, 100, "active", '["q1","q2","q3","q4","q5","q6","q7","q8","q9","q10"]', "[[0,1,2,3]]",
       0, 1_700_000_000_000, 1_700_000_000_000, 10, "zb-001", "v1")  # fmt: skip
INSERT = (
    "INSERT INTO quiz_sessions (member_id, chat_id, status, question_ids, option_orders, "
    "position, question_shown_at, started_at, question_count, branch_id, bank_version) "
    "VALUES ({})"
)
READ = "SELECT * FROM quiz_sessions WHERE id = {}"
WRITE = "UPDATE quiz_sessions SET selection = {} WHERE id = {} AND position = 0"


async def timed(op: Callable[[int], Awaitable[Any]], count: int) -> dict[str, float]:
    """Wall and CPU microseconds per call of ``op``, over ``count`` calls (after a warm-up)."""
    for n in range(50):
        await op(n)
    walls: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for n in range(count):
        start = time.perf_counter()
        await op(n)
        walls.append(time.perf_counter() - start)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "wall_us": round(wall / count * 1e6, 1),
        "p50_us": round(statistics.median(walls) * 1e6, 1),
        "cpu_us": round(cpu / count * 1e6, 1),
    }


async def raw_aiosqlite(path: Path, count: int) -> dict[str, Any]:
    import aiosqlite

    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute(SCHEMA)
    await db.executemany(INSERT.format(",".join("?" * 11)), [ROW] * ROWS)
    db.row_factory = aiosqlite.Row

    async def read(n: int) -> Any:
        async with db.execute(READ.format("?"), (n % ROWS + 1,)) as cursor:
            return await cursor.fetchone()

    async def write(n: int) -> Any:
        async with db.execute(WRITE.format("?", "?"), (f"[{n}]", n % ROWS + 1)) as cursor:
            return cursor.rowcount

    result = {"read": await timed(read, count), "write": await timed(write, count)}
    await db.close()
    return result


async def with_sqlalchemy(
    url: str,
    count: int,
    *,
    schema: str,
    search_path: str | None = None,
    held_setup: tuple[str, ...] = (),
) -> dict[str, Any]:
    """SQLAlchemy 2's async engine with ``text()``: a connection per statement from its pool,
    then one connection held in autocommit. ``schema`` creates and fills the table;
    ``search_path`` is set on each new PostgreSQL connection; ``held_setup`` runs on the held
    connection first (SQLite's pragmas, as the bot sets them)."""
    from sqlalchemy import event, text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, pool_size=4)
    if search_path is not None:

        @event.listens_for(engine.sync_engine, "connect")
        def _search_path(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET search_path TO {search_path}")
            cursor.close()

    async with engine.begin() as connection:
        await connection.execute(text(schema))
        insert = text(INSERT.format(",".join(":" + c for c in "abcdefghijk")))
        await connection.execute(insert, [dict(zip("abcdefghijk", ROW, strict=True))] * ROWS)
    read_sql = text(READ.format(":id"))
    write_sql = text(WRITE.format(":sel", ":id"))

    async def read(n: int) -> Any:
        async with engine.connect() as connection:
            return (await connection.execute(read_sql, {"id": n % ROWS + 1})).first()

    async def write(n: int) -> Any:
        async with engine.begin() as connection:
            result = await connection.execute(write_sql, {"sel": f"[{n}]", "id": n % ROWS + 1})
            return result.rowcount  # type: ignore[attr-defined]

    result = {"read": await timed(read, count), "write": await timed(write, count)}
    # The least SQLAlchemy can cost: one connection held open in autocommit, statements
    # executed on it with no pool checkout or transaction per call.
    async with engine.connect() as held:
        held = await held.execution_options(isolation_level="AUTOCOMMIT")
        for sql in held_setup:
            await held.exec_driver_sql(sql)

        async def read_held(n: int) -> Any:
            return (await held.execute(read_sql, {"id": n % ROWS + 1})).first()

        async def write_held(n: int) -> Any:
            done = await held.execute(write_sql, {"sel": f"[{n}]", "id": n % ROWS + 1})
            return done.rowcount  # type: ignore[attr-defined]

        result["read_held"] = await timed(read_held, count)
        result["write_held"] = await timed(write_held, count)
    await engine.dispose()
    return result


async def raw_asyncpg(url: str, count: int) -> dict[str, Any]:
    """A pool of asyncpg connections, in the ``bench_raw`` schema."""
    import asyncpg

    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=4, server_settings={"search_path": "bench_raw"}
    )
    async with pool.acquire() as connection:
        await connection.execute(SCHEMA.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))
        marks = ",".join(f"${n}" for n in range(1, 12))
        await connection.executemany(INSERT.format(marks), [ROW] * ROWS)

    async def read(n: int) -> Any:
        return await pool.fetchrow(READ.format("$1"), n % ROWS + 1)

    async def write(n: int) -> Any:
        return await pool.execute(WRITE.format("$1", "$2"), f"[{n}]", n % ROWS + 1)

    result = {"read": await timed(read, count), "write": await timed(write, count)}
    await pool.close()
    return result


async def schemas(url: str, *, create: bool) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    for name in ("bench_raw", "bench_sa"):
        await connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        if create:
            await connection.execute(f"CREATE SCHEMA {name}")
    await connection.close()


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL server process on this machine (so the
    figure includes anything else the server did meanwhile)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)
        except OSError:
            continue
        if "(postgres" in fields[0]:
            parts = fields[1].split()
            total += (int(parts[11]) + int(parts[12])) / ticks
    return total


async def store_answers(target: Any, quizzes: int) -> dict[str, float]:
    """Wall and CPU microseconds per answer through ``bot.storage`` (ten per quiz)."""
    from datetime import UTC, datetime, timedelta

    from bot.org.tree import Level, Unit
    from bot.quiz.rules import Verdict
    from bot.storage import Storage

    storage = await Storage.open(target)
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    await storage.org.sync_units(
        [Unit("dw", "党委", Level.COMMITTEE), Unit("zb", "支部", Level.BRANCH, parent="dw")], now
    )
    telegram_id = 7_000_000_001
    member = await storage.org.upsert_member(telegram_id, "张", None, None, now)
    await storage.org.join_branch(telegram_id, "张三", "zb", 1, now)
    questions = tuple(f"q{n}" for n in range(10))
    right = Verdict(frozenset({1}), correct=True, timed_out=False)
    walls: list[float] = []
    cpu = server = 0.0
    on_postgres = str(target).startswith("postgresql")
    for number in range(quizzes):
        at = now + timedelta(minutes=number)
        session = await storage.quiz.start_session(
            member, telegram_id, questions, ((0, 1, 2, 3),) * 10, "v", at,
            seen=questions, reset_bag=True,
        )  # fmt: skip
        assert session is not None
        server0 = postgres_cpu() if on_postgres else 0.0
        cpu0 = time.process_time()  # after reading /proc, which costs this process CPU
        warm = number >= 5  # the first five quizzes warm up
        for position in range(10):
            start = time.perf_counter()
            tapped = await storage.quiz.member_session(telegram_id, session.id)
            assert tapped is not None
            after = await storage.quiz.record_answer(tapped, questions[position], right, at, 900)
            assert after is not None
            again = await storage.quiz.member_session(telegram_id, session.id)
            assert again is not None and await storage.quiz.claim_next(session.id, position + 1)
            await storage.quiz.set_question_message(session.id, position + 1, 100 + position, at)
            if warm:
                walls.append(time.perf_counter() - start)
            session = after
        if warm:
            cpu += time.process_time() - cpu0
            server += postgres_cpu() - server0 if on_postgres else 0.0
    await storage.close()
    return {
        "answers": len(walls),
        "wall_us": round(sum(walls) / len(walls) * 1e6, 1),
        "p50_us": round(statistics.median(walls) * 1e6, 1),
        "cpu_us": round(cpu / len(walls) * 1e6, 1),
        "postgres_server_cpu_us": round(server / len(walls) * 1e6, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--store", action="store_true", help="answers through bot.storage")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    if args.store:
        stored: dict[str, Any] = {}
        engines = args.engines.split(",")
        if "sqlite" in engines:
            with tempfile.TemporaryDirectory() as folder:
                stored["sqlite"] = await store_answers(
                    Path(folder) / "bot.sqlite3", args.count // 10
                )
        if "postgresql" in engines:
            await schemas(args.postgres, create=True)
            try:
                stored["postgresql"] = await store_answers(
                    f"{args.postgres}?search_path=bench_raw", args.count // 10
                )
            finally:
                await schemas(args.postgres, create=False)
        print(json.dumps(stored, indent=None if args.json else 2))
        return
    results: dict[str, Any] = {"statements": args.count}
    with tempfile.TemporaryDirectory() as folder:
        results["aiosqlite"] = await raw_aiosqlite(Path(folder) / "a.sqlite3", args.count)
        results["sqlalchemy+aiosqlite"] = await with_sqlalchemy(
            f"sqlite+aiosqlite:///{folder}/b.sqlite3",
            args.count,
            schema=SCHEMA,
            held_setup=("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"),
        )
    await schemas(args.postgres, create=True)
    try:
        results["asyncpg"] = await raw_asyncpg(args.postgres, args.count)
        sa_url = args.postgres.replace("postgresql://", "postgresql+asyncpg://")
        results["sqlalchemy+asyncpg"] = await with_sqlalchemy(
            sa_url,
            args.count,
            schema=SCHEMA.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"),
            search_path="bench_sa",
        )
    finally:
        await schemas(args.postgres, create=False)
    print(json.dumps(results, indent=None if args.json else 2))


if __name__ == "__main__":
    asyncio.run(main())

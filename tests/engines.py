"""The two storage engines under test: SQLite always, PostgreSQL when a server answers.

``BOT_TEST_ENGINES`` (default ``sqlite,postgresql``) names the engines the storage and e2e
tests run on; ``BOT_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
the server. Each PostgreSQL test gets a schema of its own (``CREATE SCHEMA`` and the
connection's ``search_path``), dropped after it, so tests stay isolated and fast. Without a
server the PostgreSQL half is deselected and the run says so in one line.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.storage.url import DatabaseUrl

ENGINES_ENV = "BOT_TEST_ENGINES"
POSTGRES_ENV = "BOT_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "BOT_TEST_REQUIRE_POSTGRES"
"""Set by CI: no server is an error there, not a reason to skip."""
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
ALL_ENGINES = ("sqlite", "postgresql")


def wanted_engines() -> tuple[str, ...]:
    names = os.environ.get(ENGINES_ENV, ",".join(ALL_ENGINES))
    engines = tuple(name.strip() for name in names.split(",") if name.strip())
    unknown = set(engines) - set(ALL_ENGINES)
    if unknown:
        raise ValueError(f"{ENGINES_ENV}: unknown engine(s) {', '.join(sorted(unknown))}")
    return engines


def postgres_url() -> str:
    return os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)


def postgres_answers(url: str, timeout: float = 2.0) -> str | None:
    """None when the server at ``url`` accepts a connection; else why not."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return f"no server at {host}:{port}"

    async def login() -> None:
        import asyncpg

        connection = await asyncpg.connect(url, timeout=timeout)
        await connection.close()

    try:
        asyncio.run(login())
    except Exception as error:  # any refusal: wrong user, no database, auth
        return f"the server at {host}:{port} refused ({type(error).__name__}: {error})"
    return None


def skip_line(reason: str) -> str:
    return (
        f"PostgreSQL tests skipped: {reason} — start one (trust auth, database test) "
        f"or set {POSTGRES_ENV}"
    )


_FREE: list[str] = []
"""Schemas of this test run, migrated and emptied, ready for the next test: creating the
schema's tables costs ~0.4 s on this machine, emptying them a few milliseconds."""


async def _empty(connection: Any, name: str) -> bool:
    """Delete every row in schema ``name`` (referencing tables first) but its version, and
    restart its identities, so that the next test sees a new database. False, changing
    nothing, when the schema is not the bot's current one (a test ran other migrations)."""
    from bot.storage.migrations import MIGRATIONS

    if await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{name}.schema_version"):
        version = await connection.fetchval(f"SELECT version FROM {name}.schema_version")
        if version != len(MIGRATIONS):
            return False
    tables = {
        row[0]
        for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", name
        )
    }
    references = [
        (row[0], row[1])
        for row in await connection.fetch(
            """
            SELECT c.relname, f.relname FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace = $1::regnamespace
            """,
            name,
        )
    ]
    tables.discard("schema_version")
    while tables:
        leaves = {t for t in tables if not any(f == t and c in tables for c, f in references)}
        for table in sorted(leaves or tables):
            await connection.execute(f'DELETE FROM {name}."{table}"')
        tables -= leaves or tables
    for row in await connection.fetch(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = $1", name
    ):
        await connection.execute("SELECT setval($1::regclass, 1, false)", f"{name}.{row[0]}")
    return True


@asynccontextmanager
async def postgres_schema(base: str, *, fresh: bool = False) -> AsyncIterator[DatabaseUrl]:
    """A schema on the server holding no rows, as a database URL whose connections use it:
    a new one (always with ``fresh``: no tables yet), or one an earlier test of this run used
    and emptied."""
    import asyncpg

    admin = await asyncpg.connect(base)
    try:
        if _FREE and not fresh:
            name = _FREE.pop()
        else:
            name = f"test_{int(time.time())}_{uuid.uuid4().hex[:8]}"
            await admin.execute(f"CREATE SCHEMA {name}")
    finally:
        await admin.close()
    separator = "&" if "?" in base else "?"
    reusable = False
    try:
        # Durability is not under test: commits need not wait for the disk.
        yield DatabaseUrl.of(f"{base}{separator}search_path={name}&synchronous_commit=off")
        reusable = True
    finally:
        admin = await asyncpg.connect(base)
        try:
            if reusable:
                try:
                    reusable = await _empty(admin, name)
                except asyncpg.PostgresError:
                    reusable = False
                if reusable:
                    _FREE.append(name)
            if not reusable:
                await admin.execute(f"DROP SCHEMA {name} CASCADE")
        finally:
            await admin.close()


STALE_SECONDS = 6 * 3600
"""A test schema older than this was left by a run that was killed: the next run drops it
(concurrent runs, by other people on the same server, have younger ones)."""


def drop_stale_schemas(url: str) -> None:
    async def drop() -> None:
        import asyncpg

        admin = await asyncpg.connect(url)
        try:
            for (name,) in await admin.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname ~ '^test_[0-9]+_[0-9a-f]{8}$'"
            ):
                if int(name.split("_")[1]) < time.time() - STALE_SECONDS:
                    await admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        finally:
            await admin.close()

    asyncio.run(drop())


def drop_free_schemas() -> None:
    """At the end of the run: the schemas kept for reuse go."""
    if not _FREE:
        return

    async def drop() -> None:
        import asyncpg

        admin = await asyncpg.connect(postgres_url())
        try:
            while _FREE:
                await admin.execute(f"DROP SCHEMA {_FREE.pop()} CASCADE")
        finally:
            await admin.close()

    asyncio.run(drop())


@asynccontextmanager
async def database_for(engine: str, folder: Path) -> AsyncIterator[DatabaseUrl]:
    """A new, empty database on ``engine``: a file in ``folder``, or a PostgreSQL schema."""
    if engine == "sqlite":
        yield DatabaseUrl.of(folder / "bot.sqlite3")
    else:
        async with postgres_schema(postgres_url()) as url:
            yield url


def query_rows(
    database: DatabaseUrl, sql: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Rows of one statement (``?`` placeholders), read on a connection of its own and
    committed: what a test checks in the database, whichever engine holds it."""
    if database.engine == "sqlite":
        with sqlite3.connect(database.path) as db:
            return list(db.execute(sql, tuple(params)))

    async def fetch() -> list[tuple[Any, ...]]:
        import asyncpg

        from bot.storage.postgres import _args, _setup

        connection = await asyncpg.connect(database.url)
        try:
            await _setup(connection)
            query, args = _args(sql, tuple(params))
            return [tuple(row) for row in await connection.fetch(query, *args)]
        finally:
            await connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fetch()).result()

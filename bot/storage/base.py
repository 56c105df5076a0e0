"""What every store shares: the one connection, its write lock, the helpers.

One aiosqlite connection in WAL mode serves the whole bot. ``Database`` owns it: opening,
migrating, closing. Every per-feature store is built over the same ``Database``, so writes
from all features are serialised by one lock and the statements of one transaction never
interleave with another coroutine's; reads need no lock. Times are stored as UTC
milliseconds. A second engine would be a second ``Database`` (and stores over it); nothing
outside ``bot/storage`` sees a connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS
from bot.yamlfile import InvalidFileError, Problem

Params = Sequence[Any] | Mapping[str, Any]


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def marks(values: Collection[object]) -> str:
    """The ``?, ?, …`` of an ``IN (…)`` list with one placeholder per value."""
    return ",".join("?" * len(values))


BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another writer before SQLite says "database is locked"."""


def _cannot_open(path: Path | str, error: BaseException) -> InvalidFileError:
    reason = str(error) or type(error).__name__
    if isinstance(error, sqlite3.DatabaseError) and "not a database" in reason:
        reason = "the file is not an SQLite database (corrupt, or another kind of file)"
    return InvalidFileError([Problem(str(path), 0, 0, f"cannot open the database: {reason}")])


class Database:
    """The connection and the write lock every store shares."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: Path | str,
        migrations: Sequence[str] = MIGRATIONS,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> Database:
        """Connect, set the pragmas and bring the schema up to date. Anything that stops it
        (a corrupt or locked file, a read-only disk, an unwritable folder) is one positioned
        problem, and the connection is closed: its thread would otherwise keep the process
        alive after the error, and a supervisor would never restart it. ``migrations``: the
        schema's history (a test builds an older release's database with fewer)."""
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                # aiosqlite leaves its thread to stop after the event loop when connecting
                # fails (a traceback at exit); a plain connect finds those failures first.
                await asyncio.to_thread(lambda: sqlite3.connect(path).close())
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise _cannot_open(path, error) from error
        try:
            connection.row_factory = aiosqlite.Row
            await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            database = cls(connection)
            await database.migrate(migrations)
        except BaseException as error:
            await connection.close()
            if isinstance(error, sqlite3.Error | OSError):
                raise _cannot_open(path, error) from error
            raise
        return database

    async def close(self) -> None:
        await self.connection.close()

    async def schema_version(self) -> int:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Sequence[str]) -> None:
        """Apply the migrations this database has not seen, each in its own transaction."""
        current = await self.schema_version()
        if current > len(migrations):
            raise RuntimeError(
                f"the database is at schema version {current}, newer than this bot "
                f"({len(migrations)}); upgrade the bot instead of downgrading the data"
            )
        for version, script in enumerate(migrations[current:], start=current + 1):
            await self.connection.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )


class StoreBase:
    """A feature's store: its SQL, over the shared ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database.connection
        self._write_lock = database.write_lock

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _write(self, sql: str, params: Params) -> bool:
        """One statement, committed on its own; True when it changed a row. It takes the
        write lock so that it never lands inside another coroutine's open transaction."""
        async with self._write_lock, self._db.execute(sql, params) as cursor:
            return cursor.rowcount > 0

    # Reads run to their end in one call to the connection's thread (``execute_fetchall``):
    # a statement left open between calls would let another coroutine's write run inside its
    # read transaction, and with a second process writing (several workers, docs/scaling.md)
    # SQLite refuses such a write at once with "database is locked", whatever the timeout.
    async def _one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self._db.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        return list(await self._db.execute_fetchall(sql, params))

"""SQLite, the embedded engine: one aiosqlite connection in WAL mode for the whole bot.

Every write takes the one write lock, so a single statement never lands inside another
coroutine's open transaction on the shared connection. The schema's history is the numbered
migrations, applied at start-up and counted in ``PRAGMA user_version``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.base import BUSY_TIMEOUT, Connection, Database, Dialect, Params, Row
from bot.storage.migrations import MIGRATIONS
from bot.yamlfile import InvalidFileError, Problem

SQLITE = Dialect(
    name="sqlite", greatest_function="MAX", hints=True, like="LIKE", insertion_order="rowid"
)


def _cannot_open(path: Path | str, error: BaseException) -> InvalidFileError:
    reason = str(error) or type(error).__name__
    if isinstance(error, sqlite3.DatabaseError) and "not a database" in reason:
        reason = "the file is not an SQLite database (corrupt, or another kind of file)"
    return InvalidFileError([Problem(str(path), 0, 0, f"cannot open the database: {reason}")])


class _SqliteConnection(Connection):
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        await self._db.executemany(sql, rows)

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._db.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


class SqliteDatabase(Database):
    """The connection and the write lock every store shares."""

    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.write_lock = asyncio.Lock()
        self._in_transaction = _SqliteConnection(connection)

    @classmethod
    async def open(
        cls,
        path: Path | str,
        migrations: Sequence[str] = MIGRATIONS,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> SqliteDatabase:
        """Connect, set the pragmas and bring the schema up to date. Anything that stops it
        (a corrupt or locked file, a read-only disk, an unwritable folder) is one positioned
        problem, and the connection is closed: its thread would otherwise keep the process
        alive after the error, and a supervisor would never restart it."""
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

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.write_lock:
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._in_transaction
            except BaseException:
                await self.connection.execute("ROLLBACK")
                raise
            await self.connection.execute("COMMIT")

    async def write(self, sql: str, params: Params = ()) -> int:
        async with self.write_lock, self.connection.execute(sql, params) as cursor:
            return cursor.rowcount

    async def write_returning(self, sql: str, params: Params = ()) -> Row | None:
        async with self.write_lock, self.connection.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    # Reads run to their end in one call to the connection's thread (``execute_fetchall``):
    # a statement left open between calls would let another coroutine's write run inside its
    # read transaction, and with a second process writing (several workers, docs/scaling.md)
    # SQLite refuses such a write at once with "database is locked", whatever the timeout.
    async def one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.connection.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self.connection.execute_fetchall(sql, params))

    async def stream(self, sql: str, params: Params, batch: int) -> AsyncIterator[Row]:
        async with self.connection.execute(sql, params) as cursor:
            cursor.arraysize = batch
            while rows := await cursor.fetchmany():
                for row in rows:
                    yield row

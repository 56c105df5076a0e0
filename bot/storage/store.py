"""The storage layer: every SQL statement of the bot lives in this package.

``Storage`` joins the per-feature stores (quiz, organisation, statistics) over one connection.
Open it with ``await Storage.open(path)``; close it with ``close()``. Migrations
(``migrations.py``) are applied at start-up.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite

from bot.storage.delivery import DeliveryStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.org import OrgStore
from bot.storage.quiz import QuizStore
from bot.storage.stats import StatsStore
from bot.yamlfile import InvalidFileError, Problem

BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another writer before SQLite says "database is locked"."""


def _cannot_open(path: Path | str, error: BaseException) -> InvalidFileError:
    reason = str(error) or type(error).__name__
    if isinstance(error, sqlite3.DatabaseError) and "not a database" in reason:
        reason = "the file is not an SQLite database (corrupt, or another kind of file)"
    return InvalidFileError([Problem(str(path), 0, 0, f"cannot open the database: {reason}")])


class Storage(QuizStore, OrgStore, StatsStore, DeliveryStore):
    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT) -> Storage:
        """Open (creating if need be) and migrate the database. Anything that stops it (a
        corrupt or locked file, a read-only disk, an unwritable folder) is one positioned
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
            storage = cls(connection)
            await storage._migrate()
        except BaseException as error:
            await connection.close()
            if isinstance(error, sqlite3.Error | OSError):
                raise _cannot_open(path, error) from error
            raise
        return storage

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"the database is at schema version {current}, newer than this bot "
                f"({len(MIGRATIONS)}); upgrade the bot instead of downgrading the data"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            await self._db.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )

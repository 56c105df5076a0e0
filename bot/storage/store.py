"""The storage layer: every SQL statement of the bot lives in this package.

``Storage`` joins the per-feature stores (quiz, organisation, statistics) over one connection.
Open it with ``await Storage.open(path)``; close it with ``close()``. Migrations
(``migrations.py``) are applied at start-up.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.storage.delivery import DeliveryStore
from bot.storage.joins import JoinStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.org import OrgStore
from bot.storage.quiz import QuizStore
from bot.storage.stats import StatsStore


class Storage(QuizStore, OrgStore, StatsStore, DeliveryStore, JoinStore):
    @classmethod
    async def open(cls, path: Path | str) -> Storage:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA busy_timeout = 5000")
        storage = cls(connection)
        await storage._migrate()
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

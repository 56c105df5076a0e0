"""What every part of the storage layer shares: the connection, the write lock, the helpers.

One aiosqlite connection in WAL mode serves the whole bot. Writes are serialised by a lock so
that the statements of one transaction never interleave with another coroutine's; reads need
no lock. Times are stored as UTC milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiosqlite

Params = Sequence[Any] | Mapping[str, Any]


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def marks(values: Collection[object]) -> str:
    """The ``?, ?, …`` of an ``IN (…)`` list with one placeholder per value."""
    return ",".join("?" * len(values))


class StoreBase:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection
        self._write_lock = asyncio.Lock()

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

    async def _one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

"""What every store shares: the ``Database`` (one of two engines), its helpers, ``StoreBase``.

A store's SQL is written once and runs on both engines: SQLite (the embedded default, one
aiosqlite connection in WAL mode, ``bot/storage/sqlite.py``) and PostgreSQL (an asyncpg pool,
``bot/storage/postgres.py``). Stores write ``?`` or ``:name`` placeholders and the portable
subset of SQL both engines accept; where the engines really differ (an index hint, scalar
``MAX(a, b)``, case-insensitive ``LIKE``) a store asks the database's ``Dialect`` for the
fragment instead of keeping two copies of a query. Times are stored as UTC milliseconds.

Writes of one process are serialised by one lock for transactions (SQLite: for every write,
since one connection must never run a statement inside another coroutine's transaction);
reads need no lock. Nothing outside ``bot/storage`` sees a connection.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A result row: columns by position or by name (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def marks(values: Collection[object]) -> str:
    """The ``?, ?, …`` of an ``IN (…)`` list with one placeholder per value (``NULL`` for no
    values: PostgreSQL refuses an empty list, and ``x IN (NULL)`` is true for no ``x``)."""
    return ",".join("?" * len(values)) or "NULL"


BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another writer before SQLite says "database is locked"."""


@dataclass(frozen=True)
class Dialect:
    """The few fragments in which the two engines' SQL differs."""

    name: str
    """``sqlite`` or ``postgresql``."""
    greatest_function: str
    """Scalar maximum of two values: SQLite's ``MAX(a, b)``, PostgreSQL's ``GREATEST``."""
    hints: bool
    """SQLite takes ``INDEXED BY``; PostgreSQL's planner picks its index itself."""
    like: str
    """Case-insensitive ``LIKE`` (SQLite's is, for ASCII; PostgreSQL's ``ILIKE``)."""
    insertion_order: str
    """A column that orders rows as they were first inserted (SQLite's ``rowid``)."""

    def greatest(self, a: str, b: str) -> str:
        return f"{self.greatest_function}({a}, {b})"

    def indexed_by(self, index: str) -> str:
        return f"INDEXED BY {index}" if self.hints else ""


class Connection(ABC):
    """The statements of one open transaction."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    @abstractmethod
    async def one(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def all(self, sql: str, params: Params = ()) -> list[Row]: ...


class Database(ABC):
    """One engine's connection(s), the write lock, the schema's migrations."""

    dialect: Dialect

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A write transaction, committed when the block ends and rolled back if it raises."""

    @abstractmethod
    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement committed on its own; the number of rows it changed."""

    @abstractmethod
    async def write_returning(self, sql: str, params: Params = ()) -> Row | None:
        """One statement with ``RETURNING``, committed on its own; its first row."""

    @abstractmethod
    async def one(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def all(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    def stream(self, sql: str, params: Params, batch: int) -> AsyncIterator[Row]:
        """The rows of a large query, fetched ``batch`` at a time."""


class StoreBase:
    """A feature's store: its SQL, over the shared ``Database``."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._dialect = database.dialect

    def _transaction(self) -> AbstractAsyncContextManager[Connection]:
        return self._database.transaction()

    async def _write(self, sql: str, params: Params) -> bool:
        """One statement, committed on its own; True when it changed a row."""
        return await self._database.write(sql, params) > 0

    async def _count(self, sql: str, params: Params) -> int:
        """One statement, committed on its own; how many rows it changed."""
        return await self._database.write(sql, params)

    async def _write_returning(self, sql: str, params: Params) -> Row | None:
        return await self._database.write_returning(sql, params)

    async def _one(self, sql: str, params: Params = ()) -> Row | None:
        return await self._database.one(sql, params)

    async def _all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._database.all(sql, params)

"""Opening the database a setting names, on whichever engine it is."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.storage.base import BUSY_TIMEOUT, Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SqliteDatabase
from bot.storage.url import DatabaseUrl


async def open_database(
    target: DatabaseUrl | Path | str,
    migrations: Sequence[str] = MIGRATIONS,
    *,
    busy_timeout: float = BUSY_TIMEOUT,
) -> Database:
    """Open the database ``target`` names (a SQLite path, ``sqlite:///path`` or
    ``postgresql://…``) and bring its schema up to date. ``migrations``: the schema's history
    (a test builds an older release's database with fewer)."""
    url = DatabaseUrl.of(target)
    if url.engine == "postgresql":
        return await PostgresDatabase.open(url, migrations)
    return await SqliteDatabase.open(url.path, migrations, busy_timeout=busy_timeout)

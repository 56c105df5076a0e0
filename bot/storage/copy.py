"""``db copy``: move a database's data to another engine (a branch's SQLite file to
PostgreSQL, or back), verified table by table.

Both sides are brought to the bot's current schema first (the source is migrated as the bot
would at start-up). The target must hold no rows. Every table is copied in one transaction on
the target, parents before the tables that reference them, with the answer trigger switched
off (the copied quizzes already stand where their answers put them); identities then continue
after the highest copied id. The copy is verified by each table's row count and a checksum of
its rows that does not depend on their order (the engines sort text differently): the sum of
every row's SHA-256, over the columns both sides share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.base import Database
from bot.storage.engines import open_database
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SqliteDatabase
from bot.storage.url import DatabaseUrl

BATCH = 2000
CHECKSUM_BITS = 128


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (
            self.target_rows,
            self.target_checksum,
        )


class CopyRefused(Exception):
    """The copy cannot start (the target holds data, or the schemas differ)."""


async def tables_of(database: Database) -> list[str]:
    """The bot's tables, in an order where a table comes after those it references."""
    if isinstance(database, SqliteDatabase):
        names = [
            row[0]
            for row in await database.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        references = [
            (name, row["table"])
            for name in names
            for row in await database.all(f"PRAGMA foreign_key_list({name})")
        ]
    else:
        names = [
            row[0]
            for row in await database.all(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename != 'schema_version' ORDER BY tablename"
            )
        ]
        references = [
            (row[0], row[1])
            for row in await database.all(
                """
                SELECT c.relname, f.relname FROM pg_constraint k
                JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid
                WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace
                """
            )
        ]
    ordered: list[str] = []
    left = set(names)
    while left:
        ready = sorted(
            t for t in left if not any(c == t and p in left and p != t for c, p in references)
        )
        ordered.extend(ready or sorted(left))
        left -= set(ready or left)
    return ordered


async def columns_of(database: Database, table: str) -> list[str]:
    if isinstance(database, SqliteDatabase):
        return [row[1] for row in await database.all(f"PRAGMA table_info({table})")]
    return [
        row[0]
        for row in await database.all(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    ]


async def checksum(database: Database, table: str, columns: list[str]) -> tuple[int, str]:
    """The table's row count and the order-free checksum of its rows over ``columns``."""
    total, count = 0, 0
    async for row in database.stream(f"SELECT {', '.join(columns)} FROM {table}", (), BATCH):
        values = tuple(row[n] for n in range(len(columns)))
        digest = hashlib.sha256(repr(values).encode()).digest()
        total = (total + int.from_bytes(digest[: CHECKSUM_BITS // 8])) % (1 << CHECKSUM_BITS)
        count += 1
    return count, f"{total:0{CHECKSUM_BITS // 4}x}"


async def copy_database(
    source_url: DatabaseUrl,
    target_url: DatabaseUrl,
    progress: Callable[[str], None] = lambda _: None,
) -> list[TableCopy]:
    """Copy every row of ``source_url`` into the empty ``target_url``; the per-table counts
    and checksums of both sides."""
    source = await open_database(source_url)
    try:
        target = await open_database(target_url)
        try:
            return await _copy(source, target, progress)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(
    source: Database, target: Database, progress: Callable[[str], None]
) -> list[TableCopy]:
    if await source.schema_version() != await target.schema_version():
        raise CopyRefused("the two databases are at different schema versions")
    tables = await tables_of(target)
    if sorted(tables) != sorted(await tables_of(source)):
        raise CopyRefused("the two databases hold different tables")
    for table in tables:
        row = await target.one(f"SELECT COUNT(*) FROM {table}")
        if row is not None and row[0]:
            raise CopyRefused(f"the target already holds data ({table}: {row[0]} rows)")
    shared, order = {}, {}
    for table in tables:
        mine, theirs = await columns_of(source, table), await columns_of(target, table)
        shared[table] = [c for c in mine if c in theirs]
        # org_units: PostgreSQL's ``seq`` is SQLite's rowid (the order units were configured
        # in); rows are copied in that order so that it carries over, either way.
        ordered = "seq" in {*mine, *theirs}
        order[table] = f" ORDER BY {source.dialect.insertion_order}" if ordered else ""
    if isinstance(target, PostgresDatabase):
        await _into_postgres(source, target, tables, shared, order, progress)
    else:
        await _into_sqlite(source, target, tables, shared, order, progress)
    copies = []
    for table in tables:
        rows, digest = await checksum(source, table, shared[table])
        copied, copied_digest = await checksum(target, table, shared[table])
        copies.append(TableCopy(table, rows, copied, digest, copied_digest))
    return copies


async def _into_postgres(
    source: Database,
    target: PostgresDatabase,
    tables: list[str],
    shared: dict[str, list[str]],
    order: dict[str, str],
    progress: Callable[[str], None],
) -> None:
    async with target.pool.acquire() as connection, connection.transaction():
        schema = await connection.fetchval("SELECT current_schema()")
        triggers = await connection.fetch(
            "SELECT event_object_table, trigger_name FROM information_schema.triggers "
            "WHERE trigger_schema = $1",
            schema,
        )
        for table, trigger in triggers:
            await connection.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        for table in tables:
            columns = shared[table]
            batch: list[tuple[object, ...]] = []
            count = 0
            sql = f"SELECT {', '.join(columns)} FROM {table}{order[table]}"
            async for row in source.stream(sql, (), BATCH):
                batch.append(tuple(row[n] for n in range(len(columns))))
                if len(batch) >= BATCH:
                    await connection.copy_records_to_table(
                        table, records=batch, columns=columns, schema_name=schema
                    )
                    count += len(batch)
                    batch = []
            if batch:
                await connection.copy_records_to_table(
                    table, records=batch, columns=columns, schema_name=schema
                )
                count += len(batch)
            progress(f"{table}: {count}")
        # Identities carry on after the highest copied id.
        for table, column in await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = $1 AND is_identity = 'YES'",
            schema,
        ):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
            )
        for table, trigger in triggers:
            await connection.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


async def _into_sqlite(
    source: Database,
    target: Database,
    tables: list[str],
    shared: dict[str, list[str]],
    order: dict[str, str],
    progress: Callable[[str], None],
) -> None:
    triggers = [
        (str(row[0]), str(row[1]))
        for row in await target.all("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    ]
    async with target.transaction() as db:
        for name, _ in triggers:
            await db.execute(f"DROP TRIGGER {name}")
        for table in tables:
            columns = shared[table]
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            batch: list[tuple[object, ...]] = []
            count = 0
            sql = f"SELECT {', '.join(columns)} FROM {table}{order[table]}"
            async for row in source.stream(sql, (), BATCH):
                batch.append(tuple(row[n] for n in range(len(columns))))
                if len(batch) >= BATCH:
                    await db.executemany(insert, batch)
                    count += len(batch)
                    batch = []
            if batch:
                await db.executemany(insert, batch)
                count += len(batch)
            progress(f"{table}: {count}")
        for _, sql in triggers:
            await db.execute(sql)

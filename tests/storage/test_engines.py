"""The two engines hold the same schema, and PostgreSQL's own pieces behave as SQLite's do.

SQLite's schema is its numbered migrations; PostgreSQL's is a baseline written for it plus the
migrations after it, translated. These tests compare what each engine really holds (tables,
columns with their kind and nullability, unique keys, indexes with their columns and whether
they are partial, triggers), so the two cannot drift apart.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.quiz.rules import Verdict
from bot.storage import Storage
from bot.storage.migrations import MIGRATIONS
from bot.storage.postgres import BASELINE_VERSION, PostgresDatabase, postgres_script, translate
from bot.storage.url import DatabaseUrl
from bot.yamlfile import InvalidFileError
from tests.engines import postgres_schema, postgres_url

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
POSTGRES_ONLY = {("org_units", "seq")}
"""Columns only PostgreSQL has: ``seq`` stands in for SQLite's ``rowid`` (units listed in the
order they were first configured)."""

Schema = dict[str, Any]


def _kind(declared: str) -> str:
    declared = declared.lower()
    if "int" in declared:
        return "integer"
    if "char" in declared or "text" in declared:
        return "text"
    return declared


def sqlite_schema(path: Path) -> Schema:
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        columns = {
            table: {
                (row[1], _kind(row[2]), bool(row[3]) or bool(row[5]))
                for row in db.execute(f"PRAGMA table_info({table})")
            }
            for table in tables
        }
        unique: dict[str, set[tuple[str, ...]]] = {}
        indexes: set[tuple[str, str, tuple[str, ...], bool, bool]] = set()
        for table in tables:
            primary = sorted(
                (row[5], row[1]) for row in db.execute(f"PRAGMA table_info({table})") if row[5]
            )
            keys = {tuple(name for _, name in primary)}
            for _, name, is_unique, origin, partial in db.execute(f"PRAGMA index_list({table})"):
                cols = tuple(row[2] for row in db.execute(f"PRAGMA index_info({name})"))
                if origin == "c":
                    indexes.add((name, table, cols, bool(is_unique), bool(partial)))
                elif is_unique:
                    keys.add(cols)
            unique[table] = keys
        triggers = {
            (row[0], row[1])
            for row in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='trigger'")
        }
    return {
        "tables": tables,
        "columns": columns,
        "unique": unique,
        "indexes": indexes,
        "triggers": triggers,
    }


async def postgres_schema_of(database: PostgresDatabase) -> Schema:
    pool = database.pool
    schema = await pool.fetchval("SELECT current_schema()")
    tables = [
        row[0]
        for row in await pool.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1 "
            "AND tablename != 'schema_version' ORDER BY tablename",
            schema,
        )
    ]
    columns: dict[str, set[tuple[str, str, bool]]] = {table: set() for table in tables}
    for row in await pool.fetch(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema = $1",
        schema,
    ):
        if row[0] in columns and (row[0], row[1]) not in POSTGRES_ONLY:
            columns[row[0]].add((row[1], _kind(row[2]), row[3] == "NO"))
    unique: dict[str, set[tuple[str, ...]]] = {table: set() for table in tables}
    indexes: set[tuple[str, str, tuple[str, ...], bool, bool]] = set()
    for row in await pool.fetch(
        """
        SELECT i.relname, t.relname, x.indisunique, x.indpred IS NOT NULL,
               EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid),
               ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(n, o)
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n
                     ORDER BY k.o)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = $1::regnamespace
        """,
        schema,
    ):
        name, table, is_unique, partial, constraint, cols = row
        if table not in unique:
            continue
        if constraint:
            unique[table].add(tuple(cols))
        else:
            indexes.add((name, table, tuple(cols), is_unique, partial))
    triggers = {
        (row[0], row[1])
        for row in await pool.fetch(
            "SELECT trigger_name, event_object_table FROM information_schema.triggers "
            "WHERE trigger_schema = $1",
            schema,
        )
    }
    return {
        "tables": tables,
        "columns": columns,
        "unique": unique,
        "indexes": indexes,
        "triggers": triggers,
    }


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_both_engines_hold_the_same_schema(database: DatabaseUrl, tmp_path: Path) -> None:
    lite = await Storage.open(tmp_path / "bot.sqlite3")
    await lite.close()
    expected = sqlite_schema(tmp_path / "bot.sqlite3")
    storage = await Storage.open(database)
    try:
        assert isinstance(storage.database, PostgresDatabase)
        assert await storage.schema_version() == len(MIGRATIONS)
        found = await postgres_schema_of(storage.database)
    finally:
        await storage.close()
    assert found["tables"] == expected["tables"]
    for key in ("columns", "unique"):
        for table in expected["tables"]:
            assert (table, found[key][table]) == (table, expected[key][table])
    assert found["indexes"] == expected["indexes"]
    assert found["triggers"] == expected["triggers"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_migrations_after_the_baseline_run_on_postgresql(database: DatabaseUrl) -> None:
    """A migration appended in the portable subset is applied at the next start, once."""
    later = (
        *MIGRATIONS,
        """
        CREATE TABLE later_things (
            id INTEGER PRIMARY KEY,
            telegram_id INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX later_things_person ON later_things(telegram_id) WHERE note != '';
        """,
    )
    storage = await Storage.open(database)
    await storage.close()
    opened = await PostgresDatabase.open(database, later)
    try:
        assert await opened.schema_version() == len(later)
        await opened.write(
            "INSERT INTO later_things (telegram_id) VALUES (?)", (7_000_000_000_000,)
        )
        row = await opened.one("SELECT id, telegram_id FROM later_things")
        assert row is not None and (row[0], row[1]) == (1, 7_000_000_000_000)
    finally:
        await opened.close()
    again = await PostgresDatabase.open(database, later)
    await again.close()
    with pytest.raises(RuntimeError, match="newer than this bot"):
        await PostgresDatabase.open(database, MIGRATIONS)


def test_the_baseline_is_sqlites_schema_at_its_version() -> None:
    assert len(MIGRATIONS) >= BASELINE_VERSION


def test_portable_migrations_are_translated_for_postgresql() -> None:
    script = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, at INTEGER);"
    assert postgres_script(script) == (
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        "n BIGINT NOT NULL, at BIGINT);"
    )
    assert postgres_script("PRIMARY KEY (a, b)) WITHOUT ROWID;") == "PRIMARY KEY (a, b));"


@pytest.mark.parametrize(
    ("sql", "expected", "shape"),
    [
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2", 2),
        ("SELECT :a, :b, :a", "SELECT $1, $2, $1", ("a", "b")),
        (
            "SELECT '?', ':x', \"q?\" FROM t WHERE a = ?",
            "SELECT '?', ':x', \"q?\" FROM t WHERE a = $1",
            1,
        ),
        ("SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , $1", 1),
        (
            "SELECT a::text -- what?\nFROM t WHERE b = ?",
            "SELECT a::text -- what?\nFROM t WHERE b = $1",
            1,
        ),
        ("SELECT x LIKE :n ESCAPE '\\'", "SELECT x LIKE $1 ESCAPE '\\'", ("n",)),
    ],
)
def test_placeholders_are_numbered_outside_literals(
    sql: str, expected: str, shape: tuple[str, ...] | int
) -> None:
    assert translate(sql) == (expected, shape)


async def test_the_answer_trigger_moves_the_quiz_on(database: DatabaseUrl) -> None:
    """Both engines: one insert records the answer and advances the quiz; the last answer
    finishes it; a second answer to the same question changes nothing."""
    storage = await Storage.open(database)
    try:
        member = await storage.org.upsert_member(7_000_000_001, "张", None, None, NOW)
        session = await storage.quiz.start_session(
            member, -1_001_234_567_890, ("a", "b"), ((0, 1), (1, 0)), "v", NOW,
            seen=["a", "b"], reset_bag=True,
        )  # fmt: skip
        assert session is not None
        right = Verdict(frozenset({1}), correct=True, timed_out=False)
        after = await storage.quiz.record_answer(session, "a", right, NOW, 900)
        assert after is not None and (after.position, after.score, after.active) == (1, 1, True)
        assert await storage.quiz.record_answer(session, "a", right, NOW, 900) is None
        done = await storage.quiz.record_answer(after, "b", right, NOW, 800)
        assert done is not None and not done.active and done.score == 2
        assert done.chat_id == -1_001_234_567_890
        overview = await storage.quiz.member_overview(member)
        assert (overview.quizzes_finished, overview.answers, overview.correct) == (1, 2, 2)
        assert isinstance(overview.correct, int)
    finally:
        await storage.close()


async def test_a_server_that_does_not_answer_is_one_problem_without_the_password() -> None:
    with pytest.raises(InvalidFileError) as error:
        await Storage.open("postgresql://bot:s3cret@127.0.0.1:9/branches")
    (problem,) = error.value.problems
    assert str(problem).startswith("postgresql://bot:***@127.0.0.1:9/branches: cannot open")
    assert "s3cret" not in str(problem)


@pytest.mark.postgresql
async def test_processes_starting_together_create_the_schema_once() -> None:
    """Several bot processes starting at once on an empty database: the advisory lock lets one
    create the baseline; the others find it made."""
    async with postgres_schema(postgres_url(), fresh=True) as database:
        opened = await asyncio.gather(*(Storage.open(database) for _ in range(4)))
        try:
            versions = {await storage.schema_version() for storage in opened}
            assert versions == {len(MIGRATIONS)}
            tables = await opened[0].database.all(
                "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"
            )
            assert tables[0][0] > 10
        finally:
            for storage in opened:
                await storage.close()

"""PostgreSQL, the second engine: a pool of asyncpg connections behind the same ``Database``.

Stores write SQLite's placeholders (``?`` and ``:name``); ``translate`` turns them into
PostgreSQL's ``$1, $2, …`` once per distinct statement (a small tokenizer that leaves string
literals, quoted names, comments and ``::`` casts alone). A single statement runs on any pooled
connection and commits on its own; a transaction holds one pooled connection from ``BEGIN`` to
``COMMIT`` and takes the process's write lock, so the transactions of one process run one at a
time as they do on SQLite. ``numeric`` results (``SUM`` of a ``BIGINT``) come back as ``int``,
or ``float`` when they have a fraction, as SQLite's do.

The schema: a new database gets ``BASELINE`` (SQLite's schema at version ``BASELINE_VERSION``,
written for PostgreSQL: ``BIGINT`` for Telegram ids and millisecond times, identity columns,
the answer trigger in PL/pgSQL) and a ``schema_version`` row; every migration after the
baseline is written once, in the portable subset, and runs on both engines, translated here
by ``postgres_script`` (``INTEGER PRIMARY KEY`` → a ``BIGINT`` identity, ``INTEGER`` →
``BIGINT``). Start-up migrations take an advisory lock, so processes starting together do not
race.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from bot.storage.base import Connection, Database, Dialect, Params, Row
from bot.storage.migrations import MIGRATIONS
from bot.storage.url import DatabaseUrl
from bot.yamlfile import InvalidFileError, Problem

POSTGRES = Dialect(
    name="postgresql",
    greatest_function="GREATEST",
    hints=False,
    like="ILIKE",
    insertion_order="seq",
)

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for the server before start-up gives up with one problem (asyncpg's
default is a minute)."""

MIGRATION_LOCK = 7_316_016
"""The advisory lock (with the schema's name, so that databases in other schemas of the same
server do not wait for each other) held while a process brings the schema up to date."""

BUSY_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
)
"""PostgreSQL's ways of saying "not now, try again" (SQLite's "database is locked")."""


# Placeholders


@lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """``sql`` with ``?`` and ``:name`` placeholders as ``$n``; with the names in order (for
    named parameters) or the count (for positional ones)."""
    out: list[str] = []
    names: list[str] = []
    positional = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # a doubled quote
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif sql.startswith("::", i):
            out.append("::")
            i += 2
        elif c == "?":
            positional += 1
            out.append(f"${positional}")
            i += 1
        elif c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = end
        else:
            out.append(c)
            i += 1
    if positional and names:
        raise ValueError("a statement mixes ? and :name placeholders")
    return "".join(out), (tuple(names) if names else positional)


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    query, shape = translate(sql)
    if isinstance(params, Mapping):
        if isinstance(shape, int):
            if shape:
                raise ValueError("named parameters for a statement with ? placeholders")
            return query, []
        return query, [params[name] for name in shape]
    if isinstance(shape, tuple):
        raise ValueError("positional parameters for a statement with :name placeholders")
    values = list(params)
    if len(values) != shape:
        raise ValueError(f"{shape} placeholders, {len(values)} parameters")
    return query, values


def _rowcount(status: str) -> int:
    """The rows a statement changed, from its status (``UPDATE 3``, ``INSERT 0 1``)."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eEN") else int(text)


async def _keep(connection: asyncpg.Connection) -> None:
    """What the pool does to a connection it gets back, besides rolling back an open
    transaction (asyncpg does that first, always): nothing. asyncpg's default sends
    ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` after every statement run
    through the pool, a second round trip each; the stores never leave session state (no
    ``SET``, no ``LISTEN``, only transaction-level advisory locks). Code that needs session
    state takes a connection of its own, not one of this pool's."""


async def _setup(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec(
        "numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text"
    )


# Migrations


BASELINE_VERSION = 10
"""``BASELINE`` is SQLite's schema after this many migrations."""

BASELINE = """
CREATE TABLE members (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    -- NULL for someone listed on a branch roster who has not opened the bot yet.
    telegram_id BIGINT UNIQUE,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT,
    username TEXT,
    real_name TEXT,
    branch_id TEXT,
    party_joined_on TEXT,
    pending_invite TEXT,
    unreachable_since BIGINT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT
);
CREATE TABLE quiz_sessions (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members(id),
    chat_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'finished', 'cancelled')),
    question_ids TEXT NOT NULL,
    option_orders TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    selection TEXT NOT NULL DEFAULT '[]',
    message_id BIGINT,
    question_shown_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    score BIGINT NOT NULL DEFAULT 0,
    question_count BIGINT NOT NULL,
    branch_id TEXT,
    bank_version TEXT NOT NULL
);
CREATE TABLE answers (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES quiz_sessions(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    position BIGINT NOT NULL,
    question_id TEXT NOT NULL,
    chosen TEXT NOT NULL,
    correct BIGINT NOT NULL,
    timed_out BIGINT NOT NULL DEFAULT 0,
    points BIGINT NOT NULL,
    answered_at BIGINT NOT NULL,
    ms_taken BIGINT NOT NULL,
    UNIQUE (session_id, position)
);
CREATE TABLE seen_questions (
    member_id BIGINT NOT NULL REFERENCES members(id),
    question_id TEXT NOT NULL,
    PRIMARY KEY (member_id, question_id)
);
CREATE TABLE org_units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT,
    leaderboard BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    -- SQLite's rowid: units are listed in the order they were first configured.
    seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    branch_id TEXT NOT NULL REFERENCES org_units(id),
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE TABLE role_grants (
    telegram_id BIGINT NOT NULL,
    unit_id TEXT NOT NULL,
    granted_by BIGINT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (telegram_id, unit_id)
);
CREATE TABLE transfers (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members(id),
    from_branch TEXT,
    to_branch TEXT NOT NULL,
    by_telegram_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE TABLE group_chats (
    chat_id BIGINT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES org_units(id),
    bound_by BIGINT NOT NULL,
    bound_at BIGINT NOT NULL
);
CREATE TABLE refusals (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    telegram_id BIGINT NOT NULL,
    command TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE TABLE events (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    branch_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurs_at BIGINT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_at BIGINT NOT NULL,
    agenda TEXT NOT NULL DEFAULT '',
    speaker TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    edited_by BIGINT,
    edited_at BIGINT
);
CREATE TABLE batches (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    unit_id TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    occurs_at BIGINT,
    progress_chat_id BIGINT,
    progress_message_id BIGINT,
    finished_at BIGINT,
    event_id BIGINT REFERENCES events(id)
);
CREATE TABLE deliveries (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    chat_id BIGINT,
    member_id BIGINT REFERENCES members(id),
    text TEXT NOT NULL,
    reply_markup TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_error TEXT,
    sent_at BIGINT,
    message_id BIGINT,
    acknowledged_at BIGINT,
    UNIQUE (batch_id, chat_id),
    UNIQUE (batch_id, member_id)
);
CREATE TABLE pending_input (
    telegram_id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE scheduler_state (
    name TEXT PRIMARY KEY,
    checked_until BIGINT NOT NULL
);
CREATE TABLE corrections (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    question_id TEXT NOT NULL,
    bank_version TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members(id),
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_by BIGINT,
    closed_at BIGINT,
    reply TEXT
);
CREATE TABLE attendance (
    event_id BIGINT NOT NULL REFERENCES events(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    reply TEXT CHECK (reply IN ('yes', 'leave')),
    reason TEXT,
    replied_at BIGINT,
    present BIGINT NOT NULL DEFAULT 0,
    signed_by BIGINT,
    signed_kind TEXT CHECK (signed_kind IN ('self', 'proxy', 'late')),
    signed_at BIGINT,
    PRIMARY KEY (event_id, member_id)
);
CREATE TABLE join_requests (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('join', 'rename')),
    telegram_id BIGINT NOT NULL,
    branch_id TEXT NOT NULL,
    name TEXT NOT NULL,
    old_name TEXT,
    invite_code TEXT,
    created_at BIGINT NOT NULL,
    approved BIGINT,
    decided_by BIGINT,
    decided_at BIGINT
);
CREATE TABLE memberships (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members(id),
    branch_id TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    left_at BIGINT,
    left_reason TEXT CHECK (left_reason IN ('transfer', 'expelled', 'died', 'moved_out')),
    recorded_by BIGINT,
    CHECK (left_at IS NULL OR left_at >= joined_at)
);

CREATE UNIQUE INDEX quiz_sessions_one_active ON quiz_sessions(member_id)
    WHERE status = 'active';
CREATE INDEX quiz_sessions_member ON quiz_sessions(member_id, started_at);
CREATE INDEX answers_member ON answers(member_id, answered_at);
CREATE INDEX answers_question ON answers(question_id);
CREATE INDEX invites_branch ON invites(branch_id);
CREATE INDEX deliveries_due ON deliveries(next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_batch ON deliveries(batch_id, status);
CREATE INDEX batches_kind ON batches(kind, occurs_at);
CREATE INDEX corrections_open ON corrections(question_id) WHERE closed_at IS NULL;
CREATE INDEX quiz_sessions_branch
    ON quiz_sessions(branch_id, finished_at, member_id, score, question_count, status)
    WHERE status = 'finished';
CREATE INDEX members_branch ON members(branch_id, telegram_id, unreachable_since);
CREATE INDEX events_branch ON events(branch_id, kind, occurs_at);
CREATE INDEX events_kind ON events(kind, occurs_at);
CREATE INDEX batches_event ON batches(event_id) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX join_requests_open ON join_requests(telegram_id, kind)
    WHERE decided_at IS NULL;
CREATE INDEX memberships_branch ON memberships(branch_id, joined_at, left_at, member_id);
CREATE UNIQUE INDEX memberships_open ON memberships(member_id) WHERE left_at IS NULL;
CREATE INDEX quiz_sessions_member_finished ON quiz_sessions(member_id, finished_at)
    WHERE status = 'finished';

-- Recording an answer moves its quiz on in the same statement (SQLite's trigger of the same
-- name, in PL/pgSQL).
CREATE FUNCTION answers_advance_quiz() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE quiz_sessions SET
        position = position + 1,
        selection = '[]',
        score = score + NEW.points,
        question_shown_at = NEW.answered_at,
        message_id = NULL,
        status = CASE WHEN position + 1 >= question_count THEN 'finished' ELSE 'active' END,
        finished_at = CASE WHEN position + 1 >= question_count THEN NEW.answered_at END
    WHERE id = NEW.session_id AND position = NEW.position;
    RETURN NULL;
END
$$;
CREATE TRIGGER answers_advance_quiz AFTER INSERT ON answers
    FOR EACH ROW EXECUTE FUNCTION answers_advance_quiz();
"""
"""The PostgreSQL schema equal to SQLite's after ``BASELINE_VERSION`` migrations (a test
compares the two engines' tables, columns, indexes and triggers)."""

_IDENTITY = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\b(?!\s*\()", re.IGNORECASE)
_INTEGER = re.compile(r"\bINTEGER\b", re.IGNORECASE)
_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT\s+ROWID\b", re.IGNORECASE)


def postgres_script(script: str) -> str:
    """A migration written in the portable subset, as PostgreSQL needs it: ids
    ``INTEGER PRIMARY KEY`` become ``BIGINT`` identities, other ``INTEGER`` columns ``BIGINT``
    (Telegram ids and millisecond times pass 2³¹)."""
    script = _IDENTITY.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", script)
    script = _INTEGER.sub("BIGINT", script)
    return _WITHOUT_ROWID.sub(")", script)


# The database


def _cannot_open(url: DatabaseUrl, error: BaseException) -> InvalidFileError:
    reason = str(error) or type(error).__name__
    return InvalidFileError([Problem(str(url), 0, 0, f"cannot open the database: {reason}")])


class _PostgresConnection(Connection):
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._c = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        query, args = _args(sql, params)
        return _rowcount(await self._c.execute(query, *args))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        query = _args(sql, rows[0])[0]
        await self._c.executemany(query, [_args(sql, row)[1] for row in rows])

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        query, args = _args(sql, params)
        row: Row | None = await self._c.fetchrow(query, *args)
        return row

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        query, args = _args(sql, params)
        return list(await self._c.fetch(query, *args))


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database (and its ``search_path``)."""

    dialect = POSTGRES

    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl) -> None:
        self.pool = pool
        self.url = url
        self.write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls, url: DatabaseUrl, migrations: Sequence[str] = MIGRATIONS, **_: object
    ) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(
                url.url,
                min_size=1,
                max_size=10,
                init=_setup,
                reset=_keep,
                statement_cache_size=1024,
                timeout=CONNECT_TIMEOUT,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise _cannot_open(url, error) from error
        database = cls(pool, url)
        try:
            await database.migrate(migrations)
        except BaseException:
            await pool.close()
            raise
        return database

    async def close(self) -> None:
        await self.pool.close()

    async def schema_version(self) -> int:
        if not await self.pool.fetchval("SELECT to_regclass('schema_version') IS NOT NULL"):
            return 0
        return int(await self.pool.fetchval("SELECT version FROM schema_version"))

    async def migrate(self, migrations: Sequence[str]) -> None:
        """Create the baseline in an empty database, then apply the migrations after it, all
        in one transaction under an advisory lock."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))", MIGRATION_LOCK
            )
            version = await connection.fetchval(
                "SELECT version FROM schema_version"
                if await connection.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
                else "SELECT NULL"
            )
            if version is None:
                if len(migrations) < BASELINE_VERSION:
                    raise RuntimeError(
                        f"a PostgreSQL database starts at schema version {BASELINE_VERSION}"
                    )
                await connection.execute(BASELINE)
                await connection.execute(
                    "CREATE TABLE schema_version (version BIGINT NOT NULL);"
                    f"INSERT INTO schema_version VALUES ({BASELINE_VERSION})"
                )
                version = BASELINE_VERSION
            if version > len(migrations):
                raise RuntimeError(
                    f"the database is at schema version {version}, newer than this bot "
                    f"({len(migrations)}); upgrade the bot instead of downgrading the data"
                )
            for number, script in enumerate(migrations[version:], start=version + 1):
                await connection.execute(postgres_script(script))
                await connection.execute("UPDATE schema_version SET version = $1", number)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.write_lock, self.pool.acquire() as connection, connection.transaction():
            yield _PostgresConnection(connection)

    async def write(self, sql: str, params: Params = ()) -> int:
        query, args = _args(sql, params)
        return _rowcount(await self.pool.execute(query, *args))

    async def write_returning(self, sql: str, params: Params = ()) -> Row | None:
        query, args = _args(sql, params)
        row: Row | None = await self.pool.fetchrow(query, *args)
        return row

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        query, args = _args(sql, params)
        row: Row | None = await self.pool.fetchrow(query, *args)
        return row

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        query, args = _args(sql, params)
        return list(await self.pool.fetch(query, *args))

    async def stream(self, sql: str, params: Params, batch: int) -> AsyncIterator[Row]:
        query, args = _args(sql, params)
        async with self.pool.acquire() as connection, connection.transaction():
            async for row in connection.cursor(query, *args, prefetch=batch):
                yield row

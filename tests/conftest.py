"""Fixtures shared by every test tier."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from bot.quiz.bank import load_bank
from bot.quiz.questions import Bank
from bot.storage.url import DatabaseUrl
from tests.engines import (
    ALL_ENGINES,
    ENGINES_ENV,
    REQUIRE_POSTGRES_ENV,
    database_for,
    drop_free_schemas,
    drop_stale_schemas,
    postgres_answers,
    postgres_url,
    skip_line,
    wanted_engines,
)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_BANK = FIXTURES / "bank"

# No per-example deadline: the machines have two cores shared with the rest of the suite, and a
# parser that took 277 ms once under load is not slow (the tests bound their own work).
settings.register_profile("shared-cores", deadline=None)
settings.load_profile("shared-cores")


@pytest.fixture
def sample_bank() -> Bank:
    return load_bank([SAMPLE_BANK]).bank


# The storage engines (tests/engines.py): a test that takes the ``database`` fixture runs once
# on each engine; without a PostgreSQL server that half is deselected, said in one line.

POSTGRES_SKIPPED = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    wanted = wanted_engines()
    if "postgresql" not in wanted:
        config.stash[POSTGRES_SKIPPED] = (
            f"PostgreSQL tests not run ({ENGINES_ENV}={','.join(wanted)})"
        )
        return
    reason = postgres_answers(postgres_url())
    if reason is not None:
        if os.environ.get(REQUIRE_POSTGRES_ENV):
            raise pytest.UsageError(f"{REQUIRE_POSTGRES_ENV} is set, but {reason}")
        config.stash[POSTGRES_SKIPPED] = skip_line(reason)
    else:
        drop_stale_schemas(postgres_url())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = wanted_engines()
    skipped = POSTGRES_SKIPPED in config.stash

    def dropped(item: pytest.Item) -> bool:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("database") if callspec else None
        needs_postgres = engine == "postgresql" or item.get_closest_marker("postgresql")
        if needs_postgres and ("postgresql" not in wanted or skipped):
            return True
        return engine is not None and engine not in wanted

    deselected = [item for item in items if dropped(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not dropped(item)]


def pytest_sessionfinish(session: pytest.Session) -> None:
    drop_free_schemas()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if POSTGRES_SKIPPED in config.stash:
        terminalreporter.write_line(config.stash[POSTGRES_SKIPPED])


@pytest.fixture(params=ALL_ENGINES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DatabaseUrl]:
    """A new, empty database: a SQLite file, then a PostgreSQL schema of its own."""
    async with database_for(request.param, tmp_path) as url:
        yield url

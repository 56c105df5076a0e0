"""Migrations that copy rows must not scan a table once per row: on a city's database
(180,000 members and as many transfers) the membership backfill did, and upgrading took
hours (``bench/citygen.py``, which runs the same SQL, never finished). The plan is read with
``EXPLAIN QUERY PLAN`` on the schema as the migration finds it, so the test needs no data
and no timing."""

from __future__ import annotations

import sqlite3

from bot.storage.migrations import MEMBERSHIP_BACKFILL, MIGRATIONS


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def test_the_membership_backfill_scans_no_table_per_row() -> None:
    db = sqlite3.connect(":memory:")
    before = MIGRATIONS.index(next(m for m in MIGRATIONS if MEMBERSHIP_BACKFILL in m))
    for script in MIGRATIONS[:before]:
        db.executescript(script)
    db.executescript(MIGRATIONS[before].replace(MEMBERSHIP_BACKFILL, ""))
    for statement in _statements(MEMBERSHIP_BACKFILL):
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}")]
        assert not any(step.startswith("CORRELATED") for step in plan), (statement, plan)

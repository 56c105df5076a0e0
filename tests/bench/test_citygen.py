"""The city generator at a tiny size: its database is sound, holds what the bot itself would
have written (replayed through the real trigger), and the bot's statistics run on it."""

from __future__ import annotations

import asyncio
import io
import json
import multiprocessing
import sqlite3
from collections import Counter
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bench import citygen
from bot.clock import FixedClock
from bot.i18n import ZH_CN
from bot.org.importer import load_units_file
from bot.org.tree import Level, OrgTree, tree_problems
from bot.quiz.bank import load_bank
from bot.quiz.questions import QuestionType
from bot.stats.periods import Period, Span
from bot.stats.report_process import ReportProcess
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.storage.migrations import MIGRATIONS
from tests.conftest import SAMPLE_BANK

ZONE = ZoneInfo("Asia/Shanghai")
MONTH = Period(Span.MONTH, 2026, 10)
CLOCK = FixedClock(datetime(2026, 11, 2, 1, tzinfo=UTC))
"""The day after the generated data ends."""


@dataclass(frozen=True)
class City:
    db: Path
    org: Path
    result: dict[str, object]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    folder = tmp_path_factory.mktemp("city")
    db, org = folder / "city.sqlite3", folder / "org.yaml"
    sizes = "--branches 60 --members 400 --visitors 10 --months 3 --until 2026-11-01 --seed 7"
    result = citygen.main(
        ["--out", str(db), "--org-out", str(org), "--bank", str(SAMPLE_BANK), *sizes.split()]
    )
    return City(db, org, result)


@pytest.fixture
def db(city: City) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{city.db}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


async def test_schema_is_the_migrated_one_and_the_data_is_sound(
    city: City, db: sqlite3.Connection, tmp_path: Path
) -> None:
    fresh = await Storage.open(tmp_path / "fresh.sqlite3")
    await fresh.close()
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as migrated:
        expected = sorted(migrated.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    actual = sorted(
        tuple(r) for r in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
    )
    assert actual == expected
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r[0] for r in db.execute("PRAGMA integrity_check")] == ["ok"]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    rows = city.result["rows"]
    assert isinstance(rows, dict)
    assert rows["members"] == 410
    assert rows["org_units"] == 60
    assert 0 < rows["quiz_sessions"] < 410 * 3 * 2
    assert rows["answers"] == db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    assert json.loads(json.dumps(city.result))["db_mb"] > 0


def test_quizzes_are_what_the_trigger_makes_of_them(db: sqlite3.Connection) -> None:
    """Replay every quiz as the bot plays it — started, each question shown, each answer
    inserted so the real trigger moves the quiz on, /cancel for a cancelled one — and compare
    with the generated row, column by column."""
    replay = sqlite3.connect(":memory:")
    replay.executescript(";".join(MIGRATIONS))
    statuses: Counter[str] = Counter()
    sessions = db.execute("SELECT * FROM quiz_sessions ORDER BY id").fetchall()
    for session in sessions:
        replay.execute(
            """
            INSERT INTO quiz_sessions (id, member_id, chat_id, status, question_ids,
                option_orders, question_shown_at, started_at, question_count, branch_id,
                bank_version)
            VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)
            """,
            (session["id"], session["member_id"], session["chat_id"], session["question_ids"],
             session["option_orders"], session["started_at"], session["started_at"],
             session["question_count"], session["branch_id"], session["bank_version"]),
        )  # fmt: skip
        answers = db.execute(
            "SELECT * FROM answers WHERE session_id = ? ORDER BY position", (session["id"],)
        ).fetchall()
        for answer in answers:
            replay.execute(
                "UPDATE quiz_sessions SET message_id = 1, question_shown_at = ? WHERE id = ?",
                (answer["answered_at"] - answer["ms_taken"], session["id"]),
            )
            replay.execute(
                """
                INSERT INTO answers (session_id, member_id, position, question_id, chosen,
                    correct, timed_out, points, answered_at, ms_taken)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                tuple(answer)[1:],
            )
        if session["status"] == "cancelled":
            replay.execute(
                """
                UPDATE quiz_sessions SET message_id = ?, question_shown_at = ?, status =
                    'cancelled', finished_at = ? WHERE id = ? AND status = 'active'
                """,
                (session["message_id"], session["question_shown_at"], session["finished_at"],
                 session["id"]),
            )  # fmt: skip
        replayed = replay.execute("SELECT * FROM quiz_sessions WHERE id = ?", (session["id"],))
        assert tuple(replayed.fetchone()) == tuple(session)
        assert [a["answered_at"] for a in answers] == sorted(a["answered_at"] for a in answers)
        statuses[session["status"]] += 1
    assert statuses["finished"] > 100
    assert set(statuses) <= {"finished", "cancelled"}


def test_answers_bags_and_people_follow_the_bot_rules(db: sqlite3.Connection) -> None:
    bank = load_bank([SAMPLE_BANK]).bank
    for answer in db.execute(
        "SELECT a.*, s.question_ids, s.option_orders FROM answers a "
        "JOIN quiz_sessions s ON s.id = a.session_id"
    ):
        question = bank.by_id[answer["question_id"]]
        assert json.loads(answer["question_ids"])[answer["position"]] == question.id
        chosen = json.loads(answer["chosen"])
        assert chosen == sorted(chosen) and chosen
        assert answer["correct"] == (set(chosen) == question.answer) == answer["points"]
        order = json.loads(answer["option_orders"])[answer["position"]]
        assert sorted(order) == list(range(len(question.options)))
        if question.type is QuestionType.JUDGE:
            assert order == [0, 1]
    # The whole four-question bank is drawn each quiz, so every bag holds all of it.
    bags = db.execute("SELECT member_id, COUNT(*) FROM seen_questions GROUP BY member_id")
    quizzing = {r[0] for r in db.execute("SELECT DISTINCT member_id FROM quiz_sessions")}
    assert dict(bags.fetchall()) == dict.fromkeys(quizzing, len(bank))
    # At most one quiz in progress per member, ever: a member's quizzes never overlap.
    last_end: dict[int, int] = {}
    for quiz in db.execute("SELECT * FROM quiz_sessions ORDER BY member_id, started_at"):
        assert quiz["started_at"] > last_end.get(quiz["member_id"], 0)
        last_end[quiz["member_id"]] = quiz["finished_at"]
    roster = db.execute("SELECT * FROM members WHERE telegram_id IS NULL").fetchall()
    assert roster and all(r["branch_id"] and r["last_seen_at"] is None for r in roster)
    visitors = db.execute("SELECT id FROM members WHERE branch_id IS NULL").fetchall()
    assert len(visitors) == 10
    joined = db.execute("SELECT COUNT(*) FROM members WHERE branch_id IS NOT NULL").fetchone()
    roster_count = len(roster)
    first_joins = db.execute("SELECT COUNT(*) FROM transfers WHERE from_branch IS NULL")
    assert first_joins.fetchone()[0] == joined[0] - roster_count


async def test_org_file_and_units_agree_and_every_branch_has_a_secretary(
    city: City, db: sqlite3.Connection
) -> None:
    settings = load_units_file(city.org)
    units = [s.unit() for s in settings]
    assert tree_problems(units) == []
    stored = db.execute("SELECT id, name, level, kind, parent_id FROM org_units ORDER BY rowid")
    assert [tuple(r) for r in stored] == [
        (u.id, u.name, u.level.value, u.kind.value, u.parent) for u in units
    ]
    levels = Counter(u.level for u in units)
    assert levels[Level.BRANCH] > levels[Level.GENERAL_BRANCH] > 0
    granted = {r[0] for r in db.execute("SELECT unit_id FROM role_grants")}
    named = {s.id for s in settings if s.secretaries}
    branches = {u.id for u in units if u.level is Level.BRANCH}
    assert branches <= granted | named and not granted & named
    for invite in db.execute("SELECT * FROM invites"):
        member = db.execute(
            "SELECT branch_id FROM members WHERE telegram_id = ?", (invite["created_by"],)
        ).fetchone()
        assert member is not None


async def test_the_bots_statistics_run_on_it(city: City, db: sqlite3.Connection) -> None:
    storage = await Storage.open(city.db)
    try:
        stats = await StatsService.reading(storage, ZONE, CLOCK)
        tree = stats.tree
        branch = sorted(u.id for u in tree.branches)[3]
        report = await stats.report(branch, MONTH)
        assert report.figures.members == len(await stats.enrolments([branch], stats.window(MONTH)))
        start, end = (int(b.timestamp() * 1000) for b in MONTH.bounds(ZONE))
        quizzes = db.execute(
            "SELECT COUNT(*) FROM quiz_sessions WHERE status = 'finished' AND branch_id = ? "
            "AND finished_at >= ? AND finished_at < ?",
            (branch, start, end),
        ).fetchone()[0]
        assert report.figures.quizzes == quizzes
        district = next(u for u in tree.units if u.parent == "city")
        ranking = await stats.ranking(district.id, MONTH)
        assert {f.branch_id for f in ranking} == tree.branches_under([district.id])
        assert sum(f.quizzes for f in ranking) > 0
        data = await stats.ledger(branch, Period(Span.YEAR, 2026), {}, ZH_CN)
        assert data.startswith(b"PK")
    finally:
        await storage.close()
    generated = datetime.fromisoformat(str(city.result["until"]))
    assert generated == datetime(2026, 10, 31, 16, tzinfo=UTC)


async def test_ranking_of_the_whole_city_with_visitors(city: City) -> None:
    storage = await Storage.open(city.db)
    try:
        stats = await StatsService.reading(storage, ZONE, CLOCK)
        tree = stats.tree
        ranking = await stats.ranking("city", MONTH)
        assert {f.branch_id for f in ranking} == {u.id for u in tree.branches}
    finally:
        await storage.close()


async def test_reports_read_only_the_covering_indexes(city: City) -> None:
    """The report queries that run over a whole city must neither sort nor read table rows:
    on 21 million answers that is the difference between one second and three."""
    storage = await Storage.open(city.db)
    statements: list[str] = []
    try:
        tree = OrgTree(tuple(await storage.org.units()))
        start, end = MONTH.bounds(ZONE)
        siblings = tree.siblings(sorted(u.id for u in tree.branches)[0])
        # The SQL the storage layer really sends, with its parameters bound.
        await storage.database.connection.set_trace_callback(statements.append)
        await storage.stats.member_counts(None, end, start, end)
        await storage.stats.member_counts(siblings, end, start, end)
        await storage.stats.branch_totals(None, start, end)
        await storage.stats.branch_totals(siblings, start, end)
        await storage.database.connection.set_trace_callback(None)
    finally:
        await storage.close()
    queries = [sql for sql in statements if sql.lstrip().startswith("SELECT")]
    assert len(queries) == 4
    with sqlite3.connect(f"file:{city.db}?mode=ro", uri=True) as db:
        for sql in queries:
            plan = " | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX" in plan, plan
            assert "TEMP B-TREE FOR GROUP BY" not in plan, plan


def sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def test_the_ledger_process_writes_what_the_service_writes(city: City) -> None:
    year = Period(Span.YEAR, 2026)
    storage = await Storage.open(city.db)
    try:
        stats = await StatsService.reading(storage, ZONE, CLOCK)
        district = next(u.id for u in stats.tree.units if u.parent == "city")
        here = await stats.ledger(district, year, {}, ZH_CN)
    finally:
        await storage.close()
    reports = ReportProcess(city.db, ZONE, "auto", CLOCK)
    try:
        there = await reports.ledger(district, year, {}, ZH_CN)
        assert sheets(there) == sheets(here)
        # A worker that dies fails the export under way; the next export starts a new one.
        for child in multiprocessing.active_children():
            child.kill()
        with pytest.raises(BrokenProcessPool):
            await reports.ledger(district, year, {}, ZH_CN)
        assert sheets(await reports.ledger(district, year, {}, ZH_CN)) == sheets(here)
    finally:
        await reports.close()


async def test_an_idle_ledger_worker_is_stopped_and_started_again(city: City) -> None:
    reports = ReportProcess(city.db, ZONE, "auto", CLOCK, idle_seconds=0.2)
    try:
        first = await reports.ledger("city", MONTH, {}, ZH_CN)
        assert len(multiprocessing.active_children()) == 1
        for _ in range(100):
            await asyncio.sleep(0.05)
            if not multiprocessing.active_children():
                break
        assert multiprocessing.active_children() == []
        assert sheets(await reports.ledger("city", MONTH, {}, ZH_CN)) == sheets(first)
    finally:
        await reports.close()

"""Storage on each engine: constraints do the guarding, state survives reopening."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.quiz.rules import Verdict
from bot.storage import Storage
from bot.storage.migrations import MIGRATIONS
from bot.storage.url import DatabaseUrl

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def open_with_member(path: Path) -> tuple[Storage, int]:
    storage = await Storage.open(path)
    member = await storage.org.upsert_member(1001, "张", "三", None, NOW)
    return storage, member


async def test_schema_is_migrated_once(database: DatabaseUrl) -> None:
    storage = await Storage.open(database)
    assert await storage.schema_version() == len(MIGRATIONS)
    await storage.close()
    storage = await Storage.open(database)
    assert await storage.schema_version() == len(MIGRATIONS)
    await storage.close()


async def test_member_upsert_keeps_one_row(database: DatabaseUrl) -> None:
    storage, member = await open_with_member(database)
    again = await storage.org.upsert_member(1001, "张", "三丰", "zs", NOW)
    assert again == member
    assert await storage.org.member_id(1001) == member
    assert await storage.org.member_id(9) is None
    await storage.close()


async def test_only_one_quiz_in_progress_per_member(database: DatabaseUrl) -> None:
    storage, member = await open_with_member(database)
    args = (member, 1001, ("a", "b"), ((0, 1), (1, 0)), "v1", NOW)
    first, second = await asyncio.gather(
        storage.quiz.start_session(*args, seen=["a", "b"], reset_bag=False),
        storage.quiz.start_session(*args, seen=["a", "b"], reset_bag=False),
    )
    assert (first is None) != (second is None)
    await storage.close()


async def test_a_second_answer_to_the_same_question_is_refused(database: DatabaseUrl) -> None:
    storage, member = await open_with_member(database)
    session = await storage.quiz.start_session(
        member, 1001, ("a", "b"), ((0, 1), (0, 1)), "v1", NOW, seen=["a", "b"], reset_bag=False
    )
    assert session is not None
    verdict = Verdict(frozenset({0}), correct=True, timed_out=False)
    results = await asyncio.gather(
        *(storage.quiz.record_answer(session, "a", verdict, NOW, 1200) for _ in range(5))
    )
    assert sum(r is not None for r in results) == 1
    answers = await storage.quiz.answers(session.id)
    assert [(a.position, a.question_id, a.correct) for a in answers] == [(0, "a", True)]
    after = await storage.quiz.session(session.id)
    assert after is not None and after.position == 1 and after.score == 1
    await storage.close()


async def test_a_quiz_survives_reopening(database: DatabaseUrl) -> None:
    path = database
    storage, member = await open_with_member(path)
    session = await storage.quiz.start_session(
        member, 1001, ("a", "b"), ((0, 1), (1, 0)), "v1", NOW, seen=["a", "b"], reset_bag=False
    )
    assert session is not None
    await storage.quiz.set_selection(session.id, 0, frozenset({1}))
    await storage.close()
    storage = await Storage.open(path)
    again = await storage.quiz.active_session(member)
    assert again is not None and again.id == session.id
    assert again.selection == frozenset({1}) and again.orders == ((0, 1), (1, 0))
    assert await storage.quiz.seen_questions(member) == {"a", "b"}
    await storage.close()


async def test_finishing_the_last_question_closes_the_quiz(database: DatabaseUrl) -> None:
    storage, member = await open_with_member(database)
    session = await storage.quiz.start_session(
        member, 1001, ("a",), ((0, 1),), "v1", NOW, seen=["a"], reset_bag=True
    )
    assert session is not None
    after = await storage.quiz.record_answer(
        session, "a", Verdict(frozenset({1}), correct=False, timed_out=False), NOW, 500
    )
    assert after is not None and not after.active and after.finished_at == NOW
    overview = await storage.quiz.member_overview(member)
    assert overview.quizzes_finished == 1 and overview.answers == 1 and overview.correct == 0
    assert await storage.quiz.active_session(member) is None
    await storage.close()


def test_a_join_begun_before_the_upgrade_carries_on_as_a_conversation_state(
    tmp_path: Path,
) -> None:
    """The join-name migration moves a pending invite from the member row to the states
    (SQLite's own migrations: a PostgreSQL database starts from the baseline after it)."""
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        for version, script in enumerate(MIGRATIONS[:5], start=1):
            db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
        db.execute(
            "INSERT INTO members (telegram_id, first_name, pending_invite, created_at, "
            "last_seen_at) VALUES (1001, '张', 'abcdefgh12345678', 0, 0)"
        )

    async def upgrade() -> None:
        storage = await Storage.open(path)
        await storage.close()

    asyncio.run(upgrade())
    with sqlite3.connect(path) as db:
        rows = list(db.execute("SELECT telegram_id, kind, payload FROM pending_input"))
        assert rows == [(1001, "join_name", '{"code":"abcdefgh12345678"}')]
        assert list(db.execute("SELECT pending_invite FROM members")) == [(None,)]

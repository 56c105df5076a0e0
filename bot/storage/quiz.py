"""Quiz storage: quiz sessions, answers, the per-member bag."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from bot.quiz.rules import Verdict
from bot.quiz.session import AnswerRecord, MemberOverview, QuizSession, SessionStatus
from bot.storage.base import Row, StoreBase, from_ms, to_ms


class QuizStore(StoreBase):
    async def active_session(self, member_id: int) -> QuizSession | None:
        row = await self._one(
            "SELECT * FROM quiz_sessions WHERE member_id = ? AND status = 'active'", (member_id,)
        )
        return _session(row) if row else None

    async def member_session(self, telegram_id: int, session_id: int) -> QuizSession | None:
        """The quiz ``session_id`` if it belongs to this Telegram user, else None."""
        row = await self._one(
            """
            SELECT s.* FROM quiz_sessions s JOIN members m ON m.id = s.member_id
            WHERE s.id = ? AND m.telegram_id = ?
            """,
            (session_id, telegram_id),
        )
        return _session(row) if row else None

    async def session(self, session_id: int) -> QuizSession | None:
        row = await self._one("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    async def start_session(
        self,
        member_id: int,
        chat_id: int,
        question_ids: tuple[str, ...],
        orders: tuple[tuple[int, ...], ...],
        bank_version: str,
        now: datetime,
        *,
        seen: Iterable[str],
        reset_bag: bool,
    ) -> QuizSession | None:
        """Create a quiz and update the member's bag in one transaction.

        Returns None when the member already has a quiz in progress (the unique index says so,
        even if two /quiz commands raced)."""
        async with self._transaction() as db:
            row = await db.one(
                """
                INSERT INTO quiz_sessions (member_id, chat_id, status, question_ids,
                    option_orders, question_shown_at, started_at, bank_version,
                    question_count, branch_id)
                SELECT ?, ?, 'active', ?, ?, ?, ?, ?, ?, branch_id
                FROM members WHERE id = ?
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                (
                    member_id,
                    chat_id,
                    json.dumps(question_ids),
                    json.dumps(orders),
                    to_ms(now),
                    to_ms(now),
                    bank_version,
                    len(question_ids),
                    member_id,
                ),
            )
            if row is None:
                return None
            if reset_bag:
                await db.execute("DELETE FROM seen_questions WHERE member_id = ?", (member_id,))
            await db.executemany(
                """
                INSERT INTO seen_questions (member_id, question_id) VALUES (?, ?)
                ON CONFLICT DO NOTHING
                """,
                [(member_id, question_id) for question_id in seen],
            )
        return await self.session(int(row["id"]))

    async def set_question_message(
        self, session_id: int, position: int, message_id: int, shown_at: datetime
    ) -> None:
        """Remember which message shows the current question, and when it was shown."""
        await self._write(
            """
            UPDATE quiz_sessions SET message_id = ?, question_shown_at = ?
            WHERE id = ? AND position = ? AND status = 'active'
            """,
            (message_id, to_ms(shown_at), session_id, position),
        )

    async def claim_next(self, session_id: int, position: int) -> bool:
        """Take the one right to show question ``position`` (or the summary, once the quiz is
        over) after the member tapped 下一题: true for the first tap only. Answering clears
        ``message_id``; the claim sets it to 0 until the question's message is recorded."""
        return await self._write(
            """
            UPDATE quiz_sessions SET message_id = 0
            WHERE id = ? AND position = ? AND message_id IS NULL
            """,
            (session_id, position),
        )

    async def set_selection(
        self, session_id: int, position: int, selection: frozenset[int]
    ) -> bool:
        return await self._write(
            """
            UPDATE quiz_sessions SET selection = ?
            WHERE id = ? AND position = ? AND status = 'active'
            """,
            (json.dumps(sorted(selection)), session_id, position),
        )

    async def record_answer(
        self,
        session: QuizSession,
        question_id: str,
        verdict: Verdict,
        now: datetime,
        ms_taken: int,
    ) -> QuizSession | None:
        """Store the answer to the current question; the quiz moves on in the same statement.

        Returns the session as it now stands, or None when this question already had an
        answer (a double tap, a retried update): the unique key on (session, position)
        refuses the second one."""
        inserted = await self._write(
            """
            INSERT INTO answers (session_id, member_id, position, question_id, chosen,
                correct, timed_out, points, answered_at, ms_taken)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (session_id, position) DO NOTHING
            """,
            (
                session.id,
                session.member_id,
                session.position,
                question_id,
                json.dumps(sorted(verdict.chosen)),
                int(verdict.correct),
                int(verdict.timed_out),
                verdict.points,
                to_ms(now),
                ms_taken,
            ),
        )
        return await self.session(session.id) if inserted else None

    async def cancel_session(self, session_id: int, now: datetime) -> bool:
        return await self._write(
            """
            UPDATE quiz_sessions SET status = 'cancelled', finished_at = ?
            WHERE id = ? AND status = 'active'
            """,
            (to_ms(now), session_id),
        )

    async def answers(self, session_id: int) -> list[AnswerRecord]:
        rows = await self._all(
            "SELECT * FROM answers WHERE session_id = ? ORDER BY position", (session_id,)
        )
        return [
            AnswerRecord(
                position=row["position"],
                question_id=row["question_id"],
                chosen=frozenset(json.loads(row["chosen"])),
                correct=bool(row["correct"]),
                timed_out=bool(row["timed_out"]),
                ms_taken=row["ms_taken"],
            )
            for row in rows
        ]

    async def seen_questions(self, member_id: int) -> set[str]:
        rows = await self._all(
            "SELECT question_id FROM seen_questions WHERE member_id = ?", (member_id,)
        )
        return {row["question_id"] for row in rows}

    async def member_overview(self, member_id: int, recent: int = 5) -> MemberOverview:
        rows = await self._all(
            """
            SELECT * FROM quiz_sessions WHERE member_id = ? AND status = 'finished'
            ORDER BY finished_at DESC LIMIT ?
            """,
            (member_id, recent),
        )
        totals = await self._one(
            """
            SELECT
                (SELECT COUNT(*) FROM quiz_sessions
                 WHERE member_id = :m AND status = 'finished') AS quizzes,
                (SELECT COUNT(*) FROM answers WHERE member_id = :m) AS answers,
                (SELECT COALESCE(SUM(correct), 0) FROM answers WHERE member_id = :m) AS correct,
                (SELECT COUNT(*) FROM seen_questions WHERE member_id = :m) AS seen
            """,
            {"m": member_id},
        )
        assert totals is not None
        return MemberOverview(
            recent=tuple(_session(row) for row in rows),
            quizzes_finished=totals["quizzes"],
            answers=totals["answers"],
            correct=totals["correct"],
            seen_in_bag=totals["seen"],
        )


def _session(row: Row) -> QuizSession:
    return QuizSession(
        id=row["id"],
        member_id=row["member_id"],
        chat_id=row["chat_id"],
        status=SessionStatus(row["status"]),
        question_ids=tuple(json.loads(row["question_ids"])),
        orders=tuple(tuple(order) for order in json.loads(row["option_orders"])),
        position=row["position"],
        selection=frozenset(json.loads(row["selection"])),
        message_id=row["message_id"],
        question_shown_at=from_ms(row["question_shown_at"]),
        started_at=from_ms(row["started_at"]),
        finished_at=from_ms(row["finished_at"]) if row["finished_at"] is not None else None,
        score=row["score"],
    )

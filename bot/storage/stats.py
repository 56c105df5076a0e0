"""Statistics queries: finished quizzes, answers and member counts per branch and period.

These are the queries that run against a city's year of data (about 21 million answers), so
each is a range scan on an index that starts with the branch, and none loads more rows than
the report it serves needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from datetime import datetime

from bot.stats.figures import AnswerDetail, AnswerRow, BranchTotals, MemberTotals, QuizRow
from bot.storage.base import StoreBase, from_ms, marks, to_ms


class StatsStore(StoreBase):
    async def member_counts(
        self, branch_ids: Collection[str] | None
    ) -> dict[str, tuple[int, int]]:
        """Per branch: (members, unreachable members). ``None`` means every branch."""
        where = (
            "WHERE branch_id IS NOT NULL"
            if branch_ids is None
            else f"WHERE branch_id IN ({marks(branch_ids)})"
        )
        rows = await self._all(
            f"""
            SELECT branch_id, COUNT(*) AS members,
                   SUM(telegram_id IS NULL OR unreachable_since IS NOT NULL) AS unreachable
            FROM members {where} GROUP BY branch_id
            """,
            tuple(branch_ids or ()),
        )
        return {row["branch_id"]: (row["members"], row["unreachable"]) for row in rows}

    async def branch_totals(
        self, branch_ids: Collection[str] | None, start: datetime, end: datetime
    ) -> dict[str, BranchTotals]:
        """Per branch: participants, quizzes and the sum of quiz percentages, aggregated in
        SQL so that a city-wide ranking never brings millions of rows into Python. ``None``
        means every branch."""
        # Always the branch-first covering index: named branches are their own ranges (or a
        # sibling ranking would scan the whole city), and the whole city is read in branch
        # order, so grouping needs no sort.
        where = (
            "AND branch_id IS NOT NULL"
            if branch_ids is None
            else f"AND branch_id IN ({marks(branch_ids)})"
        )
        rows = await self._all(
            f"""
            SELECT branch_id, COUNT(DISTINCT member_id) AS participants, COUNT(*) AS quizzes,
                   SUM(100.0 * score / question_count) AS percent_sum
            FROM quiz_sessions INDEXED BY quiz_sessions_branch
            WHERE status = 'finished' AND finished_at >= ? AND finished_at < ? {where}
            GROUP BY branch_id
            """,
            (to_ms(start), to_ms(end), *(branch_ids or ())),
        )
        return {
            row["branch_id"]: BranchTotals(row["participants"], row["quizzes"], row["percent_sum"])
            for row in rows
        }

    async def finished_quizzes(
        self, branch_ids: Collection[str], start: datetime, end: datetime
    ) -> list[QuizRow]:
        rows = await self._all(
            f"""
            SELECT member_id, branch_id, score, question_count, finished_at
            FROM quiz_sessions
            WHERE status = 'finished' AND branch_id IN ({marks(branch_ids)})
              AND finished_at >= ? AND finished_at < ?
            """,
            (*branch_ids, to_ms(start), to_ms(end)),
        )
        return [
            QuizRow(
                row["member_id"],
                row["branch_id"],
                row["score"],
                row["question_count"],
                from_ms(row["finished_at"]),
            )
            for row in rows
        ]

    async def answer_rows(
        self, branch_ids: Collection[str], start: datetime, end: datetime
    ) -> list[AnswerRow]:
        """Every answer given in finished quizzes of these branches in the period."""
        rows = await self._all(
            f"""
            SELECT a.member_id, a.question_id, a.correct
            FROM quiz_sessions s JOIN answers a ON a.session_id = s.id
            WHERE s.status = 'finished' AND s.branch_id IN ({marks(branch_ids)})
              AND s.finished_at >= ? AND s.finished_at < ?
            """,
            (*branch_ids, to_ms(start), to_ms(end)),
        )
        return [AnswerRow(row[0], row[1], bool(row[2])) for row in rows]

    async def member_totals(
        self, branch_ids: Collection[str], start: datetime, end: datetime
    ) -> dict[int, MemberTotals]:
        """Per member with finished quizzes in the period: count, best, average, last."""
        rows = await self._all(
            f"""
            SELECT member_id, COUNT(*) AS quizzes,
                   MAX(100.0 * score / question_count) AS best,
                   AVG(100.0 * score / question_count) AS average,
                   MAX(finished_at) AS last
            FROM quiz_sessions
            WHERE status = 'finished' AND branch_id IN ({marks(branch_ids)})
              AND finished_at >= ? AND finished_at < ?
            GROUP BY member_id
            """,
            (*branch_ids, to_ms(start), to_ms(end)),
        )
        return {
            row["member_id"]: MemberTotals(
                row["quizzes"], row["best"], row["average"], from_ms(row["last"])
            )
            for row in rows
        }

    async def answer_details(
        self, branch_ids: Collection[str], start: datetime, end: datetime
    ) -> AsyncIterator[AnswerDetail]:
        """Every answer of finished quizzes in the period, streamed in batches so that a
        year of a large unit never sits in memory at once."""
        async with self._db.execute(
            f"""
            SELECT a.answered_at, s.branch_id, a.member_id, a.question_id, a.correct,
                   a.ms_taken
            FROM quiz_sessions s JOIN answers a ON a.session_id = s.id
            WHERE s.status = 'finished' AND s.branch_id IN ({marks(branch_ids)})
              AND s.finished_at >= ? AND s.finished_at < ?
            ORDER BY a.answered_at
            """,
            (*branch_ids, to_ms(start), to_ms(end)),
        ) as cursor:
            cursor.arraysize = 500
            while rows := await cursor.fetchmany():
                for row in rows:
                    yield AnswerDetail(
                        from_ms(row[0]), row[1], row[2], row[3], bool(row[4]), row[5]
                    )

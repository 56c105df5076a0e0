"""Statistics queries: finished quizzes, answers and member counts per branch and period.

These are the queries that run against a city's year of data (about 21 million answers), so
each is a range scan on an index that starts with the branch, and none loads more rows than
the report it serves needs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection
from datetime import datetime

from bot.stats.figures import (
    AnswerDetail,
    AnswerRow,
    BranchTotals,
    Enrolment,
    MemberCounts,
    MemberTotals,
    QuizRow,
)
from bot.storage.base import Dialect, StoreBase, from_ms, marks, to_ms
from bot.storage.org import member_of_row

# A member counts for a branch at moment ``at`` when one of their stays began before it and
# had not ended by then (docs/organisation.md). "Reachable then": they had opened the bot by
# ``at`` and Telegram had not refused a delivery to them before it.
_IN_BRANCH_AT = "ms.joined_at < :at AND (ms.left_at IS NULL OR ms.left_at >= :at)"
_UNREACHABLE_AT = (
    "(m.telegram_id IS NULL OR m.created_at >= :at"
    " OR (m.unreachable_since IS NOT NULL AND m.unreachable_since < :at))"
)


def _studied(dialect: Dialect) -> str:
    """Whether the member of ``ms`` finished a quiz in [start, end), in whichever branch."""
    return f"""
        SELECT 1 FROM quiz_sessions s {dialect.indexed_by("quiz_sessions_member_finished")}
        WHERE s.member_id = ms.member_id AND s.status = 'finished'
          AND s.finished_at >= :start AND s.finished_at < :end
    """


def _flag(condition: str) -> str:
    """1 where ``condition`` holds, else 0: summed as a count on both engines (PostgreSQL
    does not add up booleans)."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


_PERCENT = "CAST(score AS DOUBLE PRECISION) * 100 / question_count"
"""A quiz's score in per cent, a float on both engines (``100.0 *`` is a numeric in
PostgreSQL)."""


def _branch_filter(branch_ids: Collection[str] | None, column: str) -> tuple[str, dict[str, str]]:
    """``AND column IN (:b0, :b1, …)`` with its parameters; nothing for every branch."""
    if branch_ids is None:
        return "", {}
    names = {f"b{n}": branch for n, branch in enumerate(branch_ids)}
    return f"AND {column} IN ({','.join(':' + name for name in names) or 'NULL'})", names


def _like_prefix(text: str) -> str:
    """A LIKE pattern for "begins with ``text``", its wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class StatsStore(StoreBase):
    async def member_counts(
        self, branch_ids: Collection[str] | None, at: datetime, start: datetime, end: datetime
    ) -> dict[str, MemberCounts]:
        """Per branch, the members in it at ``at``: how many, how many the bot could not
        reach then, and how many of them finished a quiz in [start, end). ``None`` means
        every branch."""
        where, names = _branch_filter(branch_ids, "ms.branch_id")
        rows = await self._all(
            f"""
            SELECT ms.branch_id, COUNT(*) AS members,
                   SUM({_flag(_UNREACHABLE_AT)}) AS unreachable,
                   SUM({_flag(f"EXISTS ({_studied(self._dialect)})")}) AS participants
            FROM memberships ms JOIN members m ON m.id = ms.member_id
            WHERE {_IN_BRANCH_AT} {where}
            GROUP BY ms.branch_id
            """,
            {"at": to_ms(at), "start": to_ms(start), "end": to_ms(end), **names},
        )
        return {
            row["branch_id"]: MemberCounts(row["members"], row["unreachable"], row["participants"])
            for row in rows
        }

    async def members_at(
        self,
        branch_ids: Collection[str] | None,
        at: datetime,
        start: datetime,
        end: datetime,
        name: str | None = None,
    ) -> list[Enrolment]:
        """The members of these branches (``None``: all) at ``at``, each with the branch they
        were in then and whether they finished a quiz in [start, end); with ``name``, only
        those whose real name begins with it."""
        where, names = _branch_filter(branch_ids, "ms.branch_id")
        if name is not None:
            where += f" AND m.real_name {self._dialect.like} :name ESCAPE '\\'"
            names["name"] = _like_prefix(name)
        rows = await self._all(
            f"""
            SELECT m.id, m.telegram_id, m.first_name, m.real_name, ms.branch_id,
                   m.party_joined_on, m.unreachable_since,
                   ms.joined_at, m.last_seen_at, {_UNREACHABLE_AT} AS unreachable,
                   EXISTS ({_studied(self._dialect)}) AS studied
            FROM memberships ms JOIN members m ON m.id = ms.member_id
            WHERE {_IN_BRANCH_AT} {where}
            ORDER BY m.id
            """,
            {"at": to_ms(at), "start": to_ms(start), "end": to_ms(end), **names},
        )
        return [
            Enrolment(
                member=member_of_row(row),
                joined_at=from_ms(row["joined_at"]),
                last_active=from_ms(row["last_seen_at"]) if row["last_seen_at"] else None,
                reachable=not row["unreachable"],
                studied=bool(row["studied"]),
            )
            for row in rows
        ]

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
                   SUM({_PERCENT}) AS percent_sum
            FROM quiz_sessions {self._dialect.indexed_by("quiz_sessions_branch")}
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

    async def option_choices(
        self, branch_ids: Collection[str], start: datetime, end: datetime
    ) -> list[tuple[str, frozenset[int], int]]:
        """How often each set of options (bank indices) was chosen for each question, in
        finished quizzes of these branches in the period: (question, chosen, answers)."""
        rows = await self._all(
            f"""
            SELECT a.question_id, a.chosen, COUNT(*)
            FROM quiz_sessions s JOIN answers a ON a.session_id = s.id
            WHERE s.status = 'finished' AND s.branch_id IN ({marks(branch_ids)})
              AND s.finished_at >= ? AND s.finished_at < ?
            GROUP BY a.question_id, a.chosen
            """,
            (*branch_ids, to_ms(start), to_ms(end)),
        )
        return [(row[0], frozenset(json.loads(row[1])), row[2]) for row in rows]

    async def member_quizzes(
        self, member_id: int, start: datetime, end: datetime
    ) -> list[QuizRow]:
        """One member's finished quizzes in the period, in order, wherever they were."""
        rows = await self._all(
            f"""
            SELECT member_id, branch_id, score, question_count, finished_at
            FROM quiz_sessions {self._dialect.indexed_by("quiz_sessions_member_finished")}
            WHERE member_id = ? AND status = 'finished' AND finished_at >= ? AND finished_at < ?
            ORDER BY finished_at
            """,
            (member_id, to_ms(start), to_ms(end)),
        )
        return [QuizRow(r[0], r[1], r[2], r[3], from_ms(r[4])) for r in rows]

    async def member_missed(
        self, member_id: int, start: datetime, end: datetime
    ) -> list[tuple[str, int]]:
        """The questions one member got wrong in the period's finished quizzes, with how
        often, most often first."""
        rows = await self._all(
            f"""
            SELECT a.question_id, COUNT(*) AS times
            FROM quiz_sessions s {self._dialect.indexed_by("quiz_sessions_member_finished")}
            JOIN answers a ON a.session_id = s.id
            WHERE s.member_id = ? AND s.status = 'finished'
              AND s.finished_at >= ? AND s.finished_at < ? AND a.correct = 0
            GROUP BY a.question_id ORDER BY times DESC, a.question_id
            """,
            (member_id, to_ms(start), to_ms(end)),
        )
        return [(row[0], row[1]) for row in rows]

    async def names_of(self, member_ids: Collection[int]) -> dict[int, str]:
        """The names of these members (real name, else Telegram name), however long ago
        they moved on: a ledger names everyone who answered in its period."""
        names: dict[int, str] = {}
        ids = sorted(member_ids)
        for first in range(0, len(ids), 500):
            chunk = ids[first : first + 500]
            rows = await self._all(
                f"SELECT id, real_name, first_name FROM members WHERE id IN ({marks(chunk)})",
                tuple(chunk),
            )
            names.update({row[0]: row[1] or row[2] or "" for row in rows})
        return names

    async def member_totals(
        self, branch_ids: Collection[str], start: datetime, end: datetime
    ) -> dict[int, MemberTotals]:
        """Per member with finished quizzes in the period: count, best, average, last."""
        rows = await self._all(
            f"""
            SELECT member_id, COUNT(*) AS quizzes,
                   MAX({_PERCENT}) AS best,
                   AVG({_PERCENT}) AS average,
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
        rows = self._database.stream(
            f"""
            SELECT a.answered_at, s.branch_id, a.member_id, a.question_id, a.correct,
                   a.ms_taken
            FROM quiz_sessions s JOIN answers a ON a.session_id = s.id
            WHERE s.status = 'finished' AND s.branch_id IN ({marks(branch_ids)})
              AND s.finished_at >= ? AND s.finished_at < ?
            ORDER BY a.answered_at
            """,
            (*branch_ids, to_ms(start), to_ms(end)),
            500,
        )
        async for row in rows:
            yield AnswerDetail(from_ms(row[0]), row[1], row[2], row[3], bool(row[4]), row[5])

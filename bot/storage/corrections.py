"""答题纠错 storage: members' reports that a question is wrong, open until an admin closes
them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.corrections.models import Correction
from bot.storage.base import StoreBase, from_ms, marks, to_ms


class CorrectionStore(StoreBase):
    async def add_correction(
        self, question_id: str, bank_version: str, member_id: int, text: str, now: datetime
    ) -> int:
        row = await self._write_returning(
            """
            INSERT INTO corrections (question_id, bank_version, member_id, text, created_at)
            VALUES (?, ?, ?, ?, ?) RETURNING id
            """,
            (question_id, bank_version, member_id, text, to_ms(now)),
        )
        assert row is not None
        return int(row[0])

    async def open_corrections(self, branches: Collection[str] | None) -> list[Correction]:
        """Open reports by members of ``branches`` (None: everyone's, for admins). A report's
        text and reporter's name are personal: a secretary sees their own members' only."""
        scoped = "" if branches is None else f"AND m.branch_id IN ({marks(branches)})"
        rows = await self._all(
            f"""
            SELECT c.id, c.question_id, c.bank_version, c.text, c.created_at,
                   COALESCE(m.real_name, m.first_name) AS name
            FROM corrections c JOIN members m ON m.id = c.member_id
            WHERE c.closed_at IS NULL {scoped} ORDER BY c.question_id, c.id
            """,
            () if branches is None else tuple(branches),
        )
        return [
            Correction(
                row["id"],
                row["question_id"],
                row["bank_version"],
                row["text"],
                from_ms(row["created_at"]),
                row["name"],
            )
            for row in rows
        ]

    async def open_correction_counts(self) -> dict[str, int]:
        rows = await self._all(
            """
            SELECT question_id, COUNT(*) FROM corrections WHERE closed_at IS NULL
            GROUP BY question_id
            """
        )
        return {row[0]: row[1] for row in rows}

    async def close_corrections(
        self,
        question_id: str,
        branches: Collection[str] | None,
        by: int,
        reply: str,
        now: datetime,
    ) -> list[int]:
        """Close the open reports on a question by members of ``branches`` (None: all) with
        ``reply``; the Telegram ids of the members who reported them (once each)."""
        scoped = "" if branches is None else f"AND m.branch_id IN ({marks(branches)})"
        async with self._transaction() as db:
            rows = await db.all(
                f"""
                SELECT c.id, m.telegram_id FROM corrections c JOIN members m ON m.id = c.member_id
                WHERE c.question_id = ? AND c.closed_at IS NULL {scoped}
                """,
                (question_id, *(branches or ())),
            )
            await db.execute(
                f"UPDATE corrections SET closed_by = ?, closed_at = ?, reply = ? "
                f"WHERE id IN ({marks(rows)})",
                (by, to_ms(now), reply, *(row[0] for row in rows)),
            )
        return sorted({row[1] for row in rows if row[1] is not None})

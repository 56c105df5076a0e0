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
        async with (
            self._write_lock,
            self._db.execute(
                """
            INSERT INTO corrections (question_id, bank_version, member_id, text, created_at)
            VALUES (?, ?, ?, ?, ?)
            """,
                (question_id, bank_version, member_id, text, to_ms(now)),
            ) as cursor,
        ):
            return int(cursor.lastrowid or 0)

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

    async def close_corrections(self, question_id: str, by: int, now: datetime) -> int:
        async with (
            self._write_lock,
            self._db.execute(
                """
            UPDATE corrections SET closed_by = ?, closed_at = ?
            WHERE question_id = ? AND closed_at IS NULL
            """,
                (by, to_ms(now), question_id),
            ) as cursor,
        ):
            return cursor.rowcount

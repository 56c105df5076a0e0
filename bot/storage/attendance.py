"""Attendance storage: 参加/请假 replies, 签到 (self, 代签, 补签), and attendance in figures."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.meetings.attendance import Reply
from bot.storage.base import StoreBase, marks, to_ms


class AttendanceStore(StoreBase):
    async def set_reply(
        self, batch_id: int, member_id: int, reply: str, reason: str | None, now: datetime
    ) -> None:
        await self._write(
            """
            INSERT INTO attendance (batch_id, member_id, reply, reason, replied_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (batch_id, member_id) DO UPDATE SET reply = excluded.reply,
                reason = excluded.reason, replied_at = excluded.replied_at
            """,
            (batch_id, member_id, reply, reason, to_ms(now)),
        )

    async def sign_in(
        self, batch_id: int, member_id: int, by: int, kind: str, now: datetime
    ) -> bool:
        """签到 (self), 代签 (proxy, during the meeting) or 补签 (late, afterwards). A member
        already signed in stays as first recorded."""
        return await self._write(
            """
            INSERT INTO attendance (batch_id, member_id, present, signed_by, signed_kind,
                                    signed_at)
            VALUES (?, ?, 1, ?, ?, ?)
            ON CONFLICT (batch_id, member_id) DO UPDATE SET present = 1,
                signed_by = excluded.signed_by, signed_kind = excluded.signed_kind,
                signed_at = excluded.signed_at
            WHERE present = 0
            """,
            (batch_id, member_id, by, kind, to_ms(now)),
        )

    async def replies(self, batch_id: int) -> dict[int, Reply]:
        rows = await self._all("SELECT * FROM attendance WHERE batch_id = ?", (batch_id,))
        return {
            row["member_id"]: Reply(
                row["member_id"],
                row["reply"],
                row["reason"],
                bool(row["present"]),
                row["signed_kind"],
            )
            for row in rows
        }

    async def theme_day_attendance(
        self, branch_ids: Collection[str] | None, start: datetime, end: datetime
    ) -> dict[str, tuple[int, int]]:
        """Per branch: (theme days held in the period, members signed in over all of them)."""
        where = "" if branch_ids is None else f"AND b.unit_id IN ({marks(branch_ids)})"
        rows = await self._all(
            f"""
            SELECT b.unit_id, COUNT(DISTINCT b.id) AS days, COALESCE(SUM(a.present), 0) AS present
            FROM batches b LEFT JOIN attendance a ON a.batch_id = b.id
            WHERE b.kind = 'theme_day' AND b.occurs_at >= ? AND b.occurs_at < ? {where}
            GROUP BY b.unit_id
            """,
            (to_ms(start), to_ms(end), *(branch_ids or ())),
        )
        return {row[0]: (row[1], row[2]) for row in rows}

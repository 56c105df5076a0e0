"""Join and rename requests: what waits for a secretary's one-tap decision."""

from __future__ import annotations

from datetime import datetime

from bot.org.joining import JoinRequest, RequestKind
from bot.storage.base import Row, StoreBase, from_ms, to_ms


class JoinStore(StoreBase):
    async def open_request(
        self,
        kind: RequestKind,
        telegram_id: int,
        branch_id: str,
        name: str,
        old_name: str | None,
        invite_code: str | None,
        now: datetime,
    ) -> JoinRequest:
        """A new request; an undecided one of the same person and kind is replaced (the
        newest name is the one the secretary should see)."""
        async with self._transaction() as db:
            await db.execute(
                "DELETE FROM join_requests "
                "WHERE telegram_id = ? AND kind = ? AND decided_at IS NULL",
                (telegram_id, kind.value),
            )
            row = await db.one(
                """
                INSERT INTO join_requests
                    (kind, telegram_id, branch_id, name, old_name, invite_code, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                RETURNING *
                """,
                (kind.value, telegram_id, branch_id, name, old_name, invite_code, to_ms(now)),
            )
        assert row is not None
        return _request(row)

    async def join_request(self, request_id: int) -> JoinRequest | None:
        row = await self._one("SELECT * FROM join_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    async def decide_request(
        self, request_id: int, approved: bool, by: int, now: datetime
    ) -> bool:
        """Record the decision; False when it was already decided (or replaced)."""
        return await self._write(
            """
            UPDATE join_requests SET approved = ?, decided_by = ?, decided_at = ?
            WHERE id = ? AND decided_at IS NULL
            """,
            (int(approved), by, to_ms(now), request_id),
        )


def _request(row: Row) -> JoinRequest:
    return JoinRequest(
        id=row["id"],
        kind=RequestKind(row["kind"]),
        telegram_id=row["telegram_id"],
        branch_id=row["branch_id"],
        name=row["name"],
        old_name=row["old_name"],
        invite_code=row["invite_code"],
        created_at=from_ms(row["created_at"]),
        approved=None if row["approved"] is None else bool(row["approved"]),
    )

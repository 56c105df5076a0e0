"""The inbox: updates handed from the receiver to the workers (docs/scaling.md).

The receiver writes each update once (``update_id`` is unique, so a webhook Telegram delivers
again, or a poll repeated after a crash, is stored once) under its chat's partition. The
worker holding a partition reads its pending rows in id order and marks each done after the
bot has handled it; a row is never deleted before it is done, so a worker killed at any
moment loses nothing: the next holder of the partition handles what was not marked.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from bot.scaling.inbox import Pending, Received
from bot.storage.base import StoreBase, marks, to_ms


class InboxStore(StoreBase):
    async def put(self, updates: Sequence[Received], now: datetime) -> None:
        """Store updates in the order given, each once; committed when this returns."""
        if not updates:
            return
        received = to_ms(now)
        async with self._transaction() as db:
            await db.executemany(
                """
                INSERT INTO inbox (update_id, part, chat_key, payload, received_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING
                """,
                [(u.update_id, u.part, u.chat_key, u.payload, received) for u in updates],
            )

    async def pending(
        self, parts: Collection[int], *, after: int = 0, limit: int = 500
    ) -> list[Pending]:
        """Not yet done updates of ``parts`` with an id above ``after``, oldest first."""
        if not parts:
            return []
        rows = await self._all(
            f"""
            SELECT id, part, chat_key, payload, received_at FROM inbox
            WHERE done_at IS NULL AND part IN ({marks(parts)}) AND id > ?
            ORDER BY id LIMIT ?
            """,
            (*parts, after, limit),
        )
        return [Pending(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    async def mark_done(self, ids: Collection[int], holder: str, now: datetime) -> None:
        if ids:
            await self._write(
                f"UPDATE inbox SET done_at = ?, handled_by = ? WHERE id IN ({marks(ids)})",
                (to_ms(now), holder, *ids),
            )

    async def prune(self, before: datetime) -> bool:
        """Forget updates done before ``before``: past Telegram's redelivery of a webhook."""
        return await self._write(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (to_ms(before),)
        )

    async def backlog(self) -> int:
        """Updates received and not yet done (the health figure of the hand-off)."""
        row = await self._one("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
        return int(row[0]) if row else 0

"""The outbox: batches, their deliveries, and the scheduler's watermark.

The outbox is the only memory the sender has. A delivery is written once under
(batch, chat); the sender claims due rows by marking them ``sending`` before it calls
Telegram, and marks them ``sent`` or ``failed`` after. Rows found ``sending`` at start-up were
in flight when the bot stopped: they are sent again, so a crash can duplicate at most the
messages that were in flight, and can lose none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.delivery.outbox import Batch, BatchProgress, Delivery, NewDelivery
from bot.storage.base import StoreBase, from_ms, to_ms


class OutboxStore(StoreBase):
    async def create_batch(
        self,
        key: str,
        kind: str,
        title: str,
        unit_id: str | None,
        created_by: int | None,
        now: datetime,
        deliveries: Sequence[NewDelivery],
        *,
        not_before: datetime,
        expires_at: datetime | None = None,
        occurs_at: datetime | None = None,
        progress_chat_id: int | None = None,
        event_id: int | None = None,
        batch_markup: Callable[[int], dict[str, Any]] | None = None,
    ) -> int | None:
        """Write a batch and its deliveries in one transaction. None when a batch with this
        key exists already: a schedule occurrence is expanded once, whatever happens.
        ``batch_markup`` gives the keyboard of deliveries that have none of their own from the
        new batch's id (a 收到 button names its batch), in the same transaction, so the
        sender never sees a delivery without it."""
        async with self._transaction() as db:
            row = await db.one(
                """
                INSERT INTO batches (key, kind, title, unit_id, created_by, created_at,
                                     occurs_at, progress_chat_id, event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING
                RETURNING id
                """,
                (
                    key,
                    kind,
                    title,
                    unit_id,
                    created_by,
                    to_ms(now),
                    to_ms(occurs_at) if occurs_at else None,
                    progress_chat_id,
                    event_id,
                ),
            )
            if row is None:
                return None
            batch_id = int(row[0])
            await db.executemany(
                """
                INSERT INTO deliveries (batch_id, chat_id, member_id, text, reply_markup,
                                        next_attempt_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id, chat_id) DO NOTHING
                """,
                [
                    (
                        batch_id,
                        d.chat_id,
                        d.member_id,
                        d.text,
                        _markup_json(d.reply_markup or (batch_markup and batch_markup(batch_id))),
                        to_ms(not_before),
                        to_ms(expires_at) if expires_at else None,
                    )
                    for d in deliveries
                ],
            )
        return batch_id

    async def record_unreachable(
        self, batch_id: int, member_ids: Sequence[int], reason: str, now: datetime
    ) -> None:
        """Members a batch cannot be sent to (they never opened the bot, or blocked it): they
        stay in the batch as failed, so that summaries and /stats name them."""
        async with self._transaction() as db:
            await db.executemany(
                """
                INSERT INTO deliveries (batch_id, chat_id, member_id, text, status,
                                        next_attempt_at, last_error)
                VALUES (?, NULL, ?, '', 'failed', ?, ?) ON CONFLICT DO NOTHING
                """,
                [(batch_id, member_id, to_ms(now), reason) for member_id in member_ids],
            )

    async def requeue_in_flight(self) -> int:
        """At start-up: deliveries that were being sent when the bot stopped go out again."""
        return await self._count(
            "UPDATE deliveries SET status = 'pending' WHERE status = 'sending'", ()
        )

    async def claim_due(self, now: datetime, limit: int) -> tuple[list[Delivery], list[int]]:
        """Mark up to ``limit`` due deliveries as being sent and return them, with the
        batches of any skipped because their grace window had passed."""
        async with self._transaction() as db:
            skipped = await db.all(
                """
                UPDATE deliveries SET status = 'skipped', last_error = 'expired'
                WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at < ?
                RETURNING batch_id
                """,
                (to_ms(now),),
            )
            expired = sorted({row[0] for row in skipped})
            rows = await db.all(
                """
                UPDATE deliveries SET status = 'sending', attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM deliveries
                    WHERE status = 'pending' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                )
                RETURNING id, batch_id, chat_id, member_id, text, reply_markup, attempts
                """,
                (to_ms(now), limit),
            )
        claimed = [
            Delivery(
                row["id"],
                row["batch_id"],
                row["chat_id"],
                row["member_id"],
                row["text"],
                json.loads(row["reply_markup"]) if row["reply_markup"] else None,
                row["attempts"],
            )
            for row in sorted(rows, key=lambda r: r["id"])
        ]
        return claimed, expired

    async def next_due(self) -> datetime | None:
        row = await self._one(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'"
        )
        return from_ms(row[0]) if row and row[0] is not None else None

    async def mark_sent(self, delivery_id: int, message_id: int, now: datetime) -> None:
        await self._write(
            """
            UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, last_error = NULL
            WHERE id = ?
            """,
            (to_ms(now), message_id, delivery_id),
        )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self._write(
            "UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?",
            (error, delivery_id),
        )

    async def retry_later(
        self, delivery_id: int, at: datetime, error: str, *, count_attempt: bool = True
    ) -> None:
        await self._write(
            f"""
            UPDATE deliveries SET status = 'pending', next_attempt_at = ?, last_error = ?
                {"" if count_attempt else ", attempts = attempts - 1"}
            WHERE id = ?
            """,
            (to_ms(at), error, delivery_id),
        )

    async def batch(self, batch_id: int) -> Batch | None:
        row = await self._one("SELECT * FROM batches WHERE id = ?", (batch_id,))
        return _batch(row) if row else None

    async def set_progress_message(self, batch_id: int, chat_id: int, message_id: int) -> None:
        await self._write(
            "UPDATE batches SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, batch_id),
        )

    async def finish_batch(self, batch_id: int, now: datetime) -> bool:
        """Mark the batch finished; True only the first time (one final summary)."""
        return await self._write(
            "UPDATE batches SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
            (to_ms(now), batch_id),
        )

    async def progress(self, batch_id: int) -> BatchProgress:
        row = await self._one(
            """
            SELECT COUNT(*) AS total,
                   COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0) AS sent,
                   COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
                   COALESCE(SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END), 0) AS skipped
            FROM deliveries WHERE batch_id = ?
            """,
            (batch_id,),
        )
        assert row is not None
        return BatchProgress(row["total"], row["sent"], row["failed"], row["skipped"])

    async def acknowledge(self, batch_id: int, telegram_id: int, now: datetime) -> bool | None:
        """Record 收到 from the member behind ``telegram_id`` on their delivery of the batch:
        True the first time, False when already recorded, None when they got no delivery."""
        row = await self._one(
            """
            SELECT d.id, d.acknowledged_at FROM deliveries d JOIN members m ON m.id = d.member_id
            WHERE d.batch_id = ? AND m.telegram_id = ?
            """,
            (batch_id, telegram_id),
        )
        if row is None:
            return None
        return await self._write(
            "UPDATE deliveries SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
            (to_ms(now), row["id"]),
        )

    async def acknowledgements(self, batch_id: int) -> list[tuple[int, bool]]:
        """Every member the batch was for, and whether they tapped 收到."""
        rows = await self._all(
            """
            SELECT member_id, acknowledged_at IS NOT NULL FROM deliveries
            WHERE batch_id = ? AND member_id IS NOT NULL ORDER BY member_id
            """,
            (batch_id,),
        )
        return [(row[0], bool(row[1])) for row in rows]

    async def batch_text(self, batch_id: int) -> str | None:
        """The text the batch's deliveries carry (the same for every recipient)."""
        row = await self._one(
            "SELECT text FROM deliveries WHERE batch_id = ? AND text != '' ORDER BY id LIMIT 1",
            (batch_id,),
        )
        return row[0] if row else None

    async def failed_members(self, batch_id: int) -> list[int]:
        rows = await self._all(
            """
            SELECT member_id FROM deliveries
            WHERE batch_id = ? AND status IN ('failed', 'skipped') AND member_id IS NOT NULL
            ORDER BY member_id
            """,
            (batch_id,),
        )
        return [row[0] for row in rows]

    # The scheduler's watermark

    async def checked_until(self, name: str) -> datetime | None:
        row = await self._one("SELECT checked_until FROM scheduler_state WHERE name = ?", (name,))
        return from_ms(row[0]) if row else None

    async def set_checked_until(self, name: str, moment: datetime) -> None:
        await self._write(
            """
            INSERT INTO scheduler_state (name, checked_until) VALUES (?, ?)
            ON CONFLICT (name) DO UPDATE SET checked_until = excluded.checked_until
            """,
            (name, to_ms(moment)),
        )


def _batch(row: Any) -> Batch:
    return Batch(
        id=row["id"],
        key=row["key"],
        kind=row["kind"],
        title=row["title"],
        unit_id=row["unit_id"],
        created_by=row["created_by"],
        occurs_at=from_ms(row["occurs_at"]) if row["occurs_at"] is not None else None,
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        finished_at=from_ms(row["finished_at"]) if row["finished_at"] is not None else None,
        event_id=row["event_id"],
    )


def _markup_json(markup: dict[str, Any] | None) -> str | None:
    return json.dumps(markup, ensure_ascii=False) if markup else None

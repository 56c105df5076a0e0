"""Conversation storage: what a person is in the middle of saying (a leave reason, a
broadcast's text, a correction), kept across restarts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.conversations.pending import PendingInput
from bot.storage.base import StoreBase, from_ms, to_ms


class ConversationStore(StoreBase):
    async def set_pending_input(
        self, telegram_id: int, kind: str, payload: dict[str, Any], now: datetime
    ) -> None:
        await self._write(
            """
            INSERT INTO pending_input (telegram_id, kind, payload, created_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (telegram_id) DO UPDATE SET kind = excluded.kind,
                payload = excluded.payload, created_at = excluded.created_at
            """,
            (telegram_id, kind, json.dumps(payload, ensure_ascii=False), to_ms(now)),
        )

    async def pending_input(self, telegram_id: int) -> PendingInput | None:
        row = await self._one(
            "SELECT kind, payload, created_at FROM pending_input WHERE telegram_id = ?",
            (telegram_id,),
        )
        if row is None:
            return None
        return PendingInput(row["kind"], json.loads(row["payload"]), from_ms(row["created_at"]))

    async def clear_pending_input(self, telegram_id: int) -> None:
        await self._write("DELETE FROM pending_input WHERE telegram_id = ?", (telegram_id,))

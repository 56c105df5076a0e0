"""What a person is in the middle of saying: the bot asked them for something (a leave
reason, a broadcast's text, what is wrong with a question) and their next text is the answer.

Stored, not remembered, so it survives a restart. Handlers reach it only through this
service.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.conversations.pending import PendingInput
from bot.storage.conversations import ConversationStore


class ConversationService:
    def __init__(self, store: ConversationStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def expect(self, telegram_id: int, kind: str, payload: dict[str, Any]) -> None:
        """The person's next text answers ``kind`` (replacing whatever was asked before)."""
        await self._store.set_pending_input(telegram_id, kind, payload, self._clock.now())

    async def pending(self, telegram_id: int) -> PendingInput | None:
        return await self._store.pending_input(telegram_id)

    async def clear(self, telegram_id: int) -> None:
        await self._store.clear_pending_input(telegram_id)

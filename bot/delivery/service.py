"""Broadcasts and batches as the handlers need them: who receives, what is written to the
outbox, how far a batch has come. No Telegram here: the sender does the sending."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.storage import Storage
from bot.storage.delivery import BatchProgress, NewDelivery

MAX_TEXT = 4096
"""Telegram's limit for one message, in characters after entity parsing."""

NEVER_STARTED = "never opened the bot"
UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Audience:
    reachable: list[Member]
    unreachable: list[Member]


class DeliveryService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    async def audience(self, tree: OrgTree, unit_id: str) -> Audience:
        """Every member at or below ``unit_id``; those the bot cannot write to apart."""
        members = await self._storage.members_in(tree.branches_under([unit_id]))
        return Audience(
            reachable=[m for m in members if m.reachable],
            unreachable=[m for m in members if not m.reachable],
        )

    async def create_broadcast(
        self,
        tree: OrgTree,
        unit_id: str,
        text: str,
        created_by: int,
        progress_chat_id: int,
    ) -> int:
        """Write the broadcast to the outbox, once per member, in one transaction."""
        now = self._clock.now()
        audience = await self.audience(tree, unit_id)
        batch_id = await self._storage.create_batch(
            key=f"broadcast:{created_by}:{now.timestamp():.6f}",
            kind="broadcast",
            title=text[:40],
            unit_id=unit_id,
            created_by=created_by,
            now=now,
            deliveries=[
                NewDelivery(m.telegram_id, m.id, text)
                for m in audience.reachable
                if m.telegram_id is not None
            ],
            not_before=now,
            progress_chat_id=progress_chat_id,
        )
        assert batch_id is not None, "broadcast keys are unique per sender and instant"
        await self._storage.record_unreachable(
            batch_id, [m.id for m in audience.unreachable], UNREACHABLE, now
        )
        return batch_id

    async def progress(self, batch_id: int) -> BatchProgress:
        return await self._storage.progress(batch_id)

    async def failed_members(self, batch_id: int) -> list[Member]:
        members = [
            await self._storage.member_by_id(m)
            for m in await self._storage.failed_members(batch_id)
        ]
        return [m for m in members if m is not None]

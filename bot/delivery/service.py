"""Broadcasts and batches as the handlers need them: who receives, what is written to the
outbox, how far a batch has come. No Telegram here: the sender does the sending."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.delivery.outbox import Batch, BatchProgress, NewDelivery
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore

MAX_TEXT = 4096
"""Telegram's limit for one message, in characters after entity parsing."""

UNREACHABLE = "unreachable"

ACK_KIND = "broadcast_ack"
"""A broadcast whose recipients are asked to tap 收到."""
RESEND_KIND = "broadcast_resend"
"""The same broadcast again, to those who have not tapped 收到 (their taps count for the
first)."""

Markup = Callable[[int], dict[str, Any]]
"""A keyboard made from a batch id (the 收到 button names the batch it acknowledges)."""


@dataclass(frozen=True)
class Acknowledgements:
    """Who of a broadcast's recipients tapped 收到, and who has not."""

    acknowledged: list[Member]
    waiting: list[Member]


@dataclass(frozen=True)
class Audience:
    reachable: list[Member]
    unreachable: list[Member]


class DeliveryService:
    def __init__(
        self, outbox: OutboxStore, members: OrgStore, tree: OrgTree, clock: Clock
    ) -> None:
        self._outbox = outbox
        self._members = members
        self._tree = tree
        self._clock = clock

    async def audience(self, unit_id: str) -> Audience:
        """Every member at or below ``unit_id``; those the bot cannot write to apart."""
        members = await self._members.members_in(self._tree.branches_under([unit_id]))
        return Audience(
            reachable=[m for m in members if m.reachable],
            unreachable=[m for m in members if not m.reachable],
        )

    async def create_broadcast(
        self,
        unit_id: str,
        text: str,
        created_by: int,
        progress_chat_id: int,
        ack: Markup | None = None,
    ) -> int:
        """Write a broadcast to every member at or below ``unit_id`` into the outbox; with
        ``ack``, each message carries that 收到 keyboard."""
        now = self._clock.now()
        audience = await self.audience(unit_id)
        batch_id = await self.send_to(
            audience.reachable + audience.unreachable,
            key=f"broadcast:{created_by}:{now.timestamp():.6f}",
            kind=ACK_KIND if ack else "broadcast",
            text=text,
            unit_id=unit_id,
            created_by=created_by,
            progress_chat_id=progress_chat_id,
            batch_markup=ack,
        )
        assert batch_id is not None, "broadcast keys are unique per sender and instant"
        return batch_id

    async def send_to(
        self,
        members: list[Member],
        *,
        key: str,
        kind: str,
        text: str,
        unit_id: str,
        created_by: int,
        progress_chat_id: int | None,
        event_id: int | None = None,
        batch_markup: Markup | None = None,
    ) -> int | None:
        """One message to each of ``members``, written once under ``key`` (None when that
        key was used before); members the bot cannot reach are recorded as failed.
        ``event_id``: the meeting the message announces."""
        now = self._clock.now()
        batch_id = await self._outbox.create_batch(
            key=key,
            kind=kind,
            title=text[:40],
            unit_id=unit_id,
            created_by=created_by,
            now=now,
            deliveries=[
                NewDelivery(m.telegram_id, m.id, text)
                for m in members
                if m.reachable and m.telegram_id is not None
            ],
            not_before=now,
            progress_chat_id=progress_chat_id,
            event_id=event_id,
            batch_markup=batch_markup,
        )
        if batch_id is not None:
            await self._outbox.record_unreachable(
                batch_id, [m.id for m in members if not m.reachable], UNREACHABLE, now
            )
        return batch_id

    async def batch(self, batch_id: int) -> Batch | None:
        return await self._outbox.batch(batch_id)

    async def next_pending(self) -> datetime | None:
        """When the earliest delivery still waiting is due; None when none waits."""
        return await self._outbox.next_due()

    async def show_progress_in(self, batch_id: int, chat_id: int, message_id: int) -> None:
        """The message that shows this batch's progress, to be edited as it goes."""
        await self._outbox.set_progress_message(batch_id, chat_id, message_id)

    async def finish(self, batch_id: int) -> bool:
        """Mark the batch finished; True only the first time (one final summary)."""
        return await self._outbox.finish_batch(batch_id, self._clock.now())

    async def progress(self, batch_id: int) -> BatchProgress:
        return await self._outbox.progress(batch_id)

    async def failed_members(self, batch_id: int) -> list[Member]:
        members = [
            await self._members.member_by_id(m)
            for m in await self._outbox.failed_members(batch_id)
        ]
        return [m for m in members if m is not None]

    async def acknowledge(self, batch_id: int, telegram_id: int) -> bool | None:
        """收到 from a recipient: True the first time, False again, None for anyone the
        broadcast was not sent to."""
        return await self._outbox.acknowledge(batch_id, telegram_id, self._clock.now())

    async def acknowledgements(self, batch_id: int) -> Acknowledgements:
        acknowledged: list[Member] = []
        waiting: list[Member] = []
        for member_id, done in await self._outbox.acknowledgements(batch_id):
            member = await self._members.member_by_id(member_id)
            if member is not None:
                (acknowledged if done else waiting).append(member)
        return Acknowledgements(acknowledged, waiting)

    async def resend_unacknowledged(
        self, batch: Batch, created_by: int, progress_chat_id: int, ack: Markup
    ) -> int | None:
        """The broadcast again, with its 收到 button for ``batch``, to every recipient who
        has not tapped it; None when there is no one left (or nothing to send)."""
        text = await self._outbox.batch_text(batch.id)
        waiting = (await self.acknowledgements(batch.id)).waiting
        if not waiting or text is None or batch.unit_id is None:
            return None
        now = self._clock.now()
        return await self.send_to(
            waiting,
            key=f"resend:{batch.id}:{created_by}:{now.timestamp():.6f}",
            kind=RESEND_KIND,
            text=text,
            unit_id=batch.unit_id,
            created_by=created_by,
            progress_chat_id=progress_chat_id,
            batch_markup=lambda _: ack(batch.id),
        )

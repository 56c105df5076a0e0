"""A worker: a python-telegram-bot ``Application`` without an ``Updater``, fed from the inbox.

The worker keeps leases on a share of the inbox's partitions (all of them divided by the live
workers, each announcing itself with a ``worker:<id>`` lease), reads the pending updates of the
partitions it holds in id order, and hands each to the library's documented custom-update path:
``Update.de_json`` and ``Application.process_update``. Different chats are handled
concurrently; one chat's updates strictly one after another, in the order received. An update
is marked done after the bot has handled it, so a worker killed at any moment loses nothing:
once its leases expire another worker takes its partitions and handles what was not marked
(at least once; the bot's handling is idempotent — an answer is recorded once whatever
happens — so the effect is once). A partition is handed over on purpose (to a worker that
joined) only once its updates in hand are handled and marked, so a chat is never served by
two workers at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Update

from bot.clock import Clock
from bot.context import BotApplication
from bot.redelivery import possibly_handled_before
from bot.scaling.inbox import PARTITIONS, Pending
from bot.scaling.lease import SAFETY, Lease
from bot.storage.busy import retry_busy
from bot.storage.inbox import InboxStore
from bot.storage.leases import LeaseStore

log = logging.getLogger(__name__)

POLL = 0.02
"""Seconds between looks at the inbox when it had nothing new."""
SWEEP = 1.0
"""Seconds between full reads of the held partitions' pending updates: they find an update
committed late with a lower id (several receivers on PostgreSQL) and those of a partition
just taken over."""
MAX_IN_HAND = 2000
"""Updates read and not yet marked done: past this the worker reads no more (back pressure)."""
MAX_CONCURRENT = 256
"""Updates being handled at once (different chats)."""
KEEP_DONE = timedelta(minutes=10)
"""How long a done update is kept: longer than Telegram redelivers an unanswered webhook."""
PRUNE_EVERY = 60.0


class Worker:
    def __init__(
        self,
        inbox: InboxStore,
        leases: LeaseStore,
        application: BotApplication,
        holder: str,
        clock: Clock,
        *,
        ttl: float = 6.0,
        outbox: Lease | None = None,
        partitions: int = PARTITIONS,
        poll: float = POLL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.holder = holder
        self.ttl = ttl
        self._inbox = inbox
        self._leases = leases
        self._application = application
        self._clock = clock
        self._outbox = outbox
        self._partitions = partitions
        self._poll = poll
        self._monotonic = monotonic
        self._parts: dict[int, float] = {}
        """Partitions held: their local deadline (monotonic)."""
        self._releasing: set[int] = set()
        self._fresh = True
        """Set when partitions were taken: the next read is a sweep."""
        self._taken_over: dict[int, int] = {}
        """Partitions taken from a worker whose lease expired (it died or stalled): when (UTC
        ms). Their updates received before may have been handled there already."""
        self._cursor = 0
        self._next_sweep = 0.0
        self._in_hand: dict[int, int] = {}
        """Inbox ids read and not yet marked done → their partition."""
        self._per_part: dict[int, int] = {}
        self._recent: dict[int, float] = {}
        """Ids marked done lately (a sweep read before the mark must not hand them out again)."""
        self._chats: dict[int | None, deque[Pending]] = {}
        self._done: list[int] = []
        self._done_event = asyncio.Event()
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self.handled = 0
        self.last_success: dict[str, datetime | None] = {"leases": None, "inbox": None}

    @property
    def partitions(self) -> list[int]:
        return sorted(self._parts)

    def start(self) -> None:
        self._loops = [
            asyncio.create_task(self._keep_leases(), name="worker leases"),
            asyncio.create_task(self._read(), name="worker inbox"),
            asyncio.create_task(self._mark(), name="worker marks"),
        ]

    async def stop(self, grace: float = 10.0) -> None:
        """A clean stop: read nothing more, finish the updates in hand (up to ``grace``
        seconds), mark them, and give every lease up so that others take over at once."""
        reader, others = self._loops[1:2], self._loops[:1] + self._loops[2:]
        for task in reader:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in [*others, *self._tasks]:
            task.cancel()
        await asyncio.gather(*others, *self._tasks, return_exceptions=True)
        await self._flush()
        with contextlib.suppress(Exception):
            names = [self._name(part) for part in self._parts] + [self._me()]
            await self._leases.release(names, self.holder)
        self._parts.clear()

    # Leases -------------------------------------------------------------------------------

    def _name(self, part: int) -> str:
        return f"part:{part}"

    def _me(self) -> str:
        return f"worker:{self.holder}"

    def _usable(self, part: int) -> bool:
        deadline = self._parts.get(part)
        return deadline is not None and self._monotonic() < deadline

    async def _keep_leases(self) -> None:
        while True:
            try:
                await self.balance()
            except Exception:
                log.exception("worker %s: leases not renewed", self.holder)
            await asyncio.sleep(self.ttl / 4)

    async def balance(self) -> None:
        """Renew this worker's leases, then take or hand over partitions towards an equal
        share among the live workers."""
        started = self._monotonic()
        now = self._clock.now()
        until = now + timedelta(seconds=self.ttl)
        await self._leases.take(self._me(), self.holder, now, until)
        names = {self._name(part): part for part in self._parts}
        renewed = await self._leases.renew(list(names), self.holder, now, until)
        for name, part in names.items():
            if name in renewed:
                self._parts[part] = started + self.ttl * SAFETY
            else:
                log.warning("worker %s: partition %d was taken over", self.holder, part)
                self._parts.pop(part, None)
                self._releasing.discard(part)
        live = await self._leases.live("", now)
        workers = sum(1 for name in live if name.startswith("worker:"))
        share = math.ceil(self._partitions / max(workers, 1))
        kept = [part for part in self._parts if part not in self._releasing]
        for part in sorted(kept, reverse=True)[: max(0, len(kept) - share)]:
            self._releasing.add(part)
        for part in list(self._releasing):
            if self._per_part.get(part, 0) == 0:
                await self._flush()
                await self._leases.release([self._name(part)], self.holder)
                self._parts.pop(part, None)
                self._releasing.discard(part)
                log.info("worker %s: partition %d handed over", self.holder, part)
        want = share - (len(self._parts) - len(self._releasing))
        if want > 0:
            free = [
                part
                for part in range(self._partitions)
                if self._name(part) not in live and part not in self._parts
            ]
            random.shuffle(free)
            chosen = free[:want]
            before = await self._leases.holders([self._name(part) for part in chosen])
            for part in chosen:
                if await self._leases.take(self._name(part), self.holder, now, until):
                    self._parts[part] = started + self.ttl * SAFETY
                    self._fresh = True
                    if before.get(self._name(part), self.holder) != self.holder:
                        # Not handed over (a clean hand-over deletes the row): expired.
                        self._taken_over[part] = int(now.timestamp() * 1000)
                    else:
                        self._taken_over.pop(part, None)
        self.last_success["leases"] = now

    # Reading and handling -----------------------------------------------------------------

    async def _read(self) -> None:
        while True:
            try:
                found = await self.read_once()
            except Exception:
                log.exception("worker %s: inbox not read", self.holder)
                found = 0
            if not found:
                await asyncio.sleep(self._poll)

    async def read_once(self) -> int:
        """Read the held partitions' new updates and hand them out; how many were new."""
        parts = [
            part for part in self._parts if self._usable(part) and part not in self._releasing
        ]
        if not parts or len(self._in_hand) >= MAX_IN_HAND:
            self.last_success["inbox"] = self._clock.now()
            return 0
        sweep = self._fresh or self._monotonic() >= self._next_sweep
        if sweep:
            self._fresh = False
            self._next_sweep = self._monotonic() + SWEEP
        rows = await retry_busy(
            lambda: self._inbox.pending(
                parts, after=0 if sweep else self._cursor, limit=MAX_IN_HAND
            ),
            "inbox read",
        )
        self.last_success["inbox"] = self._clock.now()
        new = 0
        for row in rows:
            self._cursor = max(self._cursor, row.id)
            if row.id in self._in_hand or row.id in self._recent:
                continue
            new += 1
            self._in_hand[row.id] = row.part
            self._per_part[row.part] = self._per_part.get(row.part, 0) + 1
            queue = self._chats.get(row.chat_key)
            if queue is not None:
                queue.append(row)
                continue
            self._chats[row.chat_key] = deque([row])
            task = asyncio.create_task(self._chat(row.chat_key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return new

    async def _chat(self, key: int | None) -> None:
        """One chat's updates, one after another, in the order read."""
        queue = self._chats[key]
        try:
            while queue:
                row = queue.popleft()
                if not self._usable(row.part):
                    # The partition was lost (its lease lapsed): its holder now handles it.
                    self._forget([row.id])
                    continue
                async with self._slots:
                    await self._handle(row)
                self._done.append(row.id)
                self._done_event.set()
        finally:
            self._forget([row.id for row in queue])
            del self._chats[key]

    async def _handle(self, row: Pending) -> None:
        taken_over = self._taken_over.get(row.part)
        replay = possibly_handled_before.set(
            taken_over is not None and row.received_at <= taken_over
        )
        try:
            update = Update.de_json(json.loads(row.payload), self._application.bot)
            # The library's own path for updates from elsewhere: handlers, error handlers.
            await self._application.process_update(update)
        except Exception:
            # Handler errors reach the bot's error handler inside process_update; this is an
            # update that cannot be read. It is marked done: it would fail the same way again.
            log.exception("worker %s: update %d not handled", self.holder, row.id)
        finally:
            possibly_handled_before.reset(replay)
        self.handled += 1

    def _forget(self, ids: list[int]) -> None:
        for row_id in ids:
            part = self._in_hand.pop(row_id, None)
            if part is not None:
                self._per_part[part] -= 1

    async def _mark(self) -> None:
        pruned = self._monotonic()
        while True:
            await self._done_event.wait()
            self._done_event.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("worker %s: updates not marked done", self.holder)
                await asyncio.sleep(self._poll)
                self._done_event.set()
            now = self._monotonic()
            if now - pruned > PRUNE_EVERY:
                pruned = now
                self._recent = {i: t for i, t in self._recent.items() if now - t < 60}
                if self._outbox is not None and self._outbox.held:
                    await retry_busy(
                        lambda: self._inbox.prune(self._clock.now() - KEEP_DONE), "inbox prune"
                    )

    async def _flush(self) -> None:
        """Mark the handled updates done (one statement for all of them)."""
        ids, self._done = self._done, []
        if not ids:
            return
        try:
            await retry_busy(
                lambda: self._inbox.mark_done(ids, self.holder, self._clock.now()), "inbox mark"
            )
        except BaseException:
            self._done[:0] = ids
            raise
        now = self._monotonic()
        for row_id in ids:
            self._recent[row_id] = now
        self._forget(ids)

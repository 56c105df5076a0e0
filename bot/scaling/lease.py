"""One named lease, kept by this process while it can (docs/scaling.md).

The outbox sender and the scheduler's tick run under the lease ``outbox``: in one process at
a time, so the pace of broadcasts stays global and nothing is sent twice. The keeper renews
the lease every quarter of its length; it believes it holds the lease only until 80 % of the
length after the last renewal began (by its own monotonic clock), so it stops before another
process may take over, even when the database is unreachable. A process that dies stops
renewing, and another takes the lease once it has expired: within ``ttl`` seconds plus one
renewal interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.storage.leases import LeaseStore

log = logging.getLogger(__name__)

Listener = Callable[[], Awaitable[None]]
SAFETY = 0.8
"""The share of a lease's length its holder relies on: the rest covers clock skew between
processes and a renewal that is slow to return."""


class Lease:
    def __init__(
        self,
        store: LeaseStore,
        name: str,
        holder: str,
        clock: Clock,
        *,
        ttl: float = 6.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._store = store
        self._clock = clock
        self._monotonic = monotonic
        self._deadline = 0.0
        self._holding = False
        self._gained: list[Listener] = []
        self._lost: list[Listener] = []
        self._runner: asyncio.Task[None] | None = None
        self.last_success: datetime | None = None
        """When the lease was last taken or renewed, or found held by another: the health
        figure of this loop."""

    @property
    def held(self) -> bool:
        """Whether this process may act as the lease's holder now."""
        return self._holding and self._monotonic() < self._deadline

    def watch(self, gained: Listener, lost: Listener) -> None:
        """Call ``gained`` when this process takes the lease, ``lost`` when it stops holding
        it (expired unrenewed, taken over, or released)."""
        self._gained.append(gained)
        self._lost.append(lost)

    async def step(self) -> bool:
        """Take or renew the lease once; whether this process holds it now."""
        started = self._monotonic()
        now = self._clock.now()
        try:
            took = await self._store.take(
                self.name, self.holder, now, now + timedelta(seconds=self.ttl)
            )
        except Exception:
            log.exception("lease %s: could not renew", self.name)
            took, answered = False, False
        else:
            answered = True
            self.last_success = now
        if took:
            self._deadline = started + self.ttl * SAFETY
            if not self._holding:
                self._holding = True
                log.info("lease %s taken by %s", self.name, self.holder)
                await self._tell(self._gained)
        elif self._holding and answered:
            await self._drop("taken over")
        elif self._holding and not self.held:
            await self._drop("lapsed")
        return self.held

    async def run(self) -> None:
        """Keep the lease for ever (cancel to stop; ``release`` gives it up)."""
        while True:
            await self.step()
            wait = self.ttl / 4
            if self._holding:
                # Wake in time to notice a lapse if the renewals keep failing.
                wait = max(0.0, min(wait, self._deadline - self._monotonic()))
            await asyncio.sleep(wait)

    def start(self) -> None:
        self._runner = asyncio.create_task(self.run(), name=f"lease {self.name}")

    async def release(self) -> None:
        """Stop renewing and give the lease up at once, so another process need not wait
        for it to expire."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        if self._holding:
            await self._drop("released")
        with contextlib.suppress(Exception):
            await self._store.release([self.name], self.holder)

    async def _drop(self, why: str) -> None:
        self._holding = False
        self._deadline = 0.0
        log.warning("lease %s %s: %s stops", self.name, why, self.holder)
        await self._tell(self._lost)

    async def _tell(self, listeners: list[Listener]) -> None:
        for listener in listeners:
            try:
                await listener()
            except Exception:
                log.exception("lease %s: a listener failed", self.name)

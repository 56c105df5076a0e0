"""Excel ledgers (台账) built in a worker process, so an export never holds up quiz taps.

openpyxl writes each row of a write-only sheet to a temporary file in many small writes; each
write gives up the GIL and takes it back at once, so a thread doing it starves the event loop
(measured on the city database: taps held up 17–116 ms during one branch's yearly export, up
to 240 ms beside a larger one). In a process of its own the same work costs the loop nothing.
The process is started on the first export and kept; it opens its own connection to the
database (WAL lets it read while the bot writes) and reads the organisation from it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.org.tree import OrgTree
from bot.quiz.questions import Question
from bot.stats.periods import Period
from bot.stats.service import StatsService
from bot.storage import Storage


@dataclass(frozen=True)
class LedgerRequest:
    """What the worker needs, sent over a pipe: plain, picklable data."""

    database: Path
    zone: ZoneInfo
    unit_id: str
    period: Period
    questions: Mapping[str, Question]


def build_ledger(request: LedgerRequest) -> bytes:
    """The worker's side: a short event loop of its own around the same ``StatsService``."""
    return asyncio.run(_build(request))


async def _build(request: LedgerRequest) -> bytes:
    storage = await Storage.open(request.database)
    try:
        tree = OrgTree(tuple(await storage.units()))
        stats = StatsService(storage, request.zone)
        return await stats.ledger(tree, request.unit_id, request.period, request.questions)
    finally:
        await storage.close()


IDLE_SECONDS = 600.0
"""A worker with no export for this long is stopped: its ~90 MB are the machine's again."""


class LedgerProcess:
    """One worker process for exports, queued one after another: a ledger is a few seconds
    of one core, and the bot's other core keeps answering members."""

    def __init__(self, database: Path, zone: ZoneInfo, idle_seconds: float = IDLE_SECONDS) -> None:
        self._database = database
        self._zone = zone
        self._idle_seconds = idle_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0
        self._idle_timer: asyncio.TimerHandle | None = None

    async def build(
        self, unit_id: str, period: Period, questions: Mapping[str, Question]
    ) -> bytes:
        loop = asyncio.get_running_loop()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self._pool is None:
            # spawn, not fork: the bot has threads (aiosqlite, the sender) a fork would copy
            # mid-flight.
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        request = LedgerRequest(self._database, self._zone, unit_id, period, dict(questions))
        self._running += 1
        try:
            return await loop.run_in_executor(self._pool, build_ledger, request)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): this export fails, the next one
            # starts a new worker.
            self._pool = None
            raise
        finally:
            self._running -= 1
            if not self._running:
                self._idle_timer = loop.call_later(self._idle_seconds, self._stop_if_idle)

    def _stop_if_idle(self) -> None:
        if not self._running and self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def close(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

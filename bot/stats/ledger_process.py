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


class LedgerProcess:
    """One worker process for exports, queued one after another: a ledger is a few seconds
    of one core, and the bot's other core keeps answering members."""

    def __init__(self, database: Path, zone: ZoneInfo) -> None:
        self._database = database
        self._zone = zone
        self._pool: ProcessPoolExecutor | None = None

    async def build(
        self, unit_id: str, period: Period, questions: Mapping[str, Question]
    ) -> bytes:
        if self._pool is None:
            # spawn, not fork: the bot has threads (aiosqlite, the sender) a fork would copy
            # mid-flight.
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        request = LedgerRequest(self._database, self._zone, unit_id, period, dict(questions))
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, build_ledger, request
            )
        except BrokenProcessPool:
            # The worker died (killed, out of memory): this export fails, the next one
            # starts a new worker.
            self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

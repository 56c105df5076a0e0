"""Excel ledgers (台账) and charts made in a worker process, so a report never holds up quiz
taps and the bot never loads matplotlib.

openpyxl writes each row of a write-only sheet to a temporary file in many small writes; each
write gives up the GIL and takes it back at once, so a thread doing it starves the event loop
(measured on the city database: taps held up 17–116 ms during one branch's yearly export). A
chart is ~0.6 s of matplotlib, 67 ms of loop lag from a thread, and matplotlib ~50 MB of
memory. In a process of its own the same work costs the loop nothing. The process is started
on the first report and stopped when idle; it opens its own connection to the database (WAL
lets it read while the bot writes) and reads the organisation from it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.clock import Clock, FixedClock
from bot.i18n import Texts
from bot.quiz.questions import Question
from bot.stats.chart import Bar, draw_chart, font_for
from bot.stats.periods import Period
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.storage.url import DatabaseUrl

log = logging.getLogger(__name__)

IDLE_SECONDS = 600.0
"""A worker with no report for this long is stopped: its ~90 MB are the machine's again."""

Request = TypeVar("Request")
Result = TypeVar("Result")


@dataclass(frozen=True)
class LedgerRequest:
    """What the worker needs for a ledger, sent over a pipe: plain, picklable data."""

    database: DatabaseUrl
    zone: ZoneInfo
    unit_id: str
    period: Period
    questions: Mapping[str, Question]
    now: datetime
    """The bot's clock at the request: the worker counts members as of the same moment."""
    min_attempts: int
    texts: Texts


@dataclass(frozen=True)
class ChartRequest:
    font: str
    """The ``chart_font`` setting; resolved in the worker, where matplotlib is."""
    title: str
    bars: Sequence[Bar]
    horizontal: bool
    texts: Texts


def build_ledger(request: LedgerRequest) -> bytes:
    """The worker's side: a short event loop of its own around the same ``StatsService``."""
    return asyncio.run(_build(request))


async def _build(request: LedgerRequest) -> bytes:
    storage = await Storage.open(request.database)
    try:
        stats = await StatsService.reading(
            storage, request.zone, FixedClock(request.now), request.min_attempts
        )
        return await stats.ledger(
            request.unit_id, request.period, request.questions, request.texts
        )
    finally:
        await storage.close()


def draw(request: ChartRequest) -> bytes | None:
    """The worker's side of a chart: None when there is no CJK font to draw with."""
    font = font_for(request.font)
    if font is None:
        return None
    return draw_chart(
        request.title, request.bars, horizontal=request.horizontal, font=font, texts=request.texts
    )


PARENT_CHECK_SECONDS = 1.0


def watch_parent(parent: int) -> None:
    """The worker's side: end as soon as the bot is gone. A worker blocks on its task queue,
    whose pipe it holds both ends of, so a SIGKILLed bot would otherwise leave it running for
    good (holding the database open and its memory)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="watch parent", daemon=True).start()


class ReportProcess:
    """One worker process for reports, queued one after another: a report is a second or
    a few of one core, and the bot's other core keeps answering members."""

    def __init__(
        self,
        database: DatabaseUrl,
        zone: ZoneInfo,
        chart_font: str,
        clock: Clock,
        min_attempts: int = 5,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self._clock = clock
        self._min_attempts = min_attempts
        self._database = database
        self._zone = zone
        self._chart_font = chart_font
        self._idle_seconds = idle_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._warned = False

    async def ledger(
        self, unit_id: str, period: Period, questions: Mapping[str, Question], texts: Texts
    ) -> bytes:
        request = LedgerRequest(
            self._database,
            self._zone,
            unit_id,
            period,
            dict(questions),
            self._clock.now(),
            self._min_attempts,
            texts,
        )
        return await self._run(build_ledger, request)

    async def chart(
        self, title: str, bars: Sequence[Bar], *, horizontal: bool, texts: Texts
    ) -> bytes | None:
        """The PNG, or None when no CJK font can be found (said once in the log): the caller
        sends the text report instead of an image of empty boxes."""
        png = await self._run(
            draw, ChartRequest(self._chart_font, title, list(bars), horizontal, texts)
        )
        if png is None and not self._warned:
            log.warning(
                "no CJK font (chart_font: %s; install fonts-noto-cjk); charts are sent as text "
                "reports",
                self._chart_font,
            )
            self._warned = True
        return png

    async def _run(self, work: Callable[[Request], Result], request: Request) -> Result:
        loop = asyncio.get_running_loop()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self._pool is None:
            # spawn, not fork: the bot has threads (aiosqlite, the sender) a fork would copy
            # mid-flight.
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
        self._running += 1
        try:
            return await loop.run_in_executor(self._pool, work, request)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): this report fails, the next one
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

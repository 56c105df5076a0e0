"""The sender: drains the outbox at Telegram's pace, retrying what may be retried.

It runs as one task beside the bot and talks to Telegram through its own ``Bot`` and
connection pool, so a theme-day broadcast to thousands never delays a member's quiz answer.
Everything it knows is in the outbox: it can be killed at any moment and resumes from there.

* 429: the whole sender pauses for ``retry_after``; the delivery goes back to the queue.
* 5xx, timeouts, network errors: retried with backoff, up to ``max_attempts``.
* 403 (blocked) and 400 "chat not found": failed, not retried, and the member is marked
  unreachable (未联系上) for the secretary's statistics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.delivery.outbox import Delivery
from bot.delivery.pacing import Pacer
from bot.storage.busy import Backoff, retry_busy
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore

log = logging.getLogger(__name__)

BatchListener = Callable[[int], Awaitable[None]]
CLAIM = 30
"""Deliveries claimed (marked ``sending``) at a time: about a second of Telegram's pace, which
bounds what a crash can duplicate."""
BUSY_BACKOFF = Backoff()
RESTART_BACKOFF = Backoff(first=1.0, longest=60.0)
"""After an unexpected error the loop starts again after 1 s, then 2, 4 … at most a minute."""
UNREACHABLE_MARKERS = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "can't initiate",
)


class Sender:
    def __init__(
        self,
        outbox: OutboxStore,
        members: OrgStore,
        bot: Bot,
        clock: Clock,
        pacer: Pacer,
        on_batch_change: BatchListener,
        *,
        concurrency: int = 64,
        max_attempts: int = 5,
        backoff: float = 2.0,
        allow_paid_broadcast: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        busy_backoff: Backoff = BUSY_BACKOFF,
        restart_backoff: Backoff = RESTART_BACKOFF,
    ) -> None:
        self._outbox = outbox
        self._members = members
        self._bot = bot
        self._clock = clock
        self._pacer = pacer
        self._on_batch_change = on_batch_change
        self._slots = asyncio.Semaphore(concurrency)
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._paid = allow_paid_broadcast
        self._monotonic = monotonic
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self.in_flight_at_start = 0
        self._busy_backoff = busy_backoff
        self._restart = restart_backoff
        self._last_success: datetime | None = None

    async def start(self) -> None:
        """Start draining (again, after a ``stop``: a worker that takes the outbox lease
        over starts its sender, and stops it when the lease is lost)."""
        if self._runner is not None:
            return
        await self._bot.initialize()
        self._runner = asyncio.create_task(self.run(), name="outbox sender")

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            try:
                await runner
            except asyncio.CancelledError:
                pass
            except Exception:  # a shutdown must finish whatever the loop died of
                log.exception("outbox sender ended with an error")
        await self._bot.shutdown()

    def wake(self) -> None:
        """New deliveries were written: look now instead of at the next poll."""
        self._wake.set()

    @property
    def last_success(self) -> datetime | None:
        """When the sender last read the outbox without trouble: the health figure. A time
        far behind the clock means it is stuck (a locked database, a broken loop)."""
        return self._last_success

    async def run(self) -> None:
        """Drain the outbox for ever. A busy database is waited out where it happens; any
        other error is logged and the loop starts again after a pause, so one bad delivery
        or a bug never stops every reminder and broadcast after it."""
        failures = 0
        try:
            while True:
                try:
                    await self._drain()
                except Exception:
                    wait = self._restart.delay(failures)
                    failures += 1
                    log.exception("outbox sender failed; restarting in %.1fs", wait)
                    await asyncio.sleep(wait)
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drain(self) -> None:
        # Deliveries left 'sending' (by a crash, or by a loop that failed between claiming and
        # sending) go back to the queue once every send of ours has finished.
        await asyncio.gather(*self._tasks, return_exceptions=True)
        requeued = await retry_busy(
            self._outbox.requeue_in_flight, "outbox requeue", self._busy_backoff
        )
        if requeued:
            self.in_flight_at_start += requeued
            log.warning("%d deliveries were in flight; sending them again", requeued)
        while True:
            claimed, expired = await retry_busy(
                lambda: self._outbox.claim_due(self._clock.now(), CLAIM),
                "outbox claim",
                self._busy_backoff,
            )
            self._last_success = self._clock.now()
            for batch_id in expired:
                log.warning("batch %d: deliveries past their grace window skipped", batch_id)
                await self._batch_changed(batch_id)
            if not claimed:
                await self._idle()
                continue
            for delivery in claimed:
                start = self._pacer.reserve(delivery.chat_id, self._monotonic())
                delay = start - self._monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._slots.acquire()
                task = asyncio.create_task(self._send(delivery))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _batch_changed(self, batch_id: int) -> None:
        """Tell the progress reporter; its trouble (a 429 on the progress message, a busy
        database) must not lose the delivery that was just sent."""
        try:
            await self._on_batch_change(batch_id)
        except Exception:
            log.exception("batch %d: progress not updated", batch_id)

    async def _idle(self) -> None:
        """Sleep until woken, or until the next retry is due (at most a second)."""
        self._wake.clear()
        timeout = 1.0
        due = await retry_busy(self._outbox.next_due, "outbox next due", self._busy_backoff)
        if due is not None:
            timeout = min(timeout, max(0.0, (due - self._clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _send(self, delivery: Delivery) -> None:
        try:
            outcome = await self._deliver(delivery)
        finally:
            self._slots.release()
        # What Telegram did is recorded however long the database stays busy: the message
        # is out, and marking it anything else would send it twice.
        await retry_busy(outcome, f"delivery {delivery.id}", self._busy_backoff)
        await self._batch_changed(delivery.batch_id)

    async def _deliver(self, delivery: Delivery) -> Callable[[], Awaitable[None]]:
        """Send one message; return the storage write that records what happened."""
        try:
            markup = (
                InlineKeyboardMarkup.de_json(delivery.reply_markup, self._bot)
                if delivery.reply_markup
                else None
            )
            message = await self._bot.send_message(
                delivery.chat_id,
                delivery.text,
                reply_markup=markup,
                allow_paid_broadcast=self._paid or None,
            )
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            self._pacer.pause(self._monotonic() + wait)
            log.warning("429 from Telegram: pausing deliveries for %.0fs", wait)
            return lambda: self._outbox.retry_later(
                delivery.id,
                self._clock.now() + timedelta(seconds=wait),
                f"429 retry after {wait:.0f}s",
                count_attempt=False,
            )
        except (Forbidden, BadRequest) as error:
            return partial(self._unreachable_or_failed, delivery, error)
        except (NetworkError, TelegramError) as error:
            return partial(self._retry_or_fail, delivery, error)
        sent_at = self._clock.now()
        return lambda: self._outbox.mark_sent(delivery.id, message.message_id, sent_at)

    async def _unreachable_or_failed(self, delivery: Delivery, error: TelegramError) -> None:
        text = str(error.message).lower()
        await self._outbox.mark_failed(delivery.id, str(error.message))
        if delivery.member_id is not None and any(m in text for m in UNREACHABLE_MARKERS):
            await self._members.set_member_unreachable(delivery.member_id, self._clock.now())
        else:
            log.error("delivery %d to %s refused: %s", delivery.id, delivery.chat_id, error)

    async def _retry_or_fail(self, delivery: Delivery, error: TelegramError) -> None:
        if delivery.attempts >= self._max_attempts:
            log.error(
                "delivery %d failed after %d attempts: %s", delivery.id, delivery.attempts, error
            )
            await self._outbox.mark_failed(delivery.id, str(error))
            return
        wait = self._backoff * 2 ** (delivery.attempts - 1)
        log.warning("delivery %d: %s; retry in %.0fs", delivery.id, error, wait)
        await self._outbox.retry_later(
            delivery.id, self._clock.now() + timedelta(seconds=wait), str(error)
        )


def _seconds(value: object) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0

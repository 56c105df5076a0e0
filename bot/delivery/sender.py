"""The sender: drains the outbox at Telegram's pace, retrying what may be retried.

It runs as one task beside the bot and talks to Telegram through its own ``Bot`` and
connection pool, so a theme-day broadcast to thousands never delays a member's quiz answer.
Everything it knows is in the outbox: it can be killed at any moment and resumes from there.

* 429: the whole sender pauses for ``retry_after``; the delivery goes back to the queue.
* 5xx, timeouts, network errors: retried with backoff, up to ``max_attempts``.
* 403 (blocked) and 400 "chat not found": failed, not retried, and the member is marked
  unreachable (失联) for the secretary's statistics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.delivery.outbox import Delivery
from bot.delivery.pacing import Pacer
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore

log = logging.getLogger(__name__)

BatchListener = Callable[[int], Awaitable[None]]
CLAIM = 30
"""Deliveries claimed (marked ``sending``) at a time: about a second of Telegram's pace, which
bounds what a crash can duplicate."""
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

    async def start(self) -> None:
        await self._bot.initialize()
        self._runner = asyncio.create_task(self.run(), name="outbox sender")

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        await self._bot.shutdown()

    def wake(self) -> None:
        """New deliveries were written: look now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        self.in_flight_at_start = await self._outbox.requeue_in_flight()
        if self.in_flight_at_start:
            log.warning(
                "%d deliveries were in flight when the bot stopped; sending them again",
                self.in_flight_at_start,
            )
        try:
            while True:
                claimed, expired = await self._outbox.claim_due(self._clock.now(), CLAIM)
                for batch_id in expired:
                    log.warning("batch %d: deliveries past their grace window skipped", batch_id)
                    await self._on_batch_change(batch_id)
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
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _idle(self) -> None:
        """Sleep until woken, or until the next retry is due (at most a second)."""
        self._wake.clear()
        timeout = 1.0
        due = await self._outbox.next_due()
        if due is not None:
            timeout = min(timeout, max(0.0, (due - self._clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _send(self, delivery: Delivery) -> None:
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
            await self._outbox.retry_later(
                delivery.id,
                self._clock.now() + timedelta(seconds=wait),
                f"429 retry after {wait:.0f}s",
                count_attempt=False,
            )
        except (Forbidden, BadRequest) as error:
            await self._unreachable_or_failed(delivery, error)
        except (NetworkError, TelegramError) as error:
            await self._retry_or_fail(delivery, error)
        else:
            await self._outbox.mark_sent(delivery.id, message.message_id, self._clock.now())
        finally:
            self._slots.release()
        await self._on_batch_change(delivery.batch_id)

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

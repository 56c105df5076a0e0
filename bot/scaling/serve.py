"""The processes of several: ``serve_receiver`` (``python -m bot receive``) and
``serve_worker`` (``python -m bot work``). Each runs until SIGINT or SIGTERM, answers
``GET /health`` on its health port, and gives its leases up when stopped cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from telegram.ext import ExtBot

from bot.app import ALLOWED_UPDATES, build_application, running
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.quiz.questions import Bank
from bot.scaling.health import Health
from bot.scaling.lease import Lease
from bot.scaling.receiver import Receiver
from bot.scaling.worker import Worker
from bot.storage import Storage
from bot.transport import telegram_request

log = logging.getLogger(__name__)

OUTBOX_LEASE = "outbox"
"""The lease under which the outbox sender and the scheduler's tick run."""

Ready = Callable[[], Awaitable[None]] | None


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def open_storage(settings: Settings, attempts: int = 5) -> Storage:
    """The database, migrated. Processes started together may race to migrate a new database
    (the loser finds the tables made): it is opened again, and then finds nothing to do."""
    for attempt in range(1, attempts + 1):
        try:
            return await Storage.open(settings.database)
        except Exception:
            if attempt == attempts:
                raise
            log.warning("database not opened (attempt %d); again in 1s", attempt, exc_info=True)
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


async def serve_receiver(
    settings: Settings,
    token: str,
    *,
    name: str,
    health_port: int | None,
    health_host: str = "0.0.0.0",
    clock: Clock | None = None,
) -> None:
    clock = clock or SystemClock()
    storage = await open_storage(settings)
    bot = ExtBot(
        token,
        base_url=settings.telegram.base_url or "https://api.telegram.org/bot",
        request=telegram_request(settings.telegram.http, pool_size=4),
    )
    receiver = Receiver(storage.inbox, bot, settings, clock, ALLOWED_UPDATES)
    health = Health(
        "receiver",
        name,
        clock,
        lambda: {"receive": receiver.last_success},
        lambda: {"received": receiver.received},
    )
    try:
        await bot.initialize()
        await receiver.start()
        if health_port is not None:
            await health.start(health_host, health_port)
        log.info("receiver %s: storing updates in %s", name, settings.database)
        await _until_stopped()
    finally:
        await health.stop()
        await receiver.stop()
        await bot.shutdown()
        await storage.close()


async def serve_worker(
    settings: Settings,
    bank: Bank,
    token: str,
    *,
    name: str,
    health_port: int | None,
    health_host: str = "0.0.0.0",
    ttl: float = 6.0,
    clock: Clock | None = None,
) -> None:
    """A worker. Its leases and inbox go through a connection of their own, so the bot's
    work never delays a renewal."""
    clock = clock or SystemClock()
    storage = await open_storage(settings)
    outbox = Lease(storage.leases, OUTBOX_LEASE, name, clock, ttl=ttl)
    application = build_application(
        settings, bank, token, clock=clock, updater=False, background=outbox
    )
    worker = Worker(
        storage.inbox, storage.leases, application, name, clock, ttl=ttl, outbox=outbox
    )

    def loops() -> dict[str, object]:
        services = application.bot_data.services
        sender = services.sender if services is not None and services.sender.running else None
        return {
            **worker.last_success,
            "outbox_lease": outbox.last_success,
            **({"sender": sender.last_success} if sender is not None else {}),
        }

    health = Health(
        "worker",
        name,
        clock,
        loops,  # type: ignore[arg-type]
        lambda: {
            "partitions": len(worker.partitions),
            "holds_outbox": outbox.held,
            "handled": worker.handled,
        },
    )
    try:
        async with running(application, settings):
            outbox.start()
            worker.start()
            if health_port is not None:
                await health.start(health_host, health_port)
            log.info("worker %s: handling updates from %s", name, settings.database)
            try:
                await _until_stopped()
            finally:
                await health.stop()
                await worker.stop()
                await outbox.release()
    finally:
        await storage.close()

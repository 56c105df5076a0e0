"""The composition root: the only place that wires the bot together.

``build_application`` makes the python-telegram-bot ``Application``; its ``post_init`` opens
storage and builds the services, its ``post_shutdown`` closes them. ``running`` starts and
stops it inside an event loop, by long polling or webhook; ``run`` (production), the sandbox,
the tests and the benchmark all go through it, so every way of starting the bot runs the same
code.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import random
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, ContextTypes, ExtBot

from bot.clock import Clock, SystemClock
from bot.config import Mode, Settings
from bot.context import BotApplication, BotContext, BotData
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.progress import ProgressReporter
from bot.delivery.scheduler import Scheduler, plan_from
from bot.delivery.sender import Sender
from bot.delivery.service import DeliveryService
from bot.delivery.themeday import ThemeDayService
from bot.handlers.registry import bot_commands, register_handlers
from bot.i18n import catalogue
from bot.org.service import OrgService
from bot.quiz.questions import Bank
from bot.quiz.service import QuizService
from bot.schedule.planner import Schedule
from bot.services import Services
from bot.stats.report_process import ReportProcess
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.transport import PerChatUpdateProcessor, telegram_request
from bot.webhook import WebhookServer, webhook_problems
from bot.yamlfile import InvalidFileError

log = logging.getLogger(__name__)

SCHEDULER_INTERVAL = 30
"""Seconds between looks at the schedule; reminders are due to the minute."""

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER]


def build_application(
    settings: Settings,
    bank: Bank,
    token: str,
    *,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> BotApplication:
    clock = clock or SystemClock()
    rng = rng or random.Random()

    async def post_init(application: BotApplication) -> None:
        storage = await Storage.open(settings.database)
        texts = catalogue(settings.locale)
        quiz = QuizService(
            storage,
            bank,
            clock,
            rng,
            questions_per_quiz=settings.quiz.questions_per_quiz,
            seconds_per_question=settings.quiz.seconds_per_question,
        )
        try:
            org, changes = await OrgService.load(storage, settings.organisation, clock)
        except BaseException:
            await storage.close()
            raise
        if not changes.empty:
            log.info(
                "organisation applied: added %s, renamed %s, moved %s, removed %s",
                changes.added,
                changes.renamed,
                changes.moved,
                changes.removed,
            )
        stats = StatsService(storage, settings.zone, clock, settings.stats.min_attempts)
        delivery = DeliveryService(storage, clock)
        progress = ProgressReporter(application.bot, storage, delivery, texts, clock)
        sender = Sender(
            storage,
            sender_bot(settings, token),
            clock,
            Pacer(
                Limits(
                    per_second=settings.delivery.paid_per_second
                    if settings.delivery.allow_paid_broadcast
                    else settings.delivery.per_second
                )
            ),
            progress.changed,
            allow_paid_broadcast=settings.delivery.allow_paid_broadcast,
        )
        themeday = ThemeDayService(storage, clock, texts, settings.zone)
        schedule = Schedule(settings.schedules, settings.zone)
        scheduler = Scheduler(
            storage,
            clock,
            themeday,
            delivery,
            texts,
            settings.zone,
            plan_from(schedule),
            timedelta(hours=settings.delivery.grace_hours),
            schedule,
            org.secretaries_of,
        )

        application.bot_data.services = Services(
            settings,
            storage,
            quiz,
            org,
            stats,
            ReportProcess(
                settings.database,
                settings.zone,
                settings.chart_font,
                clock,
                settings.stats.min_attempts,
            ),
            delivery,
            sender,
            progress,
            themeday,
            schedule,
            scheduler,
            texts,
            clock,
        )
        await sender.start()
        # Everything built so far lives as long as the bot: keep it out of the collector's
        # full passes, which otherwise stall the event loop for tens of milliseconds.
        gc.freeze()

        async def tick(context: BotContext) -> None:
            # Due-ness is in the database: a dropped or late run is caught up by the next.
            report = await scheduler.tick(context.services.org.tree)
            if report.written or report.makeups:
                context.services.sender.wake()

        assert application.job_queue is not None
        application.job_queue.run_repeating(
            tick, interval=SCHEDULER_INTERVAL, first=1, name="scheduler:tick"
        )
        await application.bot.set_my_commands(bot_commands(texts))
        log.info(
            "bot @%s ready: %d questions, database %s",
            application.bot.username,
            len(bank),
            settings.database,
        )

    async def post_shutdown(application: BotApplication) -> None:
        services = application.bot_data.services
        if services is not None:
            await services.sender.stop()
            await services.reports.close()
            await services.storage.close()
            application.bot_data.services = None

    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    builder = (
        Application.builder()
        .token(token)
        .context_types(context_types)
        .request(telegram_request(settings.telegram.http, pool_size=16, pool_timeout=None))
        .get_updates_request(telegram_request(settings.telegram.http, pool_size=1))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram.base_url:
        builder = builder.base_url(settings.telegram.base_url)
    if settings.telegram.base_file_url:
        builder = builder.base_file_url(settings.telegram.base_file_url)
    application: BotApplication = builder.build()
    register_handlers(application)
    return application


def sender_bot(settings: Settings, token: str) -> ExtBot[None]:
    """The outbox sender's own Bot and connection pool: broadcasts never take the
    connections that quiz answers need. It retries nothing itself: the sender decides."""
    return ExtBot(
        token,
        base_url=settings.telegram.base_url or "https://api.telegram.org/bot",
        base_file_url=settings.telegram.base_file_url or "https://api.telegram.org/file/bot",
        request=telegram_request(
            settings.telegram.http, pool_size=64, pool_timeout=None, retrying=False
        ),
    )


def run(application: BotApplication, settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM."""
    asyncio.run(serve_until_stopped(application, settings))


async def serve_until_stopped(
    application: BotApplication,
    settings: Settings,
    ready: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run until SIGINT or SIGTERM; ``ready`` is awaited once updates are being received."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running(application, settings):
        if ready is not None:
            await ready()
        await stop.wait()


@asynccontextmanager
async def running(
    application: BotApplication, settings: Settings, *, poll_timeout: int = 10
) -> AsyncIterator[BotApplication]:
    """Run the bot inside the current event loop, the way the library's ``run_polling`` and
    ``run_webhook`` do: initialize, post_init, start receiving updates, start; and the reverse
    on the way out. Long polling or a webhook, as configured; a webhook without its secret
    or https address is refused before anything starts."""
    secret = os.environ.get(settings.telegram.webhook.secret_token_env, "")
    if settings.telegram.mode is Mode.WEBHOOK:
        problems = webhook_problems(settings.telegram.webhook, secret)
        if problems:
            raise InvalidFileError(problems)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        webhook: WebhookServer | None = None
        if settings.telegram.mode is Mode.WEBHOOK:
            webhook = WebhookServer(application, settings.telegram.webhook, secret)
            await webhook.start(ALLOWED_UPDATES)
        else:
            await application.updater.start_polling(
                poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
        await application.start()
        try:
            yield application
        finally:
            if webhook is not None:
                await webhook.stop()
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def quiet_http_logs(level: int = logging.WARNING) -> None:
    """httpx (and, in the sandbox, aiohttp's access log) log every request URL at INFO, and
    the URL contains the bot token."""
    for name in ("httpx", "httpcore", "aiohttp.access"):
        logging.getLogger(name).setLevel(level)

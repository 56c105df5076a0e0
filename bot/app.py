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

from telegram import Bot, Update
from telegram.ext import Application, ContextTypes, ExtBot

from bot.clock import Clock, SystemClock
from bot.config import Http, Mode, Settings, bot_id
from bot.context import BotApplication, BotContext, BotData
from bot.conversations.service import ConversationService
from bot.corrections.service import CorrectionsService
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.progress import ProgressReporter
from bot.delivery.scheduler import Scheduler, plan_from
from bot.delivery.sender import Sender
from bot.delivery.service import DeliveryService
from bot.handlers.registry import register_handlers, set_menus
from bot.handlers.signin_board import SigninBoard
from bot.i18n import catalogue
from bot.meetings.records import RecordService
from bot.meetings.service import THEMEDAY_START, MeetingService
from bot.meetings.signin import SigninService
from bot.org.service import OrgService
from bot.quiz.questions import Bank
from bot.quiz.service import QuizService
from bot.scaling.lease import Lease
from bot.schedule.planner import Schedule
from bot.services import Services
from bot.stats.report_process import ReportProcess
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.storage.base import BUSY_TIMEOUT
from bot.storage.busy import retry_busy
from bot.transport import PerChatUpdateProcessor, telegram_request
from bot.webhook import WebhookServer, webhook_problems
from bot.yamlfile import InvalidFileError

log = logging.getLogger(__name__)

SCHEDULER_INTERVAL = 30
"""Seconds between looks at the schedule; reminders are due to the minute."""

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL_ANSWER,
    Update.MY_CHAT_MEMBER,
]


def build_application(
    settings: Settings,
    bank: Bank,
    token: str,
    *,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    busy_timeout: float = BUSY_TIMEOUT,
    updater: bool = True,
    background: Lease | None = None,
) -> BotApplication:
    """The bot, ready to run. ``busy_timeout`` (seconds another writer may hold the database
    before a statement fails and is retried) is shortened by tests that lock the database.
    A worker of several (``python -m bot work``, docs/scaling.md) has no ``updater`` (the
    inbox feeds it) and runs the outbox sender and the scheduler only while it holds the
    ``background`` lease."""
    clock = clock or SystemClock()
    rng = rng or random.Random()
    opened = _Opened()

    async def post_init(application: BotApplication) -> None:
        # Order matters: the organisation is applied to the database before any service is
        # given the tree, and the sender starts only once every service exists.
        opened.storage = await Storage.open(settings.database, busy_timeout=busy_timeout)
        org = await load_organisation(storage=opened.storage, settings=settings, clock=clock)
        services = build_services(
            settings=settings,
            storage=opened.storage,
            org=org,
            bank=bank,
            bot=application.bot,
            outbox_bot=sender_bot(settings, token),
            clock=clock,
            rng=rng,
        )
        application.bot_data.services = services
        await start_background_work(application=application, services=services, lease=background)
        await set_menus(application.bot, services.texts)
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
            await services.board.close()
            await services.reports.close()
            application.bot_data.services = None
        if opened.storage is not None:
            await opened.storage.close()
            opened.storage = None

    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    requests = (
        # Connections bound the calls a process has in flight: at a 50 ms round trip 16 carry
        # 320 calls a second, ~53 answers — under what one process serves on aiohttp
        # (docs/performance.md). httpx pays for a larger pool in bookkeeping; aiohttp does not.
        telegram_request(
            settings.telegram.http,
            pool_size=64 if settings.telegram.http is Http.AIOHTTP else 16,
            pool_timeout=None,
        ),
        telegram_request(settings.telegram.http, pool_size=1),
    )
    builder = (
        Application.builder()
        .token(token)
        .context_types(context_types)
        .request(requests[0])
        .get_updates_request(requests[1])
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if not updater:
        builder = builder.updater(None)
    if settings.telegram.base_url:
        builder = builder.base_url(settings.telegram.base_url)
    if settings.telegram.base_file_url:
        builder = builder.base_file_url(settings.telegram.base_file_url)
    application: BotApplication = builder.build()
    application.bot_data.requests = requests
    register_handlers(application)
    return application


class _Opened:
    """The database ``post_init`` opened, for ``post_shutdown`` to close (also when
    ``post_init`` failed half-way): no service hands storage out."""

    storage: Storage | None = None


async def load_organisation(*, storage: Storage, settings: Settings, clock: Clock) -> OrgService:
    """Apply the configured organisation to the database; the tree is fixed from here on."""
    org, changes = await OrgService.load(storage.org, storage.joins, settings.organisation, clock)
    if not changes.empty:
        log.info(
            "organisation applied: added %s, renamed %s, moved %s, removed %s",
            changes.added,
            changes.renamed,
            changes.moved,
            changes.removed,
        )
    return org


def build_services(
    *,
    settings: Settings,
    storage: Storage,
    org: OrgService,
    bank: Bank,
    bot: Bot,
    outbox_bot: Bot,
    clock: Clock,
    rng: random.Random,
) -> Services:
    """Every service, each given only the stores it needs and the organisation tree."""
    texts = catalogue(settings.locale)
    tree = org.tree
    delivery = DeliveryService(storage.outbox, storage.org, tree, clock)
    progress = ProgressReporter(bot, delivery, texts)
    meetings = MeetingService(
        storage.outbox,
        storage.attendance,
        storage.org,
        tree,
        clock,
        texts,
        settings.zone,
        private_link=f"https://t.me/{bot.username}?start={THEMEDAY_START}",
        committee=org.secretaries_of,
    )
    schedule = Schedule(settings.schedules, settings.zone)
    signin = SigninService(
        storage.signins,
        storage.attendance,
        storage.org,
        tree,
        schedule,
        clock,
        committee=org.secretaries_of,
    )
    return Services(
        settings=settings,
        texts=texts,
        clock=clock,
        org=org,
        quiz=QuizService(
            storage.quiz,
            bank,
            clock,
            rng,
            questions_per_quiz=settings.quiz.questions_per_quiz,
            seconds_per_question=settings.quiz.seconds_per_question,
        ),
        corrections=CorrectionsService(
            storage.corrections,
            storage.quiz,
            storage.org,
            bank,
            clock,
            maintainers=settings.quiz.maintainers,
        ),
        conversations=ConversationService(storage.conversations, clock),
        stats=StatsService(
            storage.stats,
            storage.org,
            storage.attendance,
            tree,
            settings.zone,
            clock,
            settings.stats.min_attempts,
        ),
        reports=ReportProcess(
            settings.database,
            settings.zone,
            settings.chart_font,
            clock,
            settings.stats.min_attempts,
        ),
        delivery=delivery,
        sender=Sender(
            storage.outbox,
            storage.org,
            outbox_bot,
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
        ),
        progress=progress,
        meetings=meetings,
        records=RecordService(storage.attendance, tree, clock, settings.zone),
        signin=signin,
        board=SigninBoard(bot, signin, texts, tree, settings.zone),
        schedule=schedule,
        scheduler=Scheduler(
            outbox=storage.outbox,
            members=storage.org,
            quizzes=storage.stats,
            tree=tree,
            clock=clock,
            meetings=meetings,
            delivery=delivery,
            texts=texts,
            zone=settings.zone,
            plan=plan_from(schedule),
            grace=timedelta(hours=settings.delivery.grace_hours),
            schedule=schedule,
            secretaries=org.secretaries_of,
        ),
    )


async def start_background_work(
    *, application: BotApplication, services: Services, lease: Lease | None = None
) -> None:
    """The outbox sender and the scheduler's tick: at once, or, with a ``lease``, whenever
    this process holds it (one of several workers, docs/scaling.md)."""
    if lease is None:
        await services.sender.start()
    else:
        lease.watch(gained=services.sender.start, lost=services.sender.stop)
    # Everything built so far lives as long as the bot: keep it out of the collector's
    # full passes, which otherwise stall the event loop for tens of milliseconds.
    gc.freeze()

    async def tick(context: BotContext) -> None:
        # Due-ness is in the database: a dropped or late run is caught up by the next. A
        # busy database is waited out; any other error reaches the error handler and the
        # JobQueue runs the next tick as usual. Among several workers only the lease's holder
        # ticks.
        if lease is not None and not lease.held:
            return
        report = await retry_busy(context.services.scheduler.tick, "scheduler tick")
        if report.written or report.makeups:
            context.services.sender.wake()

    assert application.job_queue is not None
    application.job_queue.run_repeating(
        tick, interval=SCHEDULER_INTERVAL, first=1, name="scheduler:tick"
    )


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
    if settings.telegram.mode is Mode.WEBHOOK and application.updater is not None:
        problems = webhook_problems(settings.telegram.webhook, secret)
        if problems:
            raise InvalidFileError(problems)
    try:
        await application.initialize()
    except BaseException:
        # A refused token or an unreachable server: the library leaves its connections open
        # (they would be reported unclosed at exit), so close them here.
        for request in application.bot_data.requests:
            await request.shutdown()
        raise
    try:
        if application.post_init is not None:
            await application.post_init(application)
        webhook: WebhookServer | None = None
        if application.updater is None:
            pass  # a worker: the inbox feeds it (bot/scaling/worker.py)
        elif settings.telegram.mode is Mode.WEBHOOK:
            queue = application.update_queue

            async def enqueue(update: Update, _: dict[str, object]) -> None:
                await queue.put(update)

            webhook = WebhookServer(application.bot, settings.telegram.webhook, secret, enqueue)
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
            if application.updater is not None and application.updater.running:
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


class TokenFilter(logging.Filter):
    """Removes the bot token from every log record, message and traceback alike: at DEBUG
    the library logs its API URL (``…/bot<token>``), and an error can quote a URL. The bot
    is named by its id, which is public; the secret half never reaches a log line."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token
        self._secret = token.partition(":")[2] or token
        self._name = f"<bot {bot_id(token)}>"

    def _clean(self, text: str) -> str:
        return text.replace(self._token, self._name).replace(self._secret, "<token>")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._secret in message:
            record.msg, record.args = self._clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._secret in record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info and self._secret in record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def redact_token_in_logs(token: str) -> None:
    """Put a ``TokenFilter`` on every handler of the root logger (where all records end)."""
    token_filter = TokenFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)

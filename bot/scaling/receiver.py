"""The receiver: the one door updates come in by, when several workers serve the bot.

It long-polls ``getUpdates`` (one receiver) or listens as the webhook (one or several,
stateless, behind a load balancer), stores each update in the inbox under its chat's
partition, and only then confirms it to Telegram: the next ``getUpdates`` offset moves past an
update once it is committed, and a webhook request is answered 200 once its update is. A
receiver killed at any moment therefore loses nothing; Telegram sends again what was not
confirmed, and the inbox stores each ``update_id`` once. It handles nothing itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from datetime import datetime
from functools import partial

from telegram import Bot, Update
from telegram.error import Conflict, NetworkError, TimedOut

from bot.clock import Clock
from bot.config import Mode, Settings
from bot.scaling.inbox import Received, partition
from bot.storage.busy import Backoff, retry_busy
from bot.storage.inbox import InboxStore
from bot.transport import chat_key
from bot.webhook import WebhookServer, webhook_problems
from bot.yamlfile import InvalidFileError

log = logging.getLogger(__name__)

RETRY = Backoff(first=0.5, longest=10.0)


class Receiver:
    def __init__(
        self,
        inbox: InboxStore,
        bot: Bot,
        settings: Settings,
        clock: Clock,
        allowed_updates: list[str],
        *,
        poll_timeout: int = 10,
    ) -> None:
        self._inbox = inbox
        self._bot = bot
        self._settings = settings
        self._clock = clock
        self._allowed = allowed_updates
        self._poll_timeout = poll_timeout
        self._webhook: WebhookServer | None = None
        self._poller: asyncio.Task[None] | None = None
        self.received = 0
        self.last_success: datetime | None = None

    async def start(self) -> None:
        if self._settings.telegram.mode is Mode.WEBHOOK:
            hook = self._settings.telegram.webhook
            secret = os.environ.get(hook.secret_token_env, "")
            problems = webhook_problems(hook, secret)
            if problems:
                raise InvalidFileError(problems)
            self._webhook = WebhookServer(self._bot, hook, secret, self._store_one)
            await self._webhook.start(self._allowed)
            self.last_success = self._clock.now()
        else:
            await self._bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="receiver poll")

    async def stop(self) -> None:
        if self._webhook is not None:
            await self._webhook.stop()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)

    async def _store_one(self, update: Update, data: dict[str, object]) -> None:
        await retry_busy(
            lambda: self._inbox.put([received(update, data)], self._clock.now()), "inbox"
        )
        self.received += 1
        self.last_success = self._clock.now()

    async def _poll(self) -> None:
        offset = 0
        failures = 0
        while True:
            try:
                batch = await self._bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "timeout": self._poll_timeout,
                        "allowed_updates": self._allowed,
                    },
                    read_timeout=self._poll_timeout + 10,
                )
            except (NetworkError, TimedOut, Conflict) as error:
                wait = RETRY.delay(failures)
                failures += 1
                log.warning("getUpdates failed (%s); again in %.1fs", error, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            self.last_success = self._clock.now()
            if not batch:
                continue
            updates = []
            for data in batch:
                update = Update.de_json(data, self._bot)
                if update is not None:
                    updates.append(received(update, data))
            # Committed before the next offset confirms them to Telegram.
            await retry_busy(partial(self._inbox.put, updates, self._clock.now()), "inbox")
            self.received += len(updates)
            offset = max(int(data["update_id"]) for data in batch) + 1


def received(update: Update, data: Mapping[str, object]) -> Received:
    """``update`` (parsed from ``data``, its JSON) ready for the inbox."""
    key = chat_key(update)
    return Received(
        update.update_id,
        partition(key),
        key,
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    )

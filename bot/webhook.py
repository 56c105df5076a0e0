"""Webhook mode: a small HTTP server that takes Telegram's updates and hands them to the bot.

Anyone who can reach the port can POST an update "from the admin", so the only thing that
tells Telegram from a forger is the secret Telegram repeats in ``X-Telegram-Bot-Api-Secret-
Token``. The library's own webhook server compares it with ``!=`` (timing leaks how much of a
guess is right) and accepts every request when no secret is configured; this server refuses
to start without one, compares in constant time, caps the body size and answers 403 to
anything else. It listens on 127.0.0.1 by default: TLS is a reverse proxy's job.
"""

from __future__ import annotations

import hmac
import json
import logging
import string
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.config import WebhookSettings
from bot.yamlfile import Problem

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
MAX_UPDATE_BYTES = 1 << 20
"""An update is a few kilobytes; a megabyte leaves room for the longest message and caption."""


def webhook_problems(hook: WebhookSettings, secret: str | None) -> list[Problem]:
    """Why webhook mode must not start with these settings (empty when it may)."""
    problems = []
    where = "config.yaml"
    url = urlsplit(hook.public_url or "")
    if url.scheme != "https" or not url.hostname:
        problems.append(
            Problem(
                where,
                1,
                1,
                "telegram.webhook.public_url: an https:// address is required in webhook mode",
            )
        )
    if not secret:
        problems.append(
            Problem(
                hook.secret_token_env,
                1,
                1,
                "a secret token is required in webhook mode (1-256 of A-Z a-z 0-9 _ -)",
            )
        )
    elif len(secret) > 256 or not set(secret) <= SECRET_PATTERN_CHARS:
        problems.append(
            Problem(
                hook.secret_token_env, 1, 1, "must be 1-256 of A-Z a-z 0-9 _ - (Telegram's rule)"
            )
        )
    return problems


class WebhookServer:
    """Receives updates on ``listen:port/url_path`` and hands each to ``sink``: the
    application's queue in one process, the inbox in the receiver of several
    (docs/scaling.md). Telegram gets its 200 once ``sink`` has returned, so a receiver answers
    only after the update is stored, and Telegram delivers again whatever was not."""

    def __init__(
        self,
        bot: Bot,
        hook: WebhookSettings,
        secret: str,
        sink: Callable[[Update, dict[str, object]], Awaitable[None]],
    ) -> None:
        self._bot = bot
        self._sink = sink
        self._hook = hook
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None

    async def start(self, allowed_updates: list[str]) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(f"/{self._hook.url_path.strip('/')}", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._hook.listen, self._hook.port).start()
        public = f"{(self._hook.public_url or '').rstrip('/')}/{self._hook.url_path.strip('/')}"
        try:
            await self._bot.set_webhook(
                public, secret_token=self._secret.decode(), allowed_updates=allowed_updates
            )
        except BaseException:
            await self.stop()
            raise
        log.info("webhook: listening on %s:%d for %s", self._hook.listen, self._hook.port, public)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook: refused a request without the right secret token")
            return web.Response(status=403)
        try:
            body = await request.read()
            data = json.loads(body)
            update = Update.de_json(data, self._bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: refused a request that is not an update")
            return web.Response(status=400)
        if update is None or not isinstance(data, dict):
            return web.Response(status=400)
        await self._sink(update, data)
        return web.Response(status=200)

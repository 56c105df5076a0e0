"""The emulator's HTTP server: Telegram's Bot API and file download, plus the control API.

:class:`Emulator` owns one :class:`~.world.World` and an aiohttp application serving

* ``/bot<token>/<method>`` - the Bot API (GET or POST; JSON, urlencoded or multipart),
* ``/file/bot<token>/<file_path>`` - downloads of uploaded files,
* ``/_emulator/...`` - the control API (:mod:`.control`).

Every Bot API call goes through the same pipeline: token check (404 for a malformed token, 401
for one of another bot), the configured latency (an ``asyncio.sleep`` per request, so requests
never queue behind each other), method lookup in the reference (404 for unknown methods),
injected faults, required-parameter validation, then the implementation.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .botapi import BotApi
from .control import ControlApi, reply
from .errors import ApiError, bad_request, not_found, unauthorized
from .limits import FloodControl
from .params import Params, read_params
from .spec import BotApiSpec
from .world import BotSettings, World, parse_chat_id

DEFAULT_TOKEN = "7000000001:AAEmulatorBranchStudyBotToken000000"
TOKEN_RE = re.compile(r"(\d{1,20}):([A-Za-z0-9_-]{30,50})")
MAX_UPLOAD = 60 * 1024 * 1024

# Telegram's wording when a required parameter is missing, where it is not "<name> is empty".
MISSING_WORDING = {
    "text": "message text is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
}
# Required parameters that Telegram accepts as an empty string.
MAY_BE_EMPTY = frozenset({("setWebhook", "url")})


class Emulator:
    """A local Telegram Bot API server for one bot, with a control API for simulated users."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        username: str = "branch_study_bot",
        first_name: str = "支部学习助手",
        latency_ms: float = 0.0,
        now: Callable[[], float] = time.time,
        privacy_mode: bool = True,
        callback_timeout: float = 15.0,
        flood_control: FloodControl | None = None,
    ):
        match = TOKEN_RE.fullmatch(token)
        if match is None:
            raise ValueError(f"not a Telegram bot token: {token!r}")
        self.token = token
        self.flood_control = flood_control
        """Telegram's sending limits (429s); None, the default, sends without limit."""
        self.spec = BotApiSpec.load()
        settings = BotSettings(
            bot_id=int(match.group(1)),
            username=username,
            first_name=first_name,
            privacy_mode=privacy_mode,
            callback_timeout=callback_timeout,
            latency_ms=latency_ms,
        )
        self.world = World(settings, now)
        self.api = BotApi(self.world)
        self.control = ControlApi(self.world)
        self.app = web.Application(client_max_size=MAX_UPLOAD, middlewares=[self.control.guard])
        self.app.add_routes(
            [
                web.route("*", "/bot{token}/{method}", self._handle_api),
                web.get("/file/bot{token}/{path:.+}", self._handle_file),
                web.route("*", "/bot{rest:.*}", self._handle_unknown),
                *self.control.routes(),
            ]
        )
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        self.world.closing = False
        runner = web.AppRunner(self.app, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port, backlog=1024)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._url = f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        """End pending long polls and close the server."""
        self.world.closing = True
        self.world.updates_signal.notify()
        self.world.events_signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8081``."""
        if self._url is None:
            raise RuntimeError("the emulator is not started")
        return self._url

    @property
    def base_url(self) -> str:
        """What python-telegram-bot wants as ``base_url`` (it appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What python-telegram-bot wants as ``base_file_url``."""
        return f"{self.url}/file/bot"

    @property
    def latency_ms(self) -> float:
        """Delay added before answering every Bot API call; may be changed at run time."""
        return self.world.settings.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self.world.settings.latency_ms = max(float(value), 0.0)

    # ------------------------------------------------------------------ Bot API
    def _check_token(self, token: str) -> None:
        if TOKEN_RE.fullmatch(token) is None:
            raise not_found()
        if token != self.token:
            raise unauthorized()

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            self._check_token(request.match_info["token"])
            latency = self.world.settings.latency_ms
            if latency > 0:
                await asyncio.sleep(latency / 1000)
            canonical = self.spec.canonical(method)
            if canonical is None:
                raise not_found()
            self.world.calls[canonical] += 1
            params = await read_params(request)
            result = await self._call(canonical, params)
        except ApiError as error:
            if error.error_code not in (401, 404):
                self.world.log(
                    "api_error",
                    method=self.spec.canonical(method) or method,
                    error_code=error.error_code,
                    description=error.description,
                )
            return reply(error.to_json(), error.error_code)
        return reply({"ok": True, "result": result})

    async def _call(self, method: str, params: Params) -> Any:
        chat_id = parse_chat_id(params.raw("chat_id"))
        fault = self.world.take_fault(method, chat_id)
        if fault is not None:
            raise fault
        if self.flood_control is not None:
            paid = params.raw("allow_paid_broadcast") in (True, "true", "True", "1")
            self.flood_control.check(method, chat_id, paid, time.monotonic())
        for param in self.spec.params(method):
            if param.required and not params.has(param.name):
                if (method, param.name) in MAY_BE_EMPTY and param.name in params.values:
                    continue
                raise bad_request(MISSING_WORDING.get(param.name, f"{param.name} is empty"))
        implementation = self.api.methods.get(method)
        if implementation is None:
            raise bad_request(f"method {method} is not implemented by the emulator")
        return await implementation(params)

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        """Any other path under ``/bot``: Telegram's JSON 404."""
        return reply(not_found().to_json(), 404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as error:
            return reply(error.to_json(), error.error_code)
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return reply(not_found().to_json(), 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

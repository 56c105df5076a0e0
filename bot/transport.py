"""How updates come in and requests go out, beyond python-telegram-bot's defaults.

Two choices live here, both through the library's public extension points:

* ``PerChatUpdateProcessor`` handles updates of different chats concurrently, so a 50 ms
  round trip to Telegram does not queue every member behind every other, while the updates of
  one chat run strictly in order, so one member's taps can never overtake each other.
* ``AiohttpRequest`` sends the Bot API requests over aiohttp, which costs about half the CPU of
  the library's default httpx transport; ``telegram.http`` chooses between the two.
* ``RetryingRequest`` wraps either and retries what Telegram asks to be retried (429 after
  ``retry_after``) and what failed before Telegram acted on it (5xx, refused connections),
  logging each retry by method name only: request URLs carry the token and must never reach
  a log.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import BaseUpdateProcessor
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.config import Http

log = logging.getLogger(__name__)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to release: locks disappear with their last user."""


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order: the chat, or the user where there is none
    (a poll answer, an inline message's tap). Also the inbox's partition key."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's requests over one aiohttp session.

    The library's default transport (httpx) spends about half of the bot's CPU on an answer in
    the HTTP client and request building; aiohttp does the same work in about half the time
    (docs/performance.md). Timeouts keep the library's meaning: a request not sent because the
    pool was full is a ``TimedOut`` saying so, a read that timed out is a ``TimedOut`` (Telegram
    may have acted), and everything that failed before Telegram saw it is a ``NetworkError``.
    """

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._defaults = _Timeouts(read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        # The pool is counted here rather than by aiohttp, whose connect timeout would also
        # bound waiting for a free connection: the library keeps the two apart.
        self._slots = asyncio.Semaphore(connection_pool_size)

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout, as the library asks every request class to tell."""
        return self._defaults.read

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one Bot API request: JSON when it carries no file, multipart when it does."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        default_write = self._media_write_timeout if files else self._defaults.write
        timeouts = _Timeouts(
            _given(read_timeout, self._defaults.read),
            _given(write_timeout, default_write),
            _given(connect_timeout, self._defaults.connect),
            _given(pool_timeout, self._defaults.pool),
        )
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] = {}
        if files:
            # File names go as raw UTF-8 (RFC 7578, as httpx and browsers send them); aiohttp's
            # default percent-encoding would reach Telegram literally ("%E7%AC%94.txt").
            body = aiohttp.FormData(
                request_data.json_parameters if request_data else {}, quote_fields=False
            )
            for name, part in files.items():
                filename, content, mime = _upload(part)
                body.add_field(name, content, filename=filename, content_type=mime)
        elif request_data is not None and request_data.parameters:
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        try:
            async with asyncio.timeout(timeouts.pool):
                await self._slots.acquire()
        except TimeoutError as error:
            raise TimedOut(
                "Pool timeout: all connections are in use; the request was *not* sent."
            ) from error
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeouts.client()
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's connect and read timeouts are TimeoutErrors
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        finally:
            self._slots.release()


@dataclass(frozen=True)
class _Timeouts:
    read: float | None
    write: float | None
    connect: float | None
    pool: float | None

    def client(self) -> aiohttp.ClientTimeout:
        """aiohttp has no write timeout: a request is bounded in total by connect + write +
        read, each phase it can tell apart by its own figure."""
        parts = (self.connect, self.write, self.read)
        total = None if any(part is None for part in parts) else sum(p for p in parts if p)
        return aiohttp.ClientTimeout(total=total, sock_connect=self.connect, sock_read=self.read)


def _given(value: object, default: float | None) -> float | None:
    """A timeout the caller gave, or the default where it gave the library's DEFAULT_NONE
    (annotated ``object`` so as not to import the library's private ``DefaultValue``)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


def _upload(part: object) -> tuple[str | None, object, str | None]:
    """A multipart part as python-telegram-bot builds it: (filename, content, mime type)."""
    if isinstance(part, tuple):
        filename, content, *rest = part
        return filename, content, rest[0] if rest else None
    return None, part, None


class RetryingRequest(BaseRequest):
    """Retries flood waits, server errors and refused connections around any transport."""

    def __init__(
        self,
        inner: BaseRequest,
        *,
        attempts: int = 4,
        max_flood_wait: float = 60.0,
        backoff: float = 0.5,
    ) -> None:
        self._inner = inner
        self._attempts = attempts
        self._max_flood_wait = max_flood_wait
        self._backoff = backoff

    @property
    def read_timeout(self) -> float | None:
        """The transport's default read timeout."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Open the transport."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the transport."""
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Send through the transport, retrying what is safe to retry."""
        api_method = url.rsplit("/", 1)[-1]
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                code, payload = await self._inner.do_request(
                    url, method, request_data, *args, **kwargs
                )
            except TimedOut:
                raise  # Telegram may have acted on it; repeating could send twice.
            except NetworkError as error:
                if last:
                    raise
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("%s: %s; retry %d in %.1fs", api_method, error, attempt, delay)
                await asyncio.sleep(delay)
                continue
            if last or not (code == 429 or code >= 500):
                return code, payload
            delay = _retry_after(payload) if code == 429 else self._backoff * 2 ** (attempt - 1)
            if delay is None or delay > self._max_flood_wait:
                return code, payload
            log.warning("%s: HTTP %d; retry %d in %.1fs", api_method, code, attempt, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")


def telegram_request(
    http: Http, *, pool_size: int, pool_timeout: float | None = 1.0, retrying: bool = True
) -> BaseRequest:
    """The request class for ``telegram.http`` (``aiohttp`` or ``httpx``), with or without the
    retries: the outbox sender decides retries itself and takes its transport bare."""
    inner: BaseRequest
    if http is Http.HTTPX:
        inner = HTTPXRequest(connection_pool_size=pool_size, pool_timeout=pool_timeout)
    else:
        inner = AiohttpRequest(connection_pool_size=pool_size, pool_timeout=pool_timeout)
    return RetryingRequest(inner) if retrying else inner


def _retry_after(payload: bytes) -> float | None:
    try:
        value = json.loads(payload)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None

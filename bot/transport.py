"""How updates come in and requests go out, beyond python-telegram-bot's defaults.

Two choices live here, both through the library's public extension points:

* ``PerChatUpdateProcessor`` handles updates of different chats concurrently, so a 50 ms
  round trip to Telegram does not queue every member behind every other, while the updates of
  one chat run strictly in order, so one member's taps can never overtake each other.
* ``RetryingRequest`` retries what Telegram asks to be retried (429 after ``retry_after``) and
  what failed before Telegram acted on it (5xx, refused connections), logging each retry by
  method name only: request URLs carry the token and must never reach a log.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import BaseUpdateProcessor
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
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


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class RetryingRequest(HTTPXRequest):
    """An HTTPXRequest that retries flood waits, server errors and refused connections."""

    def __init__(
        self,
        *args: Any,
        attempts: int = 4,
        max_flood_wait: float = 60.0,
        backoff: float = 0.5,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._attempts = attempts
        self._max_flood_wait = max_flood_wait
        self._backoff = backoff

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                code, payload = await super().do_request(
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


def _retry_after(payload: bytes) -> float | None:
    try:
        value = json.loads(payload)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None

"""Waiting out a busy database instead of dying of it.

Another writer (a backup, an operator's ``sqlite3`` session, a second process) can hold the
database longer than the connection's ``busy_timeout``; SQLite then raises "database is
locked" (or "busy"). PostgreSQL's equivalents are a serialization failure, a deadlock, a lock
not available, or a server not accepting connections yet (starting up, or out of slots). For
a member's tap that is one failed update, but for a background loop it used to be the end:
the outbox sender died and nothing was sent until a restart. Loops call their storage
through ``retry_busy``, which waits with backoff until the lock is gone.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is the database saying another connection holds the lock."""
    if _postgres_busy(error):
        return True
    if not isinstance(error, sqlite3.OperationalError):
        return False
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _postgres_busy(error: BaseException) -> bool:
    try:
        from bot.storage.postgres import BUSY_ERRORS
    except ImportError:  # pragma: no cover - asyncpg is a runtime requirement
        return False
    return isinstance(error, BUSY_ERRORS)


@dataclass(frozen=True)
class Backoff:
    """Waits of ``first``, doubled each time, never longer than ``longest`` seconds."""

    first: float = 0.5
    longest: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.longest, self.first * 2 ** min(attempt, 30)))


async def retry_busy(
    call: Callable[[], Awaitable[T]],
    what: str,
    backoff: Backoff | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``await call()``, again and again while the database is busy; other errors pass."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as error:
            if not is_busy(error):
                raise
            wait = (backoff or Backoff()).delay(attempt)
            log.warning("%s: database busy (%s); retrying in %.1fs", what, error, wait)
            attempt += 1
            await sleep(wait)

"""The scheduler's tick: turn what is due into outbox batches, and nothing more.

Due-ness lives in the database, not in a timer: each tick looks at the window from where the
last tick stopped (``scheduler_state``) to now, so a tick that APScheduler dropped, or hours
the bot was down, are caught up by the next one. Reminders due within the grace window are
written; older ones are logged as skipped. Writing is idempotent (unique batch keys), so a
tick can run twice over the same window without sending anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.delivery.themeday import ThemeDay, ThemeDayService
from bot.org.tree import OrgTree
from bot.storage import Storage

log = logging.getLogger(__name__)

WATERMARK = "theme_days"
MAKEUP_DELAY = timedelta(days=1)


@dataclass(frozen=True)
class PlannedReminder:
    """A reminder of a theme day, due at ``due``; ``name`` tells it from the day's other
    reminders (e.g. ``-1d@18:00``) and is part of its unique key."""

    day: ThemeDay
    name: str
    due: datetime


Plan = Callable[[OrgTree, datetime, datetime], Sequence[PlannedReminder]]
"""Every reminder due in [start, end) for every branch of the tree."""


@dataclass(frozen=True)
class TickReport:
    written: int
    skipped: int
    makeups: int


class Scheduler:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        themeday: ThemeDayService,
        plan: Plan,
        grace: timedelta,
        group_chats: Callable[[str], Sequence[int]] = lambda _branch: (),
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._themeday = themeday
        self._plan = plan
        self._grace = grace
        self._group_chats = group_chats

    async def tick(self, tree: OrgTree) -> TickReport:
        now = self._clock.now()
        since = await self._storage.checked_until(WATERMARK) or now - self._grace
        written = skipped = 0
        for planned in self._plan(tree, since, now + timedelta(seconds=1)):
            if planned.day.branch_id not in tree.by_id:
                continue
            if planned.due < now - self._grace:
                log.warning(
                    "reminder %s of %s missed by more than the grace window; skipped",
                    planned.name,
                    planned.day.key,
                )
                skipped += 1
                continue
            batch = await self._themeday.remind(
                tree,
                planned.day,
                planned.name,
                planned.due,
                planned.due + self._grace,
                list(self._group_chats(planned.day.branch_id)),
            )
            written += batch is not None
        makeups = await self._makeups(tree, now)
        await self._storage.set_checked_until(WATERMARK, now)
        return TickReport(written, skipped, makeups)

    async def _makeups(self, tree: OrgTree, now: datetime) -> int:
        """补课 for theme days that ended a day ago (written once per theme day)."""
        count = 0
        ended = await self._storage.batches_between(
            "theme_day", now - MAKEUP_DELAY - self._grace, now - MAKEUP_DELAY
        )
        for event in ended:
            if event.unit_id in tree.by_id:
                count += await self._themeday.makeup(tree, event, now) is not None
        return count

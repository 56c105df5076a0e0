"""A meeting's record (会议记录) after it is held: minutes, photos kept by Telegram file id,
and the attendance frozen when the secretary closes it (no more 签到 of one's own; the
secretary's 补签 still counts); and 三会一课 held against the quota, for /stats and the
ledger's 会议记录 sheet."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.meetings.events import (
    MINUTES_LIMIT,
    PHOTO_BYTES_LIMIT,
    PHOTOS_LIMIT,
    Event,
    EventStatus,
    Photo,
)
from bot.meetings.quota import QUOTA_KINDS, QuotaLine, quota_plan, window, with_done
from bot.org.tree import OrgTree
from bot.stats.periods import Period
from bot.storage.attendance import AttendanceStore

THREAD_ABOVE = 200
"""Branches above which a report's quotas are put together in a worker thread."""
RECENT_LISTED = 6
"""Held meetings /meeting lists for their records."""


class RecordRefusal(StrEnum):
    NOT_HELD = "not_held"
    """It has not begun yet, or was cancelled: there is nothing to record."""
    CLOSED = "closed"
    """The record is closed: minutes and photos stay as they are."""


class PhotoOutcome(StrEnum):
    KEPT = "kept"
    AGAIN = "again"
    """That photo is kept already."""
    TOO_LARGE = "too_large"
    FULL = "full"


@dataclass(frozen=True)
class PhotoSize:
    """One size of a photo as Telegram offers it (its ``PhotoSize``)."""

    file_id: str
    file_unique_id: str
    size: int | None
    width: int
    height: int


@dataclass(frozen=True)
class BranchQuotas:
    branch_id: str
    lines: list[QuotaLine]

    @property
    def behind(self) -> list[QuotaLine]:
        return [line for line in self.lines if line.behind]


class RecordService:
    def __init__(
        self, attendance: AttendanceStore, tree: OrgTree, clock: Clock, zone: ZoneInfo
    ) -> None:
        self._attendance = attendance
        self._tree = tree
        self._clock = clock
        self._zone = zone

    def refusal(self, event: Event) -> RecordRefusal | None:
        """Why nothing may be added to ``event``'s record now; None while it may."""
        if event.status is EventStatus.CANCELLED or event.occurs_at > self._clock.now():
            return RecordRefusal.NOT_HELD
        if event.closed:
            return RecordRefusal.CLOSED
        return None

    async def recent(self, branch_id: str) -> list[Event]:
        """The branch's latest meetings held, the latest first: those a record is kept for."""
        return await self._attendance.held_before(
            branch_id, QUOTA_KINDS, self._clock.now(), RECENT_LISTED
        )

    async def set_minutes(self, event: Event, text: str, by: int) -> bool:
        return await self._attendance.set_minutes(
            event.id, text.strip()[:MINUTES_LIMIT], by, self._clock.now()
        )

    async def add_photo(self, event: Event, sizes: list[PhotoSize], by: int) -> PhotoOutcome:
        """Keep the largest size of a photo that is within the limit (Telegram keeps the
        file; the record keeps its id), checked from the sizes Telegram reports."""
        fitting = [s for s in sizes if s.size is not None and s.size <= PHOTO_BYTES_LIMIT]
        if not fitting:
            return PhotoOutcome.TOO_LARGE
        if len(await self._attendance.photos(event.id)) >= PHOTOS_LIMIT:
            return PhotoOutcome.FULL
        best = max(fitting, key=lambda s: (s.width * s.height, s.size or 0))
        photo = Photo(
            0, event.id, best.file_id, best.file_unique_id, best.size or 0, best.width, best.height
        )
        kept = await self._attendance.add_photo(photo, by, self._clock.now())
        return PhotoOutcome.KEPT if kept else PhotoOutcome.AGAIN

    async def photos(self, event: Event) -> list[Photo]:
        return await self._attendance.photos(event.id)

    async def close(self, event: Event, by: int) -> bool:
        """Close the record: from now on only the secretary's 补签 changes the attendance."""
        return await self._attendance.close(event.id, by, self._clock.now())

    async def quotas(
        self, branch_ids: Collection[str] | None, period: Period
    ) -> list[BranchQuotas]:
        """三会一课 held against the quota, per branch (``None``: every branch of the tree),
        counting meetings held up to now."""
        today = self._clock.now().astimezone(self._zone).date()
        windows: dict[Period, list[str]] = {}
        for kind in QUOTA_KINDS:
            windows.setdefault(window(kind, period), []).append(kind)
        counts: dict[tuple[str, str], int] = {}
        for counted, kinds in windows.items():
            start, end = counted.bounds(self._zone)
            counts |= await self._attendance.held_counts(
                branch_ids, kinds, start, min(end, self._clock.now())
            )
        ids = (
            sorted(branch_ids)
            if branch_ids is not None
            else sorted(unit.id for unit in self._tree.branches)
        )
        plan = quota_plan(period, today)

        def assemble() -> list[BranchQuotas]:
            return [
                BranchQuotas(
                    branch,
                    with_done(plan, {kind: counts.get((branch, kind), 0) for kind in QUOTA_KINDS}),
                )
                for branch in ids
            ]

        # A city's thousands of branches are assembled off the event loop, as figures are.
        return await asyncio.to_thread(assemble) if len(ids) > THREAD_ABOVE else assemble()

    def today(self) -> date:
        return self._clock.now().astimezone(self._zone).date()

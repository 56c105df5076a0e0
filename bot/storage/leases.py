"""Leases: who runs what, among several processes (docs/scaling.md).

A lease is a row (name, holder, expiry). A process takes a lease that is free or expired, and
keeps it by renewing it before it expires; a process that dies stops renewing, and another
takes the lease over once it has expired. Times are UTC milliseconds from the caller's clock,
so every process must keep its clock right (NTP) to well under a lease's length.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.storage.base import StoreBase, marks, to_ms


class LeaseStore(StoreBase):
    async def take(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take ``name`` for ``holder`` until ``until``, or renew it: True when ``holder``
        holds it now (it was free, expired, or already ``holder``'s)."""
        return await self._write(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                                             expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at < ?
            """,
            (name, holder, to_ms(until), to_ms(now)),
        )

    async def renew(
        self, names: Collection[str], holder: str, now: datetime, until: datetime
    ) -> set[str]:
        """Renew the leases among ``names`` that ``holder`` still holds (an expired one that
        nobody has taken over counts); the names renewed."""
        if not names:
            return set()
        await self._write(
            f"UPDATE leases SET expires_at = ? WHERE holder = ? AND name IN ({marks(names)})",
            (to_ms(until), holder, *names),
        )
        rows = await self._all(
            f"SELECT name FROM leases WHERE holder = ? AND name IN ({marks(names)})",
            (holder, *names),
        )
        return {row[0] for row in rows}

    async def release(self, names: Collection[str], holder: str) -> None:
        """Give leases up at once (a clean stop, or a partition handed to another worker)."""
        if names:
            await self._write(
                f"DELETE FROM leases WHERE holder = ? AND name IN ({marks(names)})",
                (holder, *names),
            )

    async def live(self, prefix: str, now: datetime) -> dict[str, str]:
        """The unexpired leases whose names start with ``prefix``: name → holder."""
        rows = await self._all(
            "SELECT name, holder FROM leases WHERE name LIKE ? AND expires_at >= ?",
            (f"{prefix}%", to_ms(now)),
        )
        return {row[0]: row[1] for row in rows}

    async def holders(self, names: Collection[str]) -> dict[str, str]:
        """Who holds or last held each of ``names`` (expired or not): name → holder."""
        if not names:
            return {}
        rows = await self._all(
            f"SELECT name, holder FROM leases WHERE name IN ({marks(names)})", tuple(names)
        )
        return {row[0]: row[1] for row in rows}

    async def holder(self, name: str, now: datetime) -> str | None:
        row = await self._one(
            "SELECT holder FROM leases WHERE name = ? AND expires_at >= ?", (name, to_ms(now))
        )
        return str(row[0]) if row else None

"""Meetings storage: events (theme days and other meetings), 参加/请假 replies, 签到 (self,
代签, 补签), and theme-day attendance in figures."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from bot.meetings.events import THEME_DAY, Detail, Event, EventStatus, Meeting, Reply
from bot.storage.base import StoreBase, from_ms, marks, to_ms


class AttendanceStore(StoreBase):
    # Events

    async def ensure_event(self, meeting: Meeting, now: datetime) -> int:
        """The meeting's event, created the first time it is asked for (its details stay
        as first written)."""
        async with (
            self._write_lock,
            self._db.execute(
                """
                INSERT INTO events (key, branch_id, kind, occurs_at, title, topic, place,
                                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET key = excluded.key
                RETURNING id
                """,
                (
                    meeting.key,
                    meeting.branch_id,
                    meeting.kind,
                    to_ms(meeting.occurs_at),
                    meeting.title,
                    meeting.topic,
                    meeting.place,
                    to_ms(now),
                ),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def event(self, event_id: int) -> Event | None:
        row = await self._one("SELECT * FROM events WHERE id = ?", (event_id,))
        return _event(row) if row else None

    async def set_detail(
        self, event_id: int, detail: Detail, value: str, by: int, now: datetime
    ) -> bool:
        """A secretary's edit of one occurrence; False when it is no longer scheduled."""
        column = {d: d.value for d in Detail}[detail]
        return await self._write(
            f"""
            UPDATE events SET {column} = ?, edited_by = ?, edited_at = ?
            WHERE id = ? AND status = 'scheduled'
            """,
            (value, by, to_ms(now), event_id),
        )

    async def cancel(self, event_id: int, reason: str, by: int, now: datetime) -> bool:
        """Cancel one occurrence; False when it was cancelled already."""
        return await self._write(
            """
            UPDATE events SET status = 'cancelled', note = ?, edited_by = ?, edited_at = ?
            WHERE id = ? AND status = 'scheduled'
            """,
            (reason, by, to_ms(now), event_id),
        )

    async def events_of(self, branch_id: str, kind: str) -> list[Event]:
        """A branch's events of one kind, the latest first."""
        rows = await self._all(
            """
            SELECT * FROM events WHERE branch_id = ? AND kind = ?
            ORDER BY occurs_at DESC, id DESC
            """,
            (branch_id, kind),
        )
        return [_event(row) for row in rows]

    async def events_between(self, kind: str, start: datetime, end: datetime) -> list[Event]:
        """Events of ``kind`` held (not cancelled) in [start, end]."""
        rows = await self._all(
            """
            SELECT * FROM events
            WHERE kind = ? AND occurs_at BETWEEN ? AND ? AND status = 'scheduled'
            ORDER BY occurs_at
            """,
            (kind, to_ms(start), to_ms(end)),
        )
        return [_event(row) for row in rows]

    async def events_near(self, branch_id: str, start: datetime, end: datetime) -> list[Event]:
        """A branch's events of any kind starting in [start, end], the earliest first."""
        rows = await self._all(
            """
            SELECT * FROM events WHERE branch_id = ? AND occurs_at BETWEEN ? AND ?
            ORDER BY occurs_at, id
            """,
            (branch_id, to_ms(start), to_ms(end)),
        )
        return [_event(row) for row in rows]

    async def without_batch(
        self, kind: str, batch_kind: str, start: datetime, end: datetime
    ) -> list[Event]:
        """Events of ``kind`` held (not cancelled) in [start, end] that no batch of
        ``batch_kind`` announces yet: those whose 补课 may still be due."""
        rows = await self._all(
            """
            SELECT * FROM events e
            WHERE e.kind = ? AND e.occurs_at BETWEEN ? AND ? AND e.status = 'scheduled'
              AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.event_id = e.id AND b.kind = ?)
            ORDER BY e.occurs_at
            """,
            (kind, to_ms(start), to_ms(end), batch_kind),
        )
        return [_event(row) for row in rows]

    # Replies and sign-ins

    async def set_reply(
        self, event_id: int, member_id: int, reply: str, reason: str | None, now: datetime
    ) -> None:
        await self._write(
            """
            INSERT INTO attendance (event_id, member_id, reply, reason, replied_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (event_id, member_id) DO UPDATE SET reply = excluded.reply,
                reason = excluded.reason, replied_at = excluded.replied_at
            """,
            (event_id, member_id, reply, reason, to_ms(now)),
        )

    async def sign_in(
        self, event_id: int, member_id: int, by: int, kind: str, now: datetime
    ) -> bool:
        """签到 (self), 代签 (proxy, during the meeting) or 补签 (late, afterwards). A member
        already signed in stays as first recorded."""
        return await self._write(
            """
            INSERT INTO attendance (event_id, member_id, present, signed_by, signed_kind,
                                    signed_at)
            VALUES (?, ?, 1, ?, ?, ?)
            ON CONFLICT (event_id, member_id) DO UPDATE SET present = 1,
                signed_by = excluded.signed_by, signed_kind = excluded.signed_kind,
                signed_at = excluded.signed_at
            WHERE present = 0
            """,
            (event_id, member_id, by, kind, to_ms(now)),
        )

    async def studied(self, event_id: int, member_id: int, now: datetime) -> bool:
        """A member's 已学习 after the 补课; False when it was recorded before."""
        return await self._write(
            """
            INSERT INTO attendance (event_id, member_id, studied_at) VALUES (?, ?, ?)
            ON CONFLICT (event_id, member_id) DO UPDATE SET studied_at = excluded.studied_at
            WHERE attendance.studied_at IS NULL
            """,
            (event_id, member_id, to_ms(now)),
        )

    async def replies(self, event_id: int) -> dict[int, Reply]:
        rows = await self._all("SELECT * FROM attendance WHERE event_id = ?", (event_id,))
        return {
            row["member_id"]: Reply(
                row["member_id"],
                row["reply"],
                row["reason"],
                bool(row["present"]),
                row["signed_kind"],
                from_ms(row["signed_at"]) if row["signed_at"] is not None else None,
                from_ms(row["studied_at"]) if row["studied_at"] is not None else None,
            )
            for row in rows
        }

    async def theme_day_attendance(
        self, branch_ids: Collection[str] | None, start: datetime, end: datetime
    ) -> dict[str, tuple[int, int]]:
        """Per branch: (theme days held in the period, members signed in over all of them)."""
        where = "" if branch_ids is None else f"AND e.branch_id IN ({marks(branch_ids)})"
        rows = await self._all(
            f"""
            SELECT e.branch_id, COUNT(DISTINCT e.id) AS days,
                   COALESCE(SUM(a.present), 0) AS present
            FROM events e LEFT JOIN attendance a ON a.event_id = e.id
            WHERE e.kind = ? AND e.status = 'scheduled' AND e.occurs_at >= ? AND e.occurs_at < ?
              {where}
            GROUP BY e.branch_id
            """,
            (THEME_DAY, to_ms(start), to_ms(end), *(branch_ids or ())),
        )
        return {row[0]: (row[1], row[2]) for row in rows}


def _event(row: Any) -> Event:
    return Event(
        id=row["id"],
        key=row["key"],
        branch_id=row["branch_id"],
        kind=row["kind"],
        occurs_at=from_ms(row["occurs_at"]),
        title=row["title"],
        topic=row["topic"],
        place=row["place"],
        status=EventStatus(row["status"]),
        agenda=row["agenda"],
        speaker=row["speaker"],
        note=row["note"],
        material=row["material"],
    )

"""Meetings storage: events (theme days and other meetings, moved or organised in the chat),
参加/请假 replies, 签到 (self, 代签, 补签), a meeting's record (minutes, photos, frozen
attendance), and meetings and attendance in figures."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from bot.meetings.events import (
    THEME_DAY,
    Audience,
    Detail,
    Event,
    EventStatus,
    HeldMeeting,
    Meeting,
    Photo,
    Reply,
)
from bot.storage.base import StoreBase, from_ms, marks, to_ms


class AttendanceStore(StoreBase):
    # Events

    async def ensure_event(self, meeting: Meeting, now: datetime) -> int:
        """The meeting's event, created the first time it is asked for (its details stay
        as first written)."""
        row = await self._write_returning(
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
        )
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

    async def move(
        self, event_id: int, was: datetime, to: datetime, reason: str, by: int, now: datetime
    ) -> int | None:
        """Move one occurrence from ``was`` to ``to``; the number of this move, or None when
        it was moved, cancelled or changed meanwhile (``was`` is no longer its time)."""
        row = await self._write_returning(
            """
            UPDATE events SET occurs_at = ?, moved_from = COALESCE(moved_from, occurs_at),
                moves = moves + 1, note = ?, edited_by = ?, edited_at = ?
            WHERE id = ? AND status = 'scheduled' AND occurs_at = ?
            RETURNING moves
            """,
            (to_ms(to), reason, by, to_ms(now), event_id, to_ms(was)),
        )
        return int(row[0]) if row else None

    async def create_event(
        self,
        key: str,
        meeting: Meeting,
        audience: Audience,
        expected: int | None,
        by: int,
        now: datetime,
    ) -> int | None:
        """A meeting organised in the chat; None when ``key`` was written before (a repeated
        确认)."""
        row = await self._write_returning(
            """
            INSERT INTO events (key, branch_id, kind, occurs_at, title, topic, place,
                                agenda, speaker, adhoc, audience, expected, edited_by,
                                edited_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO NOTHING
            RETURNING id
            """,
            (
                key,
                meeting.branch_id,
                meeting.kind,
                to_ms(meeting.occurs_at),
                meeting.title,
                meeting.topic,
                meeting.place,
                meeting.agenda,
                meeting.speaker,
                audience.value,
                expected,
                by,
                to_ms(now),
                to_ms(now),
            ),
        )
        return int(row[0]) if row else None

    async def off_schedule(self, start: datetime, end: datetime) -> list[Event]:
        """Scheduled events in [start, end] that the configured schedule does not time: those
        moved to another time and those organised in the chat (their reminders are planned
        from the stored time)."""
        rows = await self._all(
            """
            SELECT * FROM events
            WHERE occurs_at BETWEEN ? AND ? AND status = 'scheduled'
              AND (adhoc = 1 OR moved_from IS NOT NULL)
            ORDER BY occurs_at, id
            """,
            (to_ms(start), to_ms(end)),
        )
        return [_event(row) for row in rows]

    async def held_before(
        self, branch_id: str, kinds: Collection[str], before: datetime, limit: int
    ) -> list[Event]:
        """A branch's meetings of ``kinds`` that began before ``before`` and were not
        cancelled, the latest first: those a record is kept for."""
        rows = await self._all(
            f"""
            SELECT * FROM events
            WHERE branch_id = ? AND kind IN ({marks(kinds)}) AND occurs_at < ?
              AND status = 'scheduled'
            ORDER BY occurs_at DESC, id DESC
            LIMIT ?
            """,
            (branch_id, *kinds, to_ms(before), limit),
        )
        return [_event(row) for row in rows]

    async def set_minutes(self, event_id: int, text: str, by: int, now: datetime) -> bool:
        """The minutes of a meeting; False once its record is closed."""
        return await self._write(
            """
            UPDATE events SET minutes = ?, edited_by = ?, edited_at = ?
            WHERE id = ? AND closed_at IS NULL
            """,
            (text, by, to_ms(now), event_id),
        )

    async def close(self, event_id: int, by: int, now: datetime) -> bool:
        """Close the record and freeze the attendance; False when it was closed already."""
        return await self._write(
            "UPDATE events SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL",
            (to_ms(now), by, event_id),
        )

    async def add_photo(self, photo: Photo, by: int, now: datetime) -> bool:
        """Keep a photo with a record; False when that photo is kept already."""
        return await self._write(
            """
            INSERT INTO event_photos (event_id, file_id, file_unique_id, size, width, height,
                                      added_by, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (event_id, file_unique_id) DO NOTHING
            """,
            (
                photo.event_id,
                photo.file_id,
                photo.file_unique_id,
                photo.size,
                photo.width,
                photo.height,
                by,
                to_ms(now),
            ),
        )

    async def photos(self, event_id: int) -> list[Photo]:
        rows = await self._all(
            "SELECT * FROM event_photos WHERE event_id = ? ORDER BY id", (event_id,)
        )
        return [
            Photo(
                row["id"],
                row["event_id"],
                row["file_id"],
                row["file_unique_id"],
                row["size"],
                row["width"],
                row["height"],
            )
            for row in rows
        ]

    async def held(
        self, branch_ids: Collection[str], kinds: Collection[str], start: datetime, end: datetime
    ) -> list[HeldMeeting]:
        """Meetings of ``kinds`` held (not cancelled, begun) in [start, end) by these
        branches, in order, with their attendance counted: 应到 is the branch's members at
        the meeting's time (from the membership history), or ``expected`` when it was for
        fewer (a 支委会); 补课 done counts the members who confirmed their 补课."""
        if not branch_ids:
            return []
        rows = await self._all(
            f"""
            SELECT e.*,
                (SELECT COUNT(*) FROM attendance a
                 WHERE a.event_id = e.id AND a.present = 1) AS present_count,
                (SELECT COUNT(*) FROM attendance a
                 WHERE a.event_id = e.id AND a.present = 0 AND a.reply = 'leave')
                    AS leave_count,
                (SELECT COUNT(*) FROM memberships m
                 WHERE m.branch_id = e.branch_id AND m.joined_at <= e.occurs_at
                   AND (m.left_at IS NULL OR m.left_at > e.occurs_at)) AS member_count,
                (SELECT COUNT(*) FROM attendance a
                 WHERE a.event_id = e.id AND a.studied_at IS NOT NULL) AS studied_count,
                (SELECT COUNT(*) FROM event_photos p WHERE p.event_id = e.id) AS photo_count
            FROM events e
            WHERE e.branch_id IN ({marks(branch_ids)}) AND e.kind IN ({marks(kinds)})
              AND e.status = 'scheduled' AND e.occurs_at >= ? AND e.occurs_at < ?
            ORDER BY e.occurs_at, e.id
            """,
            (*branch_ids, *kinds, to_ms(start), to_ms(end)),
        )
        return [
            HeldMeeting(
                event=_event(row),
                expected=row["expected"] if row["expected"] is not None else row["member_count"],
                present=row["present_count"],
                leave=row["leave_count"],
                makeup_done=row["studied_count"],
                photos=row["photo_count"],
            )
            for row in rows
        ]

    async def held_counts(
        self,
        branch_ids: Collection[str] | None,
        kinds: Collection[str],
        start: datetime,
        end: datetime,
    ) -> dict[tuple[str, str], int]:
        """Per (branch, kind): meetings of ``kinds`` held (not cancelled) in [start, end)."""
        where = "" if branch_ids is None else f"AND branch_id IN ({marks(branch_ids)})"
        rows = await self._all(
            f"""
            SELECT branch_id, kind, COUNT(*) FROM events
            WHERE kind IN ({marks(kinds)}) AND status = 'scheduled'
              AND occurs_at >= ? AND occurs_at < ? {where}
            GROUP BY branch_id, kind
            """,
            (*kinds, to_ms(start), to_ms(end), *(branch_ids or ())),
        )
        return {(row[0], row[1]): int(row[2]) for row in rows}

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
        # Once the record is closed the attendance is frozen: a member's own 签到 is refused
        # here, whoever calls; only the secretary's 代签/补签 still count. Checked in the same
        # transaction as the insert, under the write lock that closing takes too.
        async with self._transaction() as db:
            if kind == "self":
                row = await db.one("SELECT closed_at FROM events WHERE id = ?", (event_id,))
                if row is not None and row[0] is not None:
                    return False
            changed = await db.execute(
                """
                INSERT INTO attendance (event_id, member_id, present, signed_by, signed_kind,
                                        signed_at)
                VALUES (?, ?, 1, ?, ?, ?)
                ON CONFLICT (event_id, member_id) DO UPDATE SET present = 1,
                    signed_by = excluded.signed_by, signed_kind = excluded.signed_kind,
                    signed_at = excluded.signed_at
                WHERE attendance.present = 0
                """,
                (event_id, member_id, by, kind, to_ms(now)),
            )
            return changed > 0

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
        moved_from=from_ms(row["moved_from"]) if row["moved_from"] is not None else None,
        moves=row["moves"],
        adhoc=bool(row["adhoc"]),
        audience=Audience(row["audience"]),
        expected=row["expected"],
        minutes=row["minutes"],
        closed_at=from_ms(row["closed_at"]) if row["closed_at"] is not None else None,
        material=row["material"],
    )

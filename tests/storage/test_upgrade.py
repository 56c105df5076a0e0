"""A database made by the schema before meetings became events upgrades in place, and every
theme day, reply, sign-in, batch and delivery survives.

The fixture is built with the migrations as they stood before ``MEETINGS_AS_EVENTS`` and
filled with rows as the bot of that release wrote them (a theme day was a batch of kind
``theme_day`` holding the attendance)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.i18n import catalogue
from bot.meetings.events import EventStatus, Meeting
from bot.meetings.service import MeetingService
from bot.org.tree import Level, OrgTree, Unit
from bot.stats.periods import Period, Span
from bot.storage import Storage
from bot.storage.base import to_ms
from bot.storage.migrations import MEETINGS_AS_EVENTS, MIGRATIONS
from bot.storage.sqlite import SqliteDatabase

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DAY = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
EARLIER = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
TREE = OrgTree((Unit("zb-1", "东村党支部", Level.BRANCH),))

# Batches as the previous release wrote them: (id, key, kind, title, unit, occurs_at).
BATCHES = [
    (1, "theme_day:zb-1:20261207T0100", "theme_day", "学习党章", "zb-1", DAY),
    (2, "reminder:theme_day:zb-1:20261207T0100:-1d@18:00", "reminder", "学习党章", "zb-1", DAY),
    (3, "theme_day:zb-1:20261102T0100", "theme_day", "学习准则", "zb-1", EARLIER),
    (4, "reminder:theme_day:zb-1:20261102T0100:0d@08:00", "reminder", "学习准则", "zb-1", EARLIER),
    (5, "makeup:theme_day:zb-1:20261102T0100", "makeup", "学习准则", "zb-1", EARLIER),
    (6, "broadcast:99:1764554400.000000", "broadcast", "请按时参加", "zb-1", None),
    (7, "quiz_nudge/zb-1/2026-11", "nudge", "本月还没有答题", "zb-1", None),
    (8, "study_day/zb-1/2026-11-15/-1d@18:00", "reminder", "学习日提醒", "zb-1", None),
]
ANNOUNCES = {2: 1, 4: 3, 5: 3}
# Attendance rows: (batch, member, reply, reason, present, signed_kind).
ATTENDANCE = [
    (1, 1, "yes", None, 0, None),
    (1, 2, "leave", "外出务工", 0, None),
    (3, 1, "yes", None, 1, "proxy"),
    (3, 2, None, None, 1, "late"),
]


async def old_database(path: Path) -> None:
    database = await SqliteDatabase.open(path, MIGRATIONS[: MIGRATIONS.index(MEETINGS_AS_EVENTS)])
    await database.close()
    with sqlite3.connect(path) as db:
        now = to_ms(NOW)
        db.execute(
            "INSERT INTO org_units (id, name, level, kind, updated_at) "
            "VALUES ('zb-1', '东村党支部', '党支部', '农村', ?)",
            (now,),
        )
        db.executemany(
            "INSERT INTO members (id, telegram_id, first_name, real_name, branch_id, "
            "created_at) VALUES (?, ?, ?, ?, 'zb-1', ?)",
            [
                (1, 1001, "三", "张三", now),
                (2, 1002, "四", "李四", now),
                (3, None, "", "王五", now),
            ],
        )
        db.executemany(
            "INSERT INTO batches (id, key, kind, title, unit_id, created_by, created_at, "
            "occurs_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
            [
                (i, k, kind, t, u, now, to_ms(at) if at else None)
                for i, k, kind, t, u, at in BATCHES
            ],
        )
        db.executemany(
            "INSERT INTO deliveries (batch_id, chat_id, member_id, text, status, "
            "next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (batch, chat, member, "提醒" if chat else "", status, now, error)
                for batch in (2, 4, 5, 6, 7, 8)
                for chat, member, status, error in (
                    (1001, 1, "sent", None),
                    (1002, 2, "pending", None),
                    (None, 3, "failed", "unreachable"),
                )
            ],
        )
        db.executemany(
            "INSERT INTO attendance (batch_id, member_id, reply, reason, replied_at, present, "
            "signed_by, signed_kind, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (b, m, r, why, now if r else None, p, 99 if p else None, k, now if p else None)
                for b, m, r, why, p, k in ATTENDANCE
            ],
        )
        db.execute(
            "INSERT INTO pending_input (telegram_id, kind, payload, created_at) "
            "VALUES (1002, 'leave_reason', '{\"event\": 1}', ?)",
            (now,),
        )


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


async def test_an_old_database_upgrades_and_keeps_every_meeting(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    await old_database(path)
    deliveries = rows(path, "SELECT * FROM deliveries ORDER BY id")
    attendance = rows(path, "SELECT * FROM attendance ORDER BY batch_id, member_id")
    storage = await Storage.open(path)
    try:
        assert await storage.schema_version() == len(MIGRATIONS)
        # Every theme day is an event under its old id and key.
        for event_id, key, _, topic, branch, at in (b for b in BATCHES if b[2] == "theme_day"):
            event = await storage.attendance.event(event_id)
            assert event is not None
            assert (event.key, event.kind, event.branch_id, event.topic, event.occurs_at) == (
                key,
                "theme_day",
                branch,
                topic,
                at,
            )
            assert event.status is EventStatus.SCHEDULED
        # Every reply and sign-in, unchanged, now pointing at the event.
        # (Columns added by later migrations, such as studied_at, are not compared.)
        assert (
            rows(
                path,
                "SELECT event_id, member_id, reply, reason, replied_at, present, signed_by,"
                " signed_kind, signed_at FROM attendance ORDER BY event_id, member_id",
            )
            == attendance
        )
        # Every other batch survives, the announcing ones pointing at their event.
        kept = rows(path, "SELECT id, key, kind, title, event_id FROM batches ORDER BY id")
        assert kept == [
            (i, k, kind, t, ANNOUNCES.get(i))
            for i, k, kind, t, _, _ in BATCHES
            if kind != "theme_day"
        ]
        # (Later migrations may add columns at the end; the old ones keep their values.)
        upgraded = rows(path, "SELECT * FROM deliveries ORDER BY id")
        assert [row[: len(deliveries[0])] for row in upgraded] == deliveries
        assert rows(path, "PRAGMA foreign_key_check") == []

        # And the bot reads them as before: the sheet, the figures, a pending leave reason.
        clock = FixedClock(NOW)
        meetings = MeetingService(
            storage.outbox,
            storage.attendance,
            storage.org,
            TREE,
            clock,
            catalogue("zh-CN"),
            ZONE,
        )
        sheet = await meetings.sheet(1)
        assert sheet is not None
        assert [m.name for m in sheet.coming] == ["张三"]
        assert [(m.name, why) for m, why in sheet.leave] == [("李四", "外出务工")]
        assert [m.name for m in sheet.unreachable] == ["王五"]
        assert [(e.id, e.topic) for e in await meetings.events("zb-1")] == [
            (1, "学习党章"),
            (3, "学习准则"),
        ]
        start, end = Period(Span.MONTH, 2026, 11).bounds(ZONE)
        figures = await storage.attendance.theme_day_attendance(["zb-1"], start, end)
        assert figures == {"zb-1": (1, 2)}
        member = await storage.org.member(1002)
        assert member is not None
        pending = await storage.conversations.pending_input(1002)
        assert pending is not None and pending.payload == {"event": 1}
        assert await meetings.find(pending.payload["event"]) is not None
        # A reminder written after the upgrade joins the theme day's event, not a new one.
        batch_id = await meetings.remind(
            Meeting("zb-1", DAY, "学习党章", "村委会"),
            "0d@08:00",
            NOW,
            NOW + timedelta(hours=6),
            [],
        )
        assert batch_id is not None
        batch = await storage.outbox.batch(batch_id)
        assert batch is not None and batch.event_id == 1
        assert rows(path, "SELECT COUNT(*) FROM events") == [(2,)]
    finally:
        await storage.close()

"""The meetings store against a real SQLite file: a move applies only to the time the
preview showed, a meeting called in the chat is written once per 确认, the scheduler finds
what the schedule does not time, and a closed record refuses a member's own 签到."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.meetings.events import Audience, Meeting
from bot.storage import Storage

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
DAY = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


async def test_moves_closing_and_what_the_schedule_does_not_time(tmp_path: Path) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    store = storage.attendance
    try:
        planned = await store.ensure_event(Meeting("zb-1", DAY, "学习党章", "村委会"), NOW)
        later = DAY + timedelta(days=2)
        assert await store.move(planned, DAY, later, "合并", 1, NOW) == 1
        # A second preview made before the first move names the old time: it moves nothing.
        assert await store.move(planned, DAY, later + timedelta(days=1), "又改", 1, NOW) is None
        assert await store.move(planned, later, DAY + timedelta(days=5), "再改", 1, NOW) == 2
        moved = await store.event(planned)
        assert moved is not None and moved.moved_from == DAY and moved.moves == 2
        assert moved.occurs_at == DAY + timedelta(days=5) and moved.note == "再改"
        lecture = Meeting("zb-1", DAY + timedelta(days=1), "党课", "活动室", kind="party_lecture")
        created = await store.create_event(
            "adhoc:zb-1:1:7", lecture, Audience.BRANCH, None, 1, NOW
        )
        assert created is not None
        assert (
            await store.create_event("adhoc:zb-1:1:7", lecture, Audience.BRANCH, None, 1, NOW)
            is None
        )
        untouched = await store.ensure_event(
            Meeting("zb-1", DAY + timedelta(days=3), "学习准则", "村委会"), NOW
        )
        found = await store.off_schedule(NOW, NOW + timedelta(days=30))
        assert [e.id for e in found] == [created, planned]
        assert untouched not in {e.id for e in found}
        member = await storage.org.upsert_member(1001, "张", "三", None, NOW)
        assert await store.close(created, 1, NOW)
        assert not await store.close(created, 1, NOW)
        assert not await store.sign_in(created, member, 1001, "self", NOW)
        assert await store.sign_in(created, member, 1, "late", NOW)
        assert await store.sign_in(untouched, member, 1001, "self", NOW)
    finally:
        await storage.close()

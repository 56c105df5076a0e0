"""Benchmark: what sign-in and 补课 cost the bot at a city's scale (no Telegram involved).

1. The scheduler's 补课 sweep on the day after a city's theme day: 8,885 branches held theme
   days that morning, no 补课 written yet; each 30-second tick looks for those due (none until
   09:00 the next day, then all at once). Reported: one tick's time before and at 09:00.
2. Self sign-in: 50 members of one branch typing the code one after another, each the full
   service path (guessing check, code look-up, the event, attendance, the insert). Reported:
   per sign-in time, median and worst.

    python bench/signin.py            # JSON on stdout
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import FixedClock  # noqa: E402
from bot.delivery.scheduler import Scheduler  # noqa: E402
from bot.delivery.service import DeliveryService  # noqa: E402
from bot.i18n import catalogue  # noqa: E402
from bot.meetings.events import Meeting  # noqa: E402
from bot.meetings.service import MeetingService  # noqa: E402
from bot.meetings.signin import SigninService  # noqa: E402
from bot.org.tree import Level, OrgTree, Unit  # noqa: E402
from bot.schedule import Schedule, ScheduleSettings  # noqa: E402
from bot.storage import Storage  # noqa: E402

BRANCHES = 8885
MEMBERS = 50
ZONE = ZoneInfo("Asia/Shanghai")
HELD = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


async def main() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        storage = await Storage.open(Path(folder) / "bench.sqlite3")
        tree = OrgTree(tuple(Unit(f"zb-{n}", f"支部{n}", Level.BRANCH) for n in range(BRANCHES)))
        clock = FixedClock(HELD)
        await storage.org.sync_units(tree.units, clock.now())
        texts = catalogue("zh-CN")
        for unit in tree.units:
            await storage.attendance.ensure_event(
                Meeting(unit.id, HELD, "学习党章", ""), clock.now()
            )
        meetings = MeetingService(
            storage.outbox, storage.attendance, storage.org, tree, clock, texts, ZONE
        )
        schedule = Schedule(ScheduleSettings(), ZONE)
        scheduler = Scheduler(
            outbox=storage.outbox,
            members=storage.org,
            quizzes=storage.stats,
            tree=tree,
            clock=clock,
            meetings=meetings,
            delivery=DeliveryService(storage.outbox, storage.org, tree, clock),
            texts=texts,
            zone=ZONE,
            plan=lambda _tree, _start, _end: [],
            grace=timedelta(hours=6),
            schedule=schedule,
        )
        clock.current = HELD + timedelta(hours=20)  # the evening after: nothing due yet
        started = time.perf_counter()
        quiet = await scheduler.tick()
        quiet_ms = (time.perf_counter() - started) * 1000
        clock.current = HELD + timedelta(hours=24, seconds=30)  # 09:00 the next day
        started = time.perf_counter()
        due = await scheduler.tick()
        due_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await scheduler.tick()
        after_ms = (time.perf_counter() - started) * 1000

        # Sign-in: one branch of 50 members.
        branch = tree.units[0].id
        for n in range(MEMBERS):
            await storage.org.upsert_member(10_000 + n, f"党员{n}", None, None, clock.now())
            await storage.org.join_branch(10_000 + n, f"党员{n}", branch, 1, clock.now())
        clock.current = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
        signin = SigninService(
            storage.signins, storage.attendance, storage.org, tree, schedule, clock
        )
        event_id = await storage.attendance.ensure_event(
            Meeting(branch, clock.now(), "学习党章", ""), clock.now()
        )
        event = await storage.attendance.event(event_id)
        assert event is not None
        session = (await signin.open(event, 1)).session
        assert session is not None
        times = []
        for n in range(MEMBERS):
            member = await storage.org.member(10_000 + n)
            started = time.perf_counter()
            outcome = await signin.by_code(member, 10_000 + n, session.code)
            times.append((time.perf_counter() - started) * 1000)
            assert outcome.refusal is None
        started = time.perf_counter()
        board = await signin.board(event_id)
        board_ms = (time.perf_counter() - started) * 1000
        assert board is not None and board.present == MEMBERS
        await storage.close()
    return {
        "theme_days": BRANCHES,
        "makeup_tick_nothing_due_ms": round(quiet_ms, 1),
        "makeup_tick_all_due_ms": round(due_ms, 1),
        "makeups_written": due.makeups,
        "makeup_tick_after_ms": round(after_ms, 1),
        "makeups_nothing_due": quiet.makeups,
        "signin_members": MEMBERS,
        "signin_median_ms": round(statistics.median(times), 2),
        "signin_worst_ms": round(max(times), 2),
        "board_count_ms": round(board_ms, 2),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), ensure_ascii=False))

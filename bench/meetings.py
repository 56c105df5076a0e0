"""Benchmark: 三会一课 at a city's scale (issue 13, part 5).

    python bench/meetings.py --json            # 9,000 branches, a year of meetings
    python bench/meetings.py --small --json    # 300 branches, for a quick look

A fresh database gets a year of meetings for every branch — a theme day, a 支委会 and a
党小组会 each month, a 党员大会 and a 党课 each quarter, one in ten left out at random, one in a
hundred moved — and 30 members each (their membership history). Every figure is the bot's real
code on it:

* ``quotas_city_ms`` — ``RecordService.quotas`` of every branch for the year (a 党委's /stats
  naming the branches behind), ``quotas_branch_ms`` for one branch and a month (a /stats);
* ``held_1000_ms`` — ``AttendanceStore.held`` for 1,000 branches and the year: the ledger's
  会议记录 rows with 应到 counted from the membership history (``held_rows`` of them);
* ``off_schedule_tick_ms`` — what each scheduler tick asks for: the meetings the schedule does
  not time (here the 1 % moved) within reach of a 30-second window (two days either side with
  the default reminder offsets);
* ``events`` — how many events the database holds.

The final line on stdout is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FixedClock
from bot.meetings.quota import QUOTA_KINDS
from bot.meetings.records import RecordService
from bot.org.tree import Level, OrgTree, Unit
from bot.stats.periods import Period, Span
from bot.storage import Storage

ZONE = ZoneInfo("Asia/Shanghai")
YEAR = 2026
NOW = datetime(YEAR + 1, 1, 10, 2, tzinfo=UTC)
MONTHLY = ("theme_day", "committee_meeting", "group_meeting")
QUARTERLY = ("member_meeting", "party_lecture")
MEMBERS = 30


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def fill(path: Path, branches: int, rng: random.Random) -> int:
    """A year of meetings and 30 members for each of ``branches`` branches."""
    db = sqlite3.connect(path)
    events = []
    for b in range(branches):
        branch = f"zb-{b}"
        for month in range(1, 13):
            kinds = MONTHLY + (QUARTERLY if month % 3 == 0 else ())
            for n, kind in enumerate(kinds):
                if rng.random() < 0.1:
                    continue
                at = datetime(YEAR, month, 5 + 3 * n, 1, tzinfo=UTC)
                moved = _ms(at - timedelta(days=2)) if rng.random() < 0.01 else None
                events.append(
                    (f"{kind}:{branch}:{_ms(at)}", branch, kind, _ms(at), "学习", "活动室", moved)
                )
    db.executemany(
        "INSERT INTO events (key, branch_id, kind, occurs_at, topic, place, moved_from, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        events,
    )
    joined = _ms(datetime(YEAR - 1, 6, 1, tzinfo=UTC))
    members = [(b * MEMBERS + m + 1, f"党员{m}") for b in range(branches) for m in range(MEMBERS)]
    db.executemany(
        "INSERT INTO members (id, first_name, real_name, created_at) VALUES (?, ?, ?, 0)",
        [(i, name, name) for i, name in members],
    )
    db.executemany(
        "INSERT INTO memberships (member_id, branch_id, joined_at) VALUES (?, ?, ?)",
        [(i, f"zb-{(i - 1) // MEMBERS}", joined) for i, _ in members],
    )
    db.commit()
    db.close()
    return len(events)


async def timed(action: Callable[[], Awaitable[Any]], runs: int = 5) -> tuple[float, Any]:
    """The median of ``runs`` runs, in milliseconds, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = await action()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2], result


async def run(branches: int) -> dict[str, Any]:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "meetings.sqlite3"
        storage = await Storage.open(path)
        await storage.close()
        count = fill(path, branches, rng)
        storage = await Storage.open(path)
        try:
            units = [Unit("dw", "市委", Level.COMMITTEE)]
            units += [
                Unit(f"zb-{b}", f"第{b}党支部", Level.BRANCH, parent="dw") for b in range(branches)
            ]
            records = RecordService(
                storage.attendance, OrgTree(tuple(units)), FixedClock(NOW), ZONE
            )
            year = Period(Span.YEAR, YEAR)
            city_ms, city = await timed(lambda: records.quotas(None, year))
            branch_ms, _ = await timed(
                lambda: records.quotas(["zb-1"], Period(Span.MONTH, YEAR, 11)), 20
            )
            some = [f"zb-{b}" for b in range(min(1000, branches))]
            start, end = year.bounds(ZONE)
            held_ms, held = await timed(
                lambda: storage.attendance.held(some, QUOTA_KINDS, start, end), 3
            )
            tick = datetime(YEAR, 11, 20, 2, tzinfo=UTC)
            reach = timedelta(days=2)  # the default offsets' reach (-1d@18:00, 0d@08:00)
            tick_ms, _ = await timed(
                lambda: storage.attendance.off_schedule(tick - reach, tick + reach), 20
            )
        finally:
            await storage.close()
    return {
        "branches": branches,
        "events": count,
        "quotas_city_ms": round(city_ms, 1),
        "branches_behind": sum(1 for q in city if q.behind),
        "quotas_branch_ms": round(branch_ms, 2),
        "held_1000_ms": round(held_ms, 1),
        "held_rows": len(held),
        "off_schedule_tick_ms": round(tick_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="300 branches instead of 9,000")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    options = parser.parse_args()
    figures = asyncio.run(run(300 if options.small else 9000))
    if not options.json:
        for name, value in figures.items():
            print(f"{name:>22}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

"""Membership over time: a period's figures count who was in each unit at its end, so joins,
transfers and departures after it never change them (docs/organisation.md)."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.org.members import Departure, RosterEntry
from bot.org.tree import Level, OrgTree, Unit
from bot.quiz.rules import Verdict
from bot.stats.periods import Period, Span
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.storage.migrations import MEMBERSHIP_BACKFILL
from bot.storage.url import DatabaseUrl
from tests.engines import database_for

ZONE = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period(Span.MONTH, 2026, 11)
NOV_START, NOV_END = NOVEMBER.bounds(ZONE)
UNITS = (
    Unit("dw", "示范镇党委", Level.COMMITTEE),
    Unit("zb-1", "东村党支部", Level.BRANCH, parent="dw"),
    Unit("zb-2", "中学党支部", Level.BRANCH, parent="dw"),
    Unit("zb-3", "镇机关党支部", Level.BRANCH, parent="dw"),
)
TREE = OrgTree(UNITS)
BRANCHES = ["zb-1", "zb-2", "zb-3"]
SECRETARY = 1


def service(storage: Storage, now: datetime, min_attempts: int = 5) -> StatsService:
    """The statistics as the bot has them on ``now``."""
    stores = (storage.stats, storage.org, storage.attendance)
    return StatsService(*stores, TREE, ZONE, FixedClock(now), min_attempts)


async def quiz(storage: Storage, member: int, telegram_id: int, at: datetime, right: int) -> None:
    """A finished quiz of two questions, ``right`` of them right."""
    session = await storage.quiz.start_session(
        member, telegram_id, ("a", "b"), ((0, 1), (0, 1)), "v1", at, seen=[], reset_bag=True
    )
    for number, question in enumerate(("a", "b")):
        assert session is not None
        verdict = Verdict(frozenset({0}), correct=number < right, timed_out=False)
        session = await storage.quiz.record_answer(session, question, verdict, at, 1000)


async def november(storage: Storage) -> tuple[Storage, int]:
    """Five members who joined in October or November, three of whom studied; one roster
    entry who never opened the bot."""
    await storage.org.sync_units(UNITS, NOV_START)
    for n in range(5):
        telegram_id = 1000 + n
        joined = NOV_START - timedelta(days=20) + timedelta(days=7 * n)
        member = await storage.org.upsert_member(telegram_id, f"党员{n}", None, None, joined)
        await storage.org.join_branch(telegram_id, f"党员{n}", BRANCHES[n % 3], SECRETARY, joined)
        if n < 3:
            await quiz(storage, member, telegram_id, NOV_START + timedelta(days=10 + n), n)
    await storage.org.add_roster([RosterEntry("王五", "zb-1")], NOV_START + timedelta(days=3))
    return storage, 1100


@dataclass(frozen=True)
class Event:
    """Something that happens to the organisation after November."""

    kind: str
    who: int
    branch: int
    hours: int


EVENTS = st.lists(
    st.builds(
        Event,
        kind=st.sampled_from(["join", "roster", "roster_join", "transfer", "depart"]),
        who=st.integers(0, 7),
        branch=st.integers(0, 2),
        hours=st.integers(0, 24 * 40),
    ),
    max_size=12,
)


async def apply(storage: Storage, events: list[Event]) -> None:
    """The events, in time order, each at some moment after November ended."""
    next_id = 2000
    for event in sorted(events, key=lambda e: e.hours):
        at = NOV_END + timedelta(hours=event.hours)
        branch = BRANCHES[event.branch]
        members = await storage.org.members_in(BRANCHES)
        target = members[event.who % len(members)] if members else None
        if event.kind == "join":
            next_id += 1
            await storage.org.upsert_member(next_id, "新人", None, None, at)
            await storage.org.join_branch(next_id, f"新人{next_id}", branch, SECRETARY, at)
        elif event.kind == "roster":
            await storage.org.add_roster([RosterEntry(f"名单{event.who}", branch)], at)
        elif event.kind == "roster_join":
            # The roster entry 王五 opens the bot and joins under the same name: merged.
            next_id += 1
            await storage.org.upsert_member(next_id, "王五", None, None, at)
            await storage.org.join_branch(next_id, "王五", "zb-1", SECRETARY, at)
        elif event.kind == "transfer" and target is not None:
            await storage.org.transfer(target.id, branch, SECRETARY, at)
        elif event.kind == "depart" and target is not None:
            await storage.org.depart(target.id, Departure.DIED, at, SECRETARY)
        if target is not None and target.telegram_id is not None and event.kind == "transfer":
            await quiz(storage, target.id, target.telegram_id, at, 1)


async def figures_of(storage: Storage, now: datetime) -> object:
    """Everything a report of November shows. Members by name: a roster entry who joins
    later becomes the joiner's row (another id), the same person."""
    stats = StatsService(
        storage.stats, storage.org, storage.attendance, TREE, ZONE, FixedClock(now)
    )
    window = stats.window(NOVEMBER)
    report = await stats.report("zb-1", NOVEMBER)
    return (
        await stats.figures(BRANCHES, window, medians=True),
        await stats.ranking("dw", NOVEMBER),
        sorted(
            (e.member.name, e.member.branch_id, e.reachable, e.studied)
            for e in await stats.enrolments(BRANCHES, window)
        ),
        (report.figures, report.place, sorted(m.name for m in report.not_participated)),
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_events_after_a_period_never_change_its_figures(
    database: DatabaseUrl, events: list[Event]
) -> None:
    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            async with database_for(database.engine, Path(folder)) as fresh:
                await check(fresh)

    async def check(fresh: DatabaseUrl) -> None:
        storage, _ = await november(await Storage.open(fresh))
        try:
            before = await figures_of(storage, NOV_END + timedelta(days=1))
            await apply(storage, events)
            after = await figures_of(storage, NOV_END + timedelta(days=45))
            assert after == before
        finally:
            await storage.close()

    asyncio.run(run())


async def test_november_counts_who_was_in_at_its_end(database: DatabaseUrl) -> None:
    storage, _ = await november(await Storage.open(database))
    try:
        stats = StatsService(
            storage.stats,
            storage.org,
            storage.attendance,
            TREE,
            ZONE,
            FixedClock(NOV_END + timedelta(days=3)),
        )
        by_branch = {f.branch_id: f for f in await stats.figures(BRANCHES, stats.window(NOVEMBER))}
        # zb-1: 党员0, 党员3 and the roster's 王五 (never opened the bot: not reachable).
        assert (by_branch["zb-1"].members, by_branch["zb-1"].participants) == (3, 1)
        assert by_branch["zb-1"].unreachable == 1
        members = await storage.org.members_in(["zb-1"])
        await storage.org.depart(
            members[0].id, Departure.MOVED_OUT, NOV_END - timedelta(days=1), 1
        )
        (zb1,) = await stats.figures(["zb-1"], stats.window(NOVEMBER))
        # Left before November ended: not counted; their quiz still counts where it was taken.
        assert (zb1.members, zb1.participants, zb1.quizzes) == (2, 0, 1)
    finally:
        await storage.close()


async def test_the_migration_builds_the_history_from_transfers() -> None:
    """SQLite's migration (a PostgreSQL database starts from the baseline after it)."""
    storage = await Storage.open(":memory:")
    try:
        await storage.org.sync_units(UNITS, NOV_START)
        member = await storage.org.upsert_member(7, "张三", None, None, NOV_START)
        await storage.org.join_branch(7, "张三", "zb-1", 1, NOV_START + timedelta(days=1))
        await storage.org.transfer(member, "zb-2", 1, NOV_START + timedelta(days=5))
        await storage.org.add_roster([RosterEntry("李四", "zb-3")], NOV_START + timedelta(days=2))
        db = storage.database.connection
        written = list(await db.execute_fetchall("SELECT * FROM memberships ORDER BY id"))
        await db.execute("DELETE FROM memberships")
        await db.executescript(MEMBERSHIP_BACKFILL)
        rebuilt = list(await db.execute_fetchall("SELECT * FROM memberships ORDER BY id"))
        strip = [tuple(row)[1:6] for row in written]
        assert sorted(tuple(row)[1:6] for row in rebuilt) == sorted(strip)
        assert len(strip) == 3 and strip[0][4] == "transfer"
    finally:
        await storage.close()

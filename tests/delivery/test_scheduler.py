"""The scheduler's tick against a real database with a pinned clock: due reminders are
written once, a missed one inside the grace window is still written, one outside is not, and
补课 follows the day after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.scheduler import Scheduler, latest_held
from bot.delivery.service import DeliveryService
from bot.i18n import catalogue
from bot.meetings.events import Meeting
from bot.meetings.service import MeetingService
from bot.org.tree import Level, OrgTree, Unit
from bot.schedule.notation import DayOffset, Lead
from bot.schedule.occurrences import Occurrence, OccurrenceKind
from bot.storage import Storage
from bot.storage.url import DatabaseUrl

START = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai, the day before
DAY = Meeting("zb-1", datetime(2026, 12, 7, 1, 0, tzinfo=UTC), "学习党章", "村委会")
TREE = OrgTree((Unit("zb-1", "东村党支部", Level.BRANCH),))


EVENT = Occurrence(
    kind=OccurrenceKind.THEME_DAY,
    rule_key="theme_day",
    branch_id="zb-1",
    occurs_at=DAY.occurs_at,
    rule_date=date(2026, 12, 7),
    title="主题党日",
    place=DAY.place,
    topic=DAY.topic,
)


def reminder(offset: str, at: datetime) -> Occurrence:
    return replace(EVENT, kind=OccurrenceKind.REMINDER, occurs_at=at, parent=EVENT, offset=offset)


def plan(_tree: OrgTree, start: datetime, end: datetime) -> Sequence[Occurrence]:
    reminders = [
        reminder("-1d@18:00", START),
        reminder("0d@08:00", DAY.occurs_at - timedelta(hours=1)),
    ]
    return [r for r in reminders if start <= r.occurs_at < end]


async def setup(database: DatabaseUrl) -> tuple[Storage, FixedClock, Scheduler]:
    storage = await Storage.open(database)
    clock = FixedClock(START - timedelta(minutes=1))
    await storage.org.sync_units(TREE.units, clock.now())
    for telegram_id, name in ((1, "张三"), (2, "李四")):
        await storage.org.upsert_member(telegram_id, name, None, None, clock.now())
        await storage.org.join_branch(telegram_id, name, "zb-1", 99, clock.now())
    texts, zone = catalogue("zh-CN"), ZoneInfo("Asia/Shanghai")
    meetings = MeetingService(
        storage.outbox, storage.attendance, storage.org, TREE, clock, texts, zone
    )
    scheduler = Scheduler(
        outbox=storage.outbox,
        members=storage.org,
        quizzes=storage.stats,
        tree=TREE,
        clock=clock,
        meetings=meetings,
        delivery=DeliveryService(storage.outbox, storage.org, TREE, clock),
        texts=texts,
        zone=zone,
        plan=plan,
        grace=timedelta(hours=6),
    )
    return storage, clock, scheduler


async def test_due_reminders_are_written_once(database: DatabaseUrl) -> None:
    storage, clock, scheduler = await setup(database)
    assert (await scheduler.tick()).written == 0
    clock.advance(timedelta(minutes=2))
    assert (await scheduler.tick()).written == 1
    assert (await scheduler.tick()).written == 0
    due, _ = await storage.outbox.claim_due(clock.now(), 10)
    assert sorted(d.chat_id for d in due) == [1, 2]
    assert all("参加" in str(d.reply_markup) for d in due)
    await storage.close()


async def test_missed_reminders_inside_the_grace_window_are_sent(database: DatabaseUrl) -> None:
    storage, clock, scheduler = await setup(database)
    await scheduler.tick()
    # Down from before the first reminder until 5 hours after it: still within 6 hours.
    clock.advance(timedelta(hours=5))
    assert (await scheduler.tick()).written == 1
    # Down again past the second reminder by 7 hours: outside the window, skipped.
    clock.current = DAY.occurs_at - timedelta(hours=1) + timedelta(hours=7)
    report = await scheduler.tick()
    assert (report.written, report.skipped) == (0, 1)
    await storage.close()


async def test_makeup_the_day_after_for_those_not_signed_in(database: DatabaseUrl) -> None:
    storage, clock, scheduler = await setup(database)
    clock.advance(timedelta(minutes=2))
    await scheduler.tick()
    (event,) = await storage.attendance.events_of("zb-1", "theme_day")
    member = await storage.org.member(1)
    assert member is not None
    await storage.attendance.sign_in(event.id, member.id, 99, "proxy", clock.now())
    clock.current = DAY.occurs_at + timedelta(days=1, minutes=5)
    assert (await scheduler.tick()).makeups == 1
    assert (await scheduler.tick()).makeups == 0
    due, _ = await storage.outbox.claim_due(clock.now(), 10)
    makeups = [d for d in due if "补课" in d.text]
    assert [d.chat_id for d in makeups] == [2]
    await storage.close()


def test_pacer_keeps_telegram_limits() -> None:
    pacer = Pacer(Limits(per_second=30, private_interval=1.0, group_interval=3.0))
    times = [pacer.reserve(chat, 0.0) for chat in range(1, 61)]
    # A burst of three, then one every 1/30 s: never more than Telegram's bucket allows.
    assert times[:3] == [0.0, 0.0, 0.0]
    assert times[-1] >= 57 / 30 - 1e-9
    assert all(b - a >= 1 / 30 - 1e-9 for a, b in pairwise(times[2:]))
    same = [pacer.reserve(7, 10.0) for _ in range(3)]
    assert same[1] - same[0] >= 1.0 and same[2] - same[1] >= 1.0
    group = [pacer.reserve(-100, 20.0) for _ in range(2)]
    assert group[1] - group[0] >= 3.0
    pacer.pause(50.0)
    assert pacer.reserve(8, 30.0) >= 50.0


CLOCK_TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@settings(max_examples=300, deadline=None)
@given(
    offset=st.one_of(
        st.builds(
            DayOffset,
            st.integers(1, 31),
            st.times().map(lambda t: t.replace(second=0, microsecond=0)),
        ),
        st.builds(Lead, st.integers(1, 72 * 60)),
    ),
    held=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    late=st.integers(0, 3 * 24 * 60),
    zone=st.sampled_from([ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")]),
)
def test_the_makeup_sweep_never_leaves_out_a_meeting_whose_makeup_is_due(
    offset: DayOffset | Lead, held: datetime, late: int, zone: ZoneInfo
) -> None:
    """The sweep looks only at meetings held by ``latest_held(now)``: every meeting whose
    补课 time has come by ``now`` is among them, whatever the offset, hour and zone."""
    day = held.astimezone(zone).date()
    due = offset.moment(day, held, zone)
    now = due + timedelta(minutes=late)
    assert held <= latest_held([offset], now, zone)
    # And it is tight for a day offset: a meeting held after it is not due yet.
    if isinstance(offset, DayOffset):
        bound = latest_held([offset], now, zone)
        later = bound + timedelta(minutes=1)
        assert offset.moment(later.astimezone(zone).date(), later, zone) > now

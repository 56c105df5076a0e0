"""The scheduler's other paths against a real database with a pinned clock: the monthly quiz
nudge, the 政治生日 greeting and the secretaries' notice before it, and reminders of meetings
other than the theme day. Each is written once, to the right people, however often the tick
runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.delivery.outbox import Delivery
from bot.delivery.scheduler import Plan, Scheduler
from bot.delivery.service import DeliveryService
from bot.i18n import catalogue
from bot.meetings.events import Meeting
from bot.meetings.service import MeetingService
from bot.org.tree import Level, OrgTree, Unit
from bot.quiz.rules import Verdict
from bot.schedule.config import ScheduleSettings
from bot.schedule.occurrences import Occurrence, OccurrenceKind
from bot.schedule.planner import Schedule
from bot.storage import Storage
from bot.storage.url import DatabaseUrl

ZONE = ZoneInfo("Asia/Shanghai")
TREE = OrgTree((Unit("zb-1", "东村党支部", Level.BRANCH),))
SECRETARY = 77
TEXTS = catalogue("zh-CN")


def nothing(_tree: OrgTree, _start: datetime, _end: datetime) -> Sequence[Occurrence]:
    return []


def only(occurrence: Occurrence) -> Plan:
    def plan(_tree: OrgTree, start: datetime, end: datetime) -> Sequence[Occurrence]:
        return [occurrence] if start <= occurrence.occurs_at < end else []

    return plan


async def setup(
    database: DatabaseUrl,
    now: datetime,
    plan: Plan,
    schedule: Schedule | None = None,
    known_secretaries: Sequence[int] = (SECRETARY,),
) -> tuple[Storage, FixedClock, Scheduler]:
    storage = await Storage.open(database)
    clock = FixedClock(now)
    await storage.org.sync_units(TREE.units, now)
    for telegram_id, name in ((1, "张三"), (2, "李四")):
        await storage.org.upsert_member(telegram_id, name, None, None, now)
        await storage.org.join_branch(telegram_id, name, "zb-1", SECRETARY, now)
    meetings = MeetingService(
        storage.outbox, storage.attendance, storage.org, TREE, clock, TEXTS, ZONE
    )

    async def secretaries(branch_id: str) -> list[int]:
        return list(known_secretaries) if branch_id == "zb-1" else []

    scheduler = Scheduler(
        outbox=storage.outbox,
        members=storage.org,
        quizzes=storage.stats,
        tree=TREE,
        clock=clock,
        meetings=meetings,
        delivery=DeliveryService(storage.outbox, storage.org, TREE, clock),
        texts=TEXTS,
        zone=ZONE,
        plan=plan,
        grace=timedelta(hours=6),
        schedule=schedule,
        secretaries=secretaries,
    )
    return storage, clock, scheduler


async def due(storage: Storage, clock: FixedClock) -> list[Delivery]:
    claimed, _ = await storage.outbox.claim_due(clock.now(), 100)
    return claimed


async def test_the_quiz_nudge_goes_to_members_without_a_quiz_this_month(
    database: DatabaseUrl,
) -> None:
    at = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    nudge = Occurrence(
        kind=OccurrenceKind.QUIZ_NUDGE,
        rule_key="quiz_nudge",
        branch_id="zb-1",
        occurs_at=at,
        rule_date=date(2026, 12, 28),
    )
    storage, clock, scheduler = await setup(database, at - timedelta(minutes=1), only(nudge))
    # 张三 finished a one-question quiz this month; 李四 did not start one.
    member = await storage.org.member_id(1)
    assert member is not None
    session = await storage.quiz.start_session(
        member, 1, ("q",), ((0, 1),), "v1", at - timedelta(days=3), seen=["q"], reset_bag=False
    )
    assert session is not None
    verdict = Verdict(frozenset({0}), correct=True, timed_out=False)
    assert await storage.quiz.record_answer(session, "q", verdict, at - timedelta(days=3), 900)
    assert (await scheduler.tick()).written == 0
    clock.advance(timedelta(minutes=2))
    assert (await scheduler.tick()).written == 1
    assert (await scheduler.tick()).written == 0
    sent = await due(storage, clock)
    assert [d.chat_id for d in sent] == [2]
    assert sent[0].text == TEXTS.nudge_text.format(period="2026年12月")
    await storage.close()


async def test_a_political_birthday_greets_the_member_and_tells_the_secretary_before(
    database: DatabaseUrl,
) -> None:
    start = datetime(2026, 12, 1, 0, 58, tzinfo=UTC)  # 08:58 in Shanghai
    schedule = Schedule(ScheduleSettings(), ZONE)
    storage, clock, scheduler = await setup(database, start, nothing, schedule)
    member = await storage.org.member(1)
    assert member is not None
    # Joined on 8 December 2001: 25 years on 8 December 2026; the notice comes 7 days before.
    await storage.org.set_party_joined_on(member.id, date(2001, 12, 8))
    await scheduler.tick()
    clock.advance(timedelta(minutes=3))  # 09:01 on 1 December: the notice is due
    assert (await scheduler.tick()).written == 1
    notice = await due(storage, clock)
    assert [d.chat_id for d in notice] == [SECRETARY]
    assert notice[0].text == TEXTS.birthday_notice.format(
        name="张三同志", date="12月8日", years=25
    )
    clock.current = datetime(2026, 12, 8, 1, 1, tzinfo=UTC)  # 09:01 on the day
    assert (await scheduler.tick()).written == 1
    assert (await scheduler.tick()).written == 0
    greeting = [d for d in await due(storage, clock) if d.chat_id != SECRETARY]
    assert [d.chat_id for d in greeting] == [1]
    assert greeting[0].text == TEXTS.birthday_greeting.format(name="张三同志", years=25)
    await storage.close()


async def test_a_notice_with_no_secretary_to_tell_is_not_written(database: DatabaseUrl) -> None:
    start = datetime(2026, 12, 1, 0, 58, tzinfo=UTC)
    storage, clock, scheduler = await setup(
        database, start, nothing, Schedule(ScheduleSettings(), ZONE), known_secretaries=()
    )
    member = await storage.org.member(2)
    assert member is not None
    await storage.org.set_party_joined_on(member.id, date(2001, 12, 8))
    await scheduler.tick()
    clock.advance(timedelta(minutes=3))
    assert (await scheduler.tick()).written == 0
    assert await due(storage, clock) == []
    await storage.close()


async def test_a_study_day_reminder_goes_to_members_without_buttons_and_makes_an_event(
    database: DatabaseUrl,
) -> None:
    held = datetime(2026, 12, 15, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
    event = Occurrence(
        kind=OccurrenceKind.STUDY_DAY,
        rule_key="study_day",
        branch_id="zb-1",
        occurs_at=held,
        rule_date=date(2026, 12, 15),
        title="学习日",
        place="会议室",
    )
    reminder = replace(
        event,
        kind=OccurrenceKind.REMINDER,
        occurs_at=held - timedelta(hours=2),
        parent=event,
        offset="-2h",
    )
    storage, clock, scheduler = await setup(
        database, reminder.occurs_at - timedelta(minutes=1), only(reminder)
    )
    await storage.org.bind_group(-100, "zb-1", SECRETARY, clock.now(), takeover=True)
    await scheduler.tick()
    clock.advance(timedelta(minutes=2))
    assert (await scheduler.tick()).written == 1
    assert (await scheduler.tick()).written == 0
    sent = await due(storage, clock)
    # Members only (the group chats get the theme day's reminders), no 参加/请假.
    assert sorted(d.chat_id for d in sent) == [1, 2]
    assert all(d.reply_markup is None for d in sent)
    meetings = MeetingService(
        storage.outbox, storage.attendance, storage.org, TREE, clock, TEXTS, ZONE
    )
    details = meetings.describe(Meeting("zb-1", held, "学习日", "会议室"))
    assert {d.text for d in sent} == {
        TEXTS.event_reminder.format(branch="东村党支部", title="学习日", details=details)
    }
    # The study day is an event, and the reminder's batch points at it.
    (study_day,) = await storage.attendance.events_of("zb-1", "study_day")
    assert (study_day.occurs_at, study_day.title, study_day.place) == (held, "学习日", "会议室")
    batch = await storage.outbox.batch(sent[0].batch_id)
    assert batch is not None and batch.event_id == study_day.id
    # It takes no replies: only theme days do.
    assert await meetings.find(study_day.id) is None
    await storage.close()

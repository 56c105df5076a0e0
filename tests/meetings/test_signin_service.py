"""The sign-in service against a real database with a pinned clock: the window decides,
opening twice gives the same session, codes never repeat within a branch's open sign-ins,
a member of another branch or a stranger is refused, guessing is stopped, and the
secretary's sign-in is 代签 in the window and 补签 after it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.meetings.events import Meeting
from bot.meetings.signin import FAILURE_LIMIT, Refusal, SigninService
from bot.org.members import Member
from bot.org.tree import Level, OrgTree, Unit
from bot.schedule import Schedule, ScheduleSettings
from bot.storage import Storage

START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
TREE = OrgTree(
    (Unit("zb-1", "东村党支部", Level.BRANCH), Unit("zb-2", "西村党支部", Level.BRANCH))
)


class Repeating(random.Random):
    """A random source that gives the same numbers first: codes must still differ."""

    def __init__(self, values: list[int]) -> None:
        super().__init__(0)
        self._values = values

    def randrange(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
        return self._values.pop(0)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "db.sqlite3")
    await opened.org.sync_units(TREE.units, START)
    for telegram_id, name, branch in (
        (1, "张三", "zb-1"),
        (2, "李四", "zb-1"),
        (3, "王五", "zb-2"),
    ):
        await opened.org.upsert_member(telegram_id, name, None, None, START)
        await opened.org.join_branch(telegram_id, name, branch, 99, START)
    yield opened
    await opened.close()


def service(storage: Storage, clock: FixedClock, rng: random.Random) -> SigninService:
    schedule = Schedule(ScheduleSettings(), ZoneInfo("Asia/Shanghai"))
    return SigninService(
        storage.signins, storage.attendance, storage.org, TREE, schedule, clock, rng
    )


async def member(storage: Storage, telegram_id: int) -> Member:
    found = await storage.org.member(telegram_id)
    assert found is not None
    return found


async def test_the_window_opening_twice_and_codes_unique_in_a_branch(storage: Storage) -> None:
    clock = FixedClock(START - timedelta(minutes=31))
    signin = service(storage, clock, Repeating([1234, 1234, 1234, 5678]))
    first_id = await storage.attendance.ensure_event(Meeting("zb-1", START, "党章", ""), START)
    second_id = await storage.attendance.ensure_event(
        Meeting("zb-1", START + timedelta(hours=1), "党课", "", rule="meetings.lesson"), START
    )
    first = await storage.attendance.event(first_id)
    second = await storage.attendance.event(second_id)
    assert first is not None and second is not None
    early = await signin.open(first, 99)
    assert early.refusal is Refusal.NOT_YET and early.opens_at == START - timedelta(minutes=30)
    assert (await signin.current("zb-1")).refusal is Refusal.NOT_YET
    clock.advance(timedelta(minutes=2))
    current = await signin.current("zb-1")
    assert current.event == first and current.session is None
    opened = await signin.open(first, 99)
    assert opened.session is not None and opened.session.code == "1234"
    again = await signin.open(first, 99)
    assert again.session == opened.session
    clock.current = START + timedelta(minutes=35)  # both open now, the first still too
    other = await signin.open(second, 99)
    assert other.session is not None and other.session.code == "5678"
    assert other.session.token != opened.session.token
    clock.current = START + timedelta(hours=3, minutes=1)
    assert (await signin.open(first, 99)).refusal is Refusal.ENDED


async def test_members_own_branch_only_guessing_stopped(storage: Storage) -> None:
    clock = FixedClock(START)
    signin = service(storage, clock, Repeating([4321]))
    event_id = await storage.attendance.ensure_event(Meeting("zb-1", START, "党章", ""), START)
    event = await storage.attendance.event(event_id)
    assert event is not None
    session = (await signin.open(event, 99)).session
    assert session is not None
    zhang, wang = await member(storage, 1), await member(storage, 3)
    assert (await signin.by_code(wang, 3, "4321")).refusal is Refusal.OTHER_BRANCH
    assert (await signin.by_token(wang, 3, session.token)).refusal is Refusal.OTHER_BRANCH
    assert (await signin.by_code(None, 77, "4321")).refusal is Refusal.NOT_MEMBER
    assert (await signin.by_token(zhang, 1, "forged")).refusal is Refusal.BAD_LINK
    for left in range(FAILURE_LIMIT - 2, -1, -1):
        outcome = await signin.by_code(zhang, 1, "0000")
        assert (outcome.refusal, outcome.attempts_left) == (Refusal.WRONG_CODE, left)
    assert (await signin.by_code(zhang, 1, "4321")).refusal is Refusal.TOO_MANY
    clock.advance(timedelta(minutes=10, seconds=1))
    done = await signin.by_code(zhang, 1, "4321")
    assert done.refusal is None and done.at == clock.now()
    again = await signin.by_token(zhang, 1, session.token)
    assert again.refusal is Refusal.ALREADY and again.at == done.at
    board = await signin.board(event_id)
    assert board is not None
    assert (board.expected, board.present, board.leave, board.absent) == (2, 1, 0, 1)
    # 代签 while the window is open, 补签 after it; a member signed in stays as recorded.
    li = await member(storage, 2)
    assert signin.sign_kind(event) == "proxy"
    clock.current = START + timedelta(hours=3, seconds=1)
    assert signin.sign_kind(event) == "late"
    assert await signin.proxy(event, li.id, 99) == "late"
    assert await signin.proxy(event, li.id, 99) is None
    assert [m.name for m in await signin.absent(event)] == []
    ended = await signin.by_code(li, 2, "4321")
    assert ended.refusal is Refusal.ALREADY


async def test_a_committee_meeting_is_signed_by_its_committee_only(storage: Storage) -> None:
    """A 支委会 called in the chat goes to the committee (the branch's secretaries, as the
    bot knows it); a member of the branch who is not on it cannot sign in with the code, and
    the count and the 代签 list name only the committee."""
    clock = FixedClock(START)
    committee = {"zb-1": [2]}

    async def of(branch: str) -> list[int]:
        return committee.get(branch, [])

    schedule = Schedule(ScheduleSettings(), ZoneInfo("Asia/Shanghai"))
    signin = SigninService(
        storage.signins,
        storage.attendance,
        storage.org,
        TREE,
        schedule,
        clock,
        Repeating([2468]),
        committee=of,
    )
    meeting = Meeting(
        "zb-1", START, "研究发展党员", "", kind="committee_meeting", rule="meetings.x"
    )
    event = await storage.attendance.event(await storage.attendance.ensure_event(meeting, START))
    assert event is not None
    assert (await signin.open(event, 2)).session is not None
    zhang, li = await member(storage, 1), await member(storage, 2)
    assert (await signin.by_code(zhang, 1, "2468")).refusal is Refusal.NOT_INVITED
    assert [m.name for m in await signin.absent(event)] == ["李四"]
    assert (await signin.by_code(li, 2, "2468")).refusal is None
    board = await signin.board(event.id)
    assert board is not None and (board.expected, board.present) == (1, 1)

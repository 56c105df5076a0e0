"""The organisation store against a real SQLite file: applying a changed tree (added, renamed,
moved, removed units) keeps every id's history, and roster entries (members who have not
opened the bot) are merged into the person who joins under the same name."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.org.members import RosterEntry
from bot.org.tree import Level, Unit, UnitInUseError
from bot.stats.figures import MemberCounts
from bot.storage import Storage
from bot.storage.url import DatabaseUrl

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CITY = Unit("city", "示范镇党委", Level.COMMITTEE)
EAST = Unit("zb-1", "东村党支部", Level.BRANCH, parent="city")
WEST = Unit("zb-2", "西村党支部", Level.BRANCH, parent="city")
GENERAL = Unit("zz-1", "机关党总支", Level.GENERAL_BRANCH, parent="city")


async def opened(database: DatabaseUrl) -> Storage:
    storage = await Storage.open(database)
    await storage.org.sync_units([CITY, EAST, WEST, GENERAL], NOW)
    return storage


async def test_renames_moves_and_removals_are_reported_and_applied(database: DatabaseUrl) -> None:
    storage = await opened(database)
    renamed = Unit("zb-1", "东村第一党支部", Level.BRANCH, parent="city")
    moved = Unit("zb-2", "西村党支部", Level.BRANCH, parent="zz-1")
    changes = await storage.org.sync_units([CITY, GENERAL, renamed, moved], NOW)
    assert (changes.added, changes.renamed, changes.moved, changes.removed) == (
        [],
        ["zb-1"],
        ["zb-2"],
        [],
    )
    units = {u.id: u for u in await storage.org.units()}
    assert units["zb-1"].name == "东村第一党支部" and units["zb-2"].parent == "zz-1"
    # The same tree again changes nothing.
    assert (await storage.org.sync_units([CITY, GENERAL, renamed, moved], NOW)).empty
    await storage.close()


async def test_a_removed_unit_disappears_and_comes_back_as_added(database: DatabaseUrl) -> None:
    storage = await opened(database)
    changes = await storage.org.sync_units([CITY, EAST, GENERAL], NOW)
    assert changes.removed == ["zb-2"]
    assert {u.id for u in await storage.org.units()} == {"city", "zb-1", "zz-1"}
    again = await storage.org.sync_units([CITY, EAST, WEST, GENERAL], NOW)
    assert again.added == ["zb-2"] and again.removed == []
    await storage.close()


async def test_a_unit_with_members_cannot_be_removed(database: DatabaseUrl) -> None:
    storage = await opened(database)
    await storage.org.add_roster([RosterEntry("王五", "zb-2")], NOW)
    with pytest.raises(UnitInUseError) as refused:
        await storage.org.sync_units([CITY, EAST, GENERAL], NOW)
    assert refused.value.in_use == {"zb-2": 1}
    assert {u.id for u in await storage.org.units()} == {"city", "zb-1", "zb-2", "zz-1"}
    await storage.close()


async def test_roster_entries_count_and_merge_into_the_member_who_joins(
    database: DatabaseUrl,
) -> None:
    storage = await opened(database)
    entries = [
        RosterEntry("张三", "zb-1", date(1998, 7, 1)),
        RosterEntry("李四", "zb-1"),
        RosterEntry("张三", "zb-2"),
    ]
    assert await storage.org.add_roster(entries, NOW) == 3
    # Listed on the roster, in their branch from then on, and not reachable: never opened the bot.
    later = NOW + timedelta(minutes=1)
    counts = await storage.stats.member_counts(["zb-1", "zb-2"], later, NOW, later)
    assert counts == {"zb-1": MemberCounts(2, 2, 0), "zb-2": MemberCounts(1, 1, 0)}
    # 张三 opens the bot and joins 东村 under his real name: the roster entry becomes him.
    await storage.org.upsert_member(1001, "三", "张", None, NOW)
    assert await storage.org.join_branch(1001, "张三", "zb-1", 99, NOW)
    member = await storage.org.member(1001)
    assert member is not None
    assert (member.branch_id, member.real_name, member.party_joined_on) == (
        "zb-1",
        "张三",
        date(1998, 7, 1),
    )
    counts = await storage.stats.member_counts(["zb-1"], later, NOW, later)
    assert counts == {"zb-1": MemberCounts(2, 1, 0)}
    # 西村's 张三 is someone else: still listed there, not reachable.
    (west,) = await storage.org.members_in(["zb-2"])
    assert west.real_name == "张三" and not west.reachable
    # A name not on the roster joins as a new member.
    await storage.org.upsert_member(1002, "六", "赵", None, NOW)
    assert not await storage.org.join_branch(1002, "赵六", "zb-1", 99, NOW)
    assert [m.name for m in await storage.org.members_in(["zb-1"])] == ["李四", "张三", "赵六"]
    await storage.close()


async def test_a_transfer_moves_the_member_and_keeps_the_trace(database: DatabaseUrl) -> None:
    storage = await opened(database)
    await storage.org.upsert_member(1001, "三", "张", None, NOW)
    await storage.org.join_branch(1001, "张三", "zb-1", 99, NOW)
    member = await storage.org.member(1001)
    assert member is not None
    await storage.org.transfer(member.id, "zb-2", 99, NOW)
    moved = await storage.org.member(1001)
    assert moved is not None and moved.branch_id == "zb-2"
    assert await storage.org.members_in(["zb-1"]) == []
    await storage.close()


async def test_a_transfer_request_of_a_roster_entry_becomes_the_joiners(
    database: DatabaseUrl,
) -> None:
    """A request to move a listed member who has not opened the bot yet: when they join
    under that name, the roster row is merged away and the request follows them (the
    foreign key would otherwise refuse the join)."""
    storage = await opened(database)
    await storage.org.add_roster([RosterEntry("王五", "zb-1")], NOW)
    (listed,) = await storage.org.members_in(["zb-1"])
    expires = NOW + timedelta(days=7)
    request, opened_now = await storage.org.open_transfer_request(
        listed.id, "zb-1", "zb-2", 99, NOW, expires
    )
    assert opened_now
    # One pending request per member: a second is refused and the first one returned.
    again, opened_now = await storage.org.open_transfer_request(
        listed.id, "zb-1", "zb-2", 99, NOW, expires
    )
    assert (again, opened_now) == (request, False)
    await storage.org.upsert_member(1001, "五", "王", None, NOW)
    assert await storage.org.join_branch(1001, "王五", "zb-1", 99, NOW)
    joiner = await storage.org.member(1001)
    assert joiner is not None
    moved = await storage.org.transfer_request(request.id)
    assert moved is not None and moved.member_id == joiner.id
    assert await storage.org.accept_transfer_request(request.id, 98, NOW + timedelta(hours=1))
    after = await storage.org.member(1001)
    assert after is not None and after.branch_id == "zb-2"
    # Accepted once: a second 接收 moves nobody.
    assert not await storage.org.accept_transfer_request(request.id, 98, NOW + timedelta(hours=2))
    await storage.close()


async def test_anniversaries_are_found_by_day(database: DatabaseUrl) -> None:
    storage = await opened(database)
    await storage.org.add_roster(
        [
            RosterEntry("张三", "zb-1", date(1998, 7, 1)),
            RosterEntry("李四", "zb-1", date(2001, 12, 8)),
        ],
        NOW,
    )
    found = await storage.org.members_with_anniversary_on(["07-01"])
    assert [m.name for m in found] == ["张三"]
    assert len(await storage.org.members_with_anniversary_on(None)) == 2
    assert await storage.org.members_with_anniversary_on([]) == []
    await storage.close()

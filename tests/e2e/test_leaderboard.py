"""A branch's 学习榜: shown in its group chat and to its members only where the branch has
switched it on; members who have not studied are counted, never named."""

from __future__ import annotations

from bot.org.config import OrganisationSettings
from tests.e2e.conftest import (
    ORGANISATION,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    invite_link,
    join,
    person,
    take_quiz,
)


async def test_leaderboard_where_switched_on(org_harness: Harness) -> None:
    harness = org_harness
    units = [
        {**unit, "leaderboard": True} if unit["id"] == "zb-1" else unit
        for unit in ORGANISATION["units"]
    ]
    harness.settings = harness.settings.model_copy(
        update={
            "organisation": OrganisationSettings.model_validate({**ORGANISATION, "units": units})
        }
    )
    client = harness.client
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        first = await join(harness, link, "张三")
        second = await join(harness, link, "李四")
        third = await join(harness, link, "王五")
        await take_quiz(second, wrong=2)
        await take_quiz(first, wrong=0)
        await take_quiz(first, wrong=1)

        people = [secretary.id, first.id, second.id, third.id]
        group = (await client.create_group("东村党支部群", people))["id"]

        async def in_group(who: int, text: str) -> str:
            await client.send_text(who, text, chat_id=group)
            return str((await client.wait_for_message(group))["text"])

        assert "还没有绑定支部" in await in_group(first.id, "/leaderboard")
        assert "东村党支部" in await in_group(secretary.id, "/bindgroup zb-1")
        board = await in_group(third.id, "/leaderboard")
        lines = board.splitlines()
        assert lines[0].startswith("🏅 东村党支部") and "学习榜" in lines[0]
        assert lines[2] == "1. 张三　最好正确率 100% · 答题 2 次"
        assert lines[3] == "2. 李四　最好正确率 50% · 答题 1 次"
        assert "本期 2/3 名党员参学" in board
        assert "王五" not in board
        assert "没看懂要查哪个时间段" in await in_group(third.id, "/leaderboard 2026-13")

        # Privately, a member of the branch sees the same board.
        assert (await third.say("/leaderboard"))["text"] == board

        # A branch that has not switched it on shows nothing, in its group or privately.
        other = await person(harness, "孙书记", SECRETARY_2)
        await other.say("/start")
        group_2 = (await client.create_group("镇机关群", [other.id]))["id"]
        await client.send_text(other.id, "/bindgroup zb-2", chat_id=group_2)
        await client.wait_for_message(group_2)
        await client.send_text(other.id, "/leaderboard", chat_id=group_2)
        refused = (await client.wait_for_message(group_2))["text"]
        assert "没有开启学习榜" in refused and "张三" not in refused
        visitor = await person(harness, "路人")
        assert "还没有加入支部" in (await visitor.say("/leaderboard"))["text"]

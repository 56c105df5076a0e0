"""A past month's figures stay as they were: a member joins on the 5th of the next month,
another is transferred and a third leaves, and last month's /stats, /ranking and ledger of
both branches and of the 党委 are byte-for-byte what they were before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock
from tests.e2e.conftest import (
    ADMIN,
    LEDGER_SECONDS,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    Member,
    invite_link,
    join,
    person,
    take_quiz,
)


async def ledger(member: Member, command: str) -> bytes:
    await member.harness.client.send_text(member.id, command)
    document = await member.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
    return await member.harness.client.download_file(document["document"]["file_id"])


async def last_month(admin: Member, first: Member, second: Member) -> list[object]:
    """Everything the three people can ask about November."""
    replies: list[object] = []
    for who, command in (
        (first, "/stats 上月"),
        (second, "/stats 上月"),
        (admin, "/stats 上月 zb-1"),
        (admin, "/stats 上月 zb-2"),
        (admin, "/ranking 上月 dw"),
        (admin, "/ranking 上月 dzz"),
        (first, "/ranking 上月"),
    ):
        replies.append((await who.say(command))["text"])
    for who, command in (
        (first, "/export 上月"),
        (second, "/export 上月"),
        (admin, "/export 上月 dw"),
    ):
        replies.append(await ledger(who, command))
    return replies


async def test_a_past_month_does_not_change(org_harness: Harness) -> None:
    harness = org_harness
    clock = FixedClock(datetime(2026, 11, 10, 2, tzinfo=UTC))
    harness.clock = clock
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        zhang = await join(harness, link, "张三")
        li = await join(harness, link, "李四")
        wang = await join(harness, link, "王五")
        await take_quiz(zhang, wrong=0)
        await take_quiz(li, wrong=2)
        other = await person(harness, "孙书记", SECRETARY_2)
        other_link = await invite_link(other)
        zhao = await join(harness, other_link, "赵六", SECRETARY_2, branch="镇机关党支部")
        await take_quiz(zhao, wrong=1)
        admin = await person(harness, "管理员", ADMIN)

        clock.current = datetime(2026, 12, 5, 1, tzinfo=UTC)
        before = await last_month(admin, secretary, other)
        assert "党员 3 人，已参学 2 人" in str(before[0])

        # On 5 December: a newcomer joins 东村 (by a new link: invites last 7 days), 李四
        # moves to 镇机关, 王五 leaves.
        await join(harness, await invite_link(secretary), "钱七")
        # Only someone answering for both branches moves a member between them (main's
        # finding 15); both secretaries are told, and read the notice before asking again.
        moved = await admin.say("/transfer 李四 zb-2")
        assert "转到【镇机关党支部】" in moved["text"]
        for told in (secretary, other):
            await told.next_message(lambda m: "转到【镇机关党支部】" in m["text"])
        left = await secretary.say("/depart 王五 转出本系统")
        assert "已登记：王五" in left["text"], left["text"]
        clock.advance(timedelta(hours=3))

        after = await last_month(admin, secretary, other)
        assert after == before
        # This month, the changes are there: 东村 has 张三 and 钱七.
        now = (await admin.say("/stats 本月 zb-1"))["text"]
        assert "党员 2 人" in now
        assert wang.id

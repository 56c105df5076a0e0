"""A secretary's broadcast end to end: preview with the count, live progress, a final summary
naming who could not be reached; a member who blocked the bot shows as 失联 in /stats."""

from __future__ import annotations

from tests.e2e.conftest import SECRETARY_1, Harness, buttons, invite_link, person
from tests.e2e.test_branches import join


async def test_broadcast_reaches_everyone_reachable_once(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        members = [await join(harness, link, name) for name in ("张三", "李四", "王五")]
        await harness.client.block_bot(members[2].id)
        # The secretary hears that 王五 stopped the bot before anything else.
        await secretary.next_message(lambda m: "王五（东村党支部）已停用" in m["text"])

        ask = await secretary.say("/broadcast")
        assert "请发送要群发给【东村党支部】全体党员的内容" in ask["text"]
        preview = await secretary.say("本月主题党日改到周五下午三点，地点村委会。")
        assert "将发送给【东村党支部】的 3 位党员" in preview["text"]
        send = next(data for label, data in buttons(preview) if label == "确认发送")
        await secretary.tap(preview, send)
        for member in members[:2]:
            got = await member.next_message(lambda m: "主题党日改到周五" in m["text"])
            assert got["text"] == "本月主题党日改到周五下午三点，地点村委会。"
        summary = await harness.client.wait_for_edit(
            secretary.id, predicate=lambda m: m["text"].startswith("群发完成")
        )
        assert "共 3 人，已送达 2 人，未送达 1 人" in summary["text"]
        assert "王五" in summary["text"]
        # A second tap on the old preview sends nothing more.
        query = await secretary.tap(preview, send, forge=True)
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert answer.get("text") == "这个按钮已失效"
        report = (await secretary.say("/stats"))["text"]
        assert "失联 1 人" in report
    assert harness.rows("SELECT status, COUNT(*) FROM deliveries GROUP BY status ORDER BY 1") == [
        ("failed", 1),
        ("sent", 2),
    ]
    assert harness.rows("SELECT real_name FROM members WHERE unreachable_since IS NOT NULL") == [
        ("王五",)
    ]


async def test_a_too_long_broadcast_is_refused_with_the_reason(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        await secretary.say("/broadcast")
        refused = await secretary.say("学" * 4097)
        assert "4097 字" in refused["text"] and "4096" in refused["text"]
        assert "好的，已取消" in (await secretary.say("/cancel"))["text"]
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]


async def test_stats_button_reminds_those_who_have_not_studied(org_harness: Harness) -> None:
    from tests.e2e.test_branches import take_quiz

    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        studied, idle = [await join(harness, link, name) for name in ("张三", "李四")]
        await take_quiz(studied, wrong=0)
        report = await secretary.say("/stats")
        ((label, data),) = buttons(report)
        assert label == "提醒未参学的 1 人"
        await secretary.tap(report, data)
        nudge = await idle.next_message(lambda m: "学习提醒" in m["text"])
        assert "/quiz" in nudge["text"]
        query = await secretary.tap(report, data)
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert "今天已经提醒过" in answer["text"]
    assert harness.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") == [(1,)]

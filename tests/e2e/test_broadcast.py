"""A secretary's broadcast end to end: preview with the count, live progress, a final summary
naming who could not be reached; a member who blocked the bot shows as 未联系上 in /stats."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.handlers.callbacks import NUDGE, NudgeTap
from bot.stats.periods import Period, Span
from tests.e2e.conftest import SECRETARY_1, Harness, buttons, invite_link, person
from tests.e2e.test_branches import join


async def test_broadcast_reaches_everyone_reachable_once(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        members = [await join(harness, link, name) for name in ("张三", "李四", "王五")]
        await harness.client.block_bot(members[2].id)

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
        assert "未联系上 1 人" in report
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
        ask = await secretary.say("/broadcast")
        limit = int(ask["text"].split("不超过 ")[1].split(" 字")[0])
        assert 3900 < limit < 4096
        refused = await secretary.say("学" * (limit + 1))
        assert f"{limit + 1} 字" in refused["text"] and f"{limit} 字的上限" in refused["text"]
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
        # Finding 10: forged taps naming other periods were each one more reminder that day.
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        month = Period(Span.MONTH, today.year, today.month)
        for period in (month.previous(), month.next(), Period(Span.YEAR, today.year)):
            forged = NUDGE.pack(NudgeTap("zb-1", period))
            query = await secretary.tap(report, forged, forge=True)
            answer = await harness.client.wait_for_callback_answer(query, after=0)
            text = answer.get("text", "")
            assert text == "这个按钮已失效" or "今天已经提醒过" in text, answer
        # A past period's report offers no button at all.
        past = await secretary.say(f"/stats {month.previous().key}")
        assert buttons(past) == []
    assert harness.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") == [(1,)]
    assert harness.rows("SELECT COUNT(*) FROM batches WHERE kind = 'nudge'") == [(1,)]


async def test_a_broadcast_at_the_stated_limit_is_previewed_and_sent(
    org_harness: Harness,
) -> None:
    """Finding 6: a text of 4,070–4,096 characters made the preview too long; the state was
    then stuck until /cancel. The limit stated at input now leaves room for the header."""
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join(harness, await invite_link(secretary), "张三")
        ask = await secretary.say("/broadcast")
        limit = int(ask["text"].split("不超过 ")[1].split(" 字")[0])
        text = "学" * (limit - 2) + "😀"  # an emoji counts two, as Telegram counts
        preview = await secretary.say(text)
        assert preview["text"].endswith(text) and len(preview["text"]) <= 4096
        send = next(data for label, data in buttons(preview) if label == "确认发送")
        await secretary.tap(preview, send)
        got = await member.next_message(lambda m: m["text"].startswith("学学"))
        assert got["text"] == text


@pytest.mark.parametrize("fault", [429, 502])
async def test_a_failed_progress_message_never_loses_the_broadcast(
    org_harness: Harness, fault: int
) -> None:
    """Finding 9: a 429 or a timeout on the secretary's chat at 确认发送 dropped the batch,
    because the pending input was cleared before anything was queued."""
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        members = [await join(harness, await invite_link(secretary), n) for n in ("张三", "李四")]
        await secretary.say("/broadcast")
        preview = await secretary.say("明早八点集合。")
        send = next(data for label, data in buttons(preview) if label == "确认发送")
        await harness.client.inject_fault(
            "sendMessage", fault, chat_id=secretary.id, count=5, retry_after=120
        )
        await secretary.tap(preview, send)
        for member in members:
            got = await member.next_message(lambda m: m["text"] == "明早八点集合。")
            assert got["text"] == "明早八点集合。"
        await harness.client.clear_faults()
        # The preview's button is spent: a second tap sends nothing more.
        query = await secretary.tap(preview, send, forge=True)
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert answer.get("text") == "这个按钮已失效"
    assert harness.rows("SELECT status, COUNT(*) FROM deliveries GROUP BY status") == [("sent", 2)]

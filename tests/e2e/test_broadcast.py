"""A secretary's broadcast end to end: preview with the count, live progress, a final summary
naming who could not be reached; a member who blocked the bot shows as 未联系上 in /stats."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.handlers.callbacks import NUDGE, NudgeTap
from bot.stats.periods import Period, Span
from tests.e2e.conftest import SECRETARY_1, SECRETARY_2, Harness, buttons, invite_link, person
from tests.e2e.test_branches import join

SIGNED = "📢 东村党支部 · 书记 赵书记"
"""The sender line every broadcast of 赵书记 (SECRETARY_1) opens with."""


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
            assert (
                got["text"]
                == "📢 东村党支部 · 书记 赵书记\n\n本月主题党日改到周五下午三点，地点村委会。"
            )
            assert "reply_markup" not in got  # no 收到 asked for
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


async def test_members_acknowledge_and_the_rest_get_it_again(
    org_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """确认发送 asking for 收到: each copy carries the button; a tap counts once, for the
    broadcast, even on the copy sent again; the sender sees who has and has not tapped and
    sends it again to the rest with one tap; nobody else can."""
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        other_secretary = await person(harness, "孙书记", SECRETARY_2)
        link = await invite_link(secretary)
        members = [await join(harness, link, name) for name in ("张三", "李四", "王五")]
        await secretary.say("/broadcast")
        preview = await secretary.say("周五下午三点开支部大会，请准时参加。")
        assert "📢 东村党支部 · 书记 赵书记\n\n周五下午三点" in preview["text"]
        labels = [label for label, _ in buttons(preview)]
        assert labels == ["确认发送，请党员点“收到”", "确认发送", "取消"]
        await secretary.tap(preview, buttons(preview)[0][1])
        copies = [await m.next_message(lambda msg: "支部大会" in msg["text"]) for m in members]
        assert all(buttons(c) == buttons(copies[0]) for c in copies)
        ((label, ack),) = buttons(copies[0])
        assert label == "收到"

        taps = [
            (members[0], copies[0], "已确认收到，谢谢！"),
            (members[0], copies[0], "您已经确认过收到了。"),
            (other_secretary, await other_secretary.say("/help"), "这个按钮已失效"),
        ]
        for who, message, expected in taps:
            query = await who.tap(message, ack, forge=True)
            answer = await harness.client.wait_for_callback_answer(query, after=0)
            assert answer.get("text") == expected, (who.user["first_name"], expected)
        edited = await harness.client.get_message(members[0].id, copies[0]["message_id"])
        assert edited is not None and "reply_markup" not in edited

        summary = await harness.client.wait_for_edit(
            secretary.id, predicate=lambda m: m["text"].startswith("群发完成"), after=0
        )
        ((label, show),) = buttons(summary)
        assert label == "查看谁点了“收到”"
        refused = await other_secretary.tap(await other_secretary.say("/help"), show, forge=True)
        answer = await harness.client.wait_for_callback_answer(refused, after=0)
        assert answer.get("text") == "抱歉，您无权进行这个操作"
        await secretary.tap(summary, show)
        view = await secretary.next_message(lambda m: m["text"].startswith("📋"))
        assert "已点“收到” 1/3 人" in view["text"]
        assert "未点“收到”（2 人）：李四、王五" in view["text"]
        assert "已点“收到”（1 人）：张三" in view["text"]
        resend = next(data for label, data in buttons(view) if label.startswith("再发给"))
        assert buttons(view)[0][0] == "再发给未点“收到”的 2 人"
        mark = harness.client.cursor
        await secretary.tap(view, resend)
        again = await members[1].next_message(lambda m: "支部大会" in m["text"], after=mark)
        assert again["text"] == copies[1]["text"]
        with pytest.raises(TimeoutError):
            await members[0].next_message(lambda m: "支部大会" in m["text"], after=mark)
        # Another chat's tap runs concurrently with the secretary's: wait until 收到 is
        # recorded (answered after its commit) before asking for the refreshed count.
        acked = await members[1].tap(again, buttons(again)[0][1])
        await harness.client.wait_for_callback_answer(acked, after=0)
        refresh = next(data for label, data in buttons(view) if label == "刷新")
        await secretary.tap(view, refresh)
        view = await harness.client.wait_for_edit(
            secretary.id, view["message_id"], lambda m: "2/3" in m["text"]
        )
        assert "未点“收到”（1 人）：王五" in view["text"]
        # 刷新 again with nobody tapping since changes nothing: answered, no error.
        query = await secretary.tap(view, refresh)
        await harness.client.wait_for_callback_answer(query, after=0)
        await secretary.say("/help")  # the chat's updates run in order: the tap is done
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert harness.rows(
        "SELECT COUNT(*) FROM deliveries d JOIN batches b ON b.id = d.batch_id "
        "WHERE b.kind = 'broadcast_ack' AND d.acknowledged_at IS NOT NULL"
    ) == [(2,)]


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
        got = await member.next_message(lambda m: m["text"].endswith(text))
        assert got["text"] == f"{SIGNED}\n\n{text}"


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
            got = await member.next_message(lambda m: m["text"].endswith("明早八点集合。"))
            assert got["text"] == f"{SIGNED}\n\n明早八点集合。"
        await harness.client.clear_faults()
        # The preview's button is spent: a second tap sends nothing more.
        query = await secretary.tap(preview, send, forge=True)
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert answer.get("text") == "这个按钮已失效"
    assert harness.rows("SELECT status, COUNT(*) FROM deliveries GROUP BY status") == [("sent", 2)]

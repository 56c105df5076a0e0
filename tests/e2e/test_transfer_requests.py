"""组织关系转接 into a branch outside the sender's scope (issue 10, "what to build" 8): the
sending secretary's /transfer opens a request, the receiving branch's secretary accepts (接收)
or declines (不接收) it with one tap, checked at the moment of the tap; the sender may withdraw
it; it lapses after seven days; a second request for the same member is refused. Nothing
moves until 接收, and a move never changes a finished month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock
from tests.e2e.conftest import (
    ADMIN,
    GENERAL_SECRETARY,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    JsonDict,
    Member,
    buttons,
    invite_link,
    join,
    person,
    take_quiz,
)

RECEIVER = 600001
"""Someone the admin makes secretary of a branch, and then not."""


def button(message: JsonDict, label: str) -> str:
    return next(data for text, data in buttons(message) if text == label)


async def tap_answer(member: Member, message: JsonDict, data: str, *, again: bool = False) -> str:
    """Tap ``data`` under ``message`` and return the text the tap was answered with;
    ``again``: a replay of a button the bot has since removed (an old client, a forger)."""
    harness = member.harness
    query = await member.tap(message, data, forge=again)
    answer = await harness.client.wait_for_callback_answer(query, after=0)
    return str(answer.get("text") or "")


def branch_of(harness: Harness, name: str) -> str | None:
    ((branch,),) = harness.rows("SELECT branch_id FROM members WHERE real_name = ?", name)
    return branch  # type: ignore[no-any-return]


async def request_transfer(
    harness: Harness, sender: Member, receiver: Member, command: str
) -> tuple[JsonDict, JsonDict]:
    """``sender`` asks for a transfer; returns their reply and the request ``receiver`` got."""
    mark = harness.client.cursor
    sent = await sender.say(command)
    assert "发出组织关系转接申请" in sent["text"], sent["text"]
    notice = await receiver.next_message(lambda m: "组织关系转接申请" in m["text"], after=mark)
    return sent, notice


async def test_accepted_request_moves_the_member_and_keeps_last_month(
    org_harness: Harness,
) -> None:
    harness = org_harness
    clock = FixedClock(datetime(2026, 11, 10, 2, tzinfo=UTC))
    harness.clock = clock
    async with harness.bot():
        sending = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(sending)
        zhang = await join(harness, link, "张三")
        await join(harness, link, "李四")
        await take_quiz(zhang, wrong=1)
        receiving = await person(harness, "钱书记", SECRETARY_2)
        await receiving.say("/start")
        admin = await person(harness, "管理员", ADMIN)
        clock.current = datetime(2026, 12, 5, 1, tzinfo=UTC)
        last_month = ["/stats 上月 zb-1", "/stats 上月 zb-2", "/ranking 上月 dzz"]
        before = [(await admin.say(command))["text"] for command in last_month]
        assert "党员 2 人，已参学 1 人" in before[0]

        sent, notice = await request_transfer(harness, sending, receiving, "/transfer 张三 zb-2")
        assert "【镇机关党支部】" in sent["text"] and "12月12日 09:00前有效" in sent["text"]
        assert [label for label, _ in buttons(sent)] == ["撤回申请"]
        assert "【东村党支部】申请将党员 张三 的组织关系转入【镇机关党支部】" in notice["text"]
        assert "经办人：赵书记" in notice["text"]
        assert [label for label, _ in buttons(notice)] == ["接收", "不接收"]
        # Nothing moves, and nobody else hears of it, before 接收.
        assert branch_of(harness, "张三") == "zb-1"

        mark = harness.client.cursor
        accept = button(notice, "接收")
        assert await tap_answer(receiving, notice, accept) == ""
        edited = await harness.client.wait_for_edit(receiving.id, notice["message_id"], after=mark)
        assert edited["text"] == "✅ 已接收 张三，组织关系从【东村党支部】转入【镇机关党支部】。"
        told = await zhang.next_message(lambda m: "组织关系" in m["text"], after=mark)
        assert "您的组织关系已从【东村党支部】转到【镇机关党支部】" in told["text"]
        heard = await sending.next_message(lambda m: "组织关系转接：" in m["text"], after=mark)
        assert "张三 已从【东村党支部】转到【镇机关党支部】（经办人：钱书记）" in heard["text"]
        assert branch_of(harness, "张三") == "zb-2"
        # The sender's copy loses its 撤回.
        await harness.client.wait_for_edit(
            sending.id, sent["message_id"], lambda m: not buttons(m), after=mark
        )

        # A second 接收, and the sender's 撤回 replayed now, change nothing.
        assert (
            await tap_answer(receiving, notice, accept, again=True)
            == "这条申请已接收，无需再处理。"
        )
        withdraw = button(sent, "撤回申请")
        late = await tap_answer(sending, sent, withdraw, again=True)
        assert late == "这条申请已接收，无需再处理。"

        # November is as it was; December counts 张三 in 镇机关.
        clock.current += timedelta(minutes=1)
        assert [(await admin.say(command))["text"] for command in last_month] == before
        assert "党员 1 人" in (await admin.say("/stats 本月 zb-2"))["text"]
        assert (await zhang.say("/me"))["text"].startswith("所在支部：镇机关党支部")
    zhang_id = harness.rows("SELECT id FROM members WHERE real_name = '张三'")[0][0]
    moved = int(datetime(2026, 12, 5, 1, tzinfo=UTC).timestamp() * 1000)
    assert harness.rows(
        "SELECT branch_id, left_at, left_reason FROM memberships WHERE member_id = ? ORDER BY id",
        zhang_id,
    ) == [("zb-1", moved, "transfer"), ("zb-2", None, None)]
    assert harness.rows(
        "SELECT from_branch, to_branch, by_telegram_id FROM transfers WHERE member_id = ? "
        "ORDER BY id",
        zhang_id,
    ) == [(None, "zb-1", SECRETARY_1), ("zb-1", "zb-2", SECRETARY_2)]
    assert harness.rows("SELECT status, decided_by FROM transfer_requests") == [
        ("accepted", SECRETARY_2)
    ]


async def test_declined_duplicate_and_withdrawn_requests_move_nobody(
    org_harness: Harness,
) -> None:
    harness = org_harness
    async with harness.bot():
        sending = await person(harness, "赵书记", SECRETARY_1)
        zhang = await join(harness, await invite_link(sending), "张三")
        receiving = await person(harness, "钱书记", SECRETARY_2)
        await receiving.say("/start")

        # 不接收: the sender is told (and their 撤回 goes); the member hears nothing.
        sent, notice = await request_transfer(harness, sending, receiving, "/transfer 张三 zb-2")
        mark = harness.client.cursor
        await tap_answer(receiving, notice, button(notice, "不接收"))
        edited = await harness.client.wait_for_edit(receiving.id, notice["message_id"], after=mark)
        assert edited["text"] == "已不接收 张三 转入【镇机关党支部】。"
        told = await sending.next_message(lambda m: "没有接收" in m["text"], after=mark)
        assert told["text"].startswith("【镇机关党支部】没有接收 张三 的组织关系转接申请。")
        await harness.client.wait_for_edit(
            sending.id, sent["message_id"], lambda m: not buttons(m), after=mark
        )
        assert branch_of(harness, "张三") == "zb-1"

        # A new request may follow a declined one; a second one while it waits may not,
        # to the same branch or another.
        sent, notice = await request_transfer(harness, sending, receiving, "/transfer 张三 zb-2")
        for command in ("/transfer 张三 zb-2", "/transfer 张三 zb-3"):
            again = (await sending.say(command))["text"]
            assert again.startswith("张三 已有一条待处理的组织关系转接申请（转入【镇机关党支部】")
            assert "撤回后重新发起" in again

        # 撤回 (forged here on the sender's broadcast preview, which stays as it was: the
        # outcome comes as a message of its own): the receiving secretary is told, and their
        # 接收 then does nothing.
        await sending.say("/broadcast")
        preview = await sending.say("今晚七点开支部大会。")
        mark = harness.client.cursor
        withdraw = button(sent, "撤回申请")
        await tap_answer(sending, preview, withdraw, again=True)
        done = await sending.next_message(lambda m: "已撤回" in m["text"], after=mark)
        assert done["text"] == "已撤回 张三 转入【镇机关党支部】的组织关系转接申请。"
        told = await receiving.next_message(lambda m: "已撤回" in m["text"], after=mark)
        assert "无需再处理" in told["text"]
        kept = await harness.client.get_message(sending.id, preview["message_id"])
        assert kept is not None and (kept["text"], buttons(kept)) == (
            preview["text"],
            buttons(preview),
        )
        # The request's own 撤回 button now says so, and goes.
        assert await tap_answer(sending, sent, withdraw) == "这条申请已撤回。"
        await harness.client.wait_for_edit(
            sending.id, sent["message_id"], lambda m: not buttons(m), after=mark
        )
        late = await tap_answer(receiving, notice, button(notice, "接收"), again=True)
        assert late == "这条申请已撤回。"
        assert branch_of(harness, "张三") == "zb-1"
        assert "东村党支部" in (await zhang.say("/me"))["text"]
    assert harness.rows("SELECT status FROM transfer_requests ORDER BY id") == [
        ("declined",),
        ("withdrawn",),
    ]
    assert harness.rows("SELECT COUNT(*) FROM transfers WHERE from_branch IS NOT NULL") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM memberships") == [(1,)]


async def test_a_request_lapses_after_seven_days_or_when_the_member_leaves(
    org_harness: Harness,
) -> None:
    harness = org_harness
    clock = FixedClock(datetime(2026, 12, 1, 2, tzinfo=UTC))
    harness.clock = clock
    async with harness.bot():
        sending = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(sending)
        await join(harness, link, "张三")
        await join(harness, link, "李四")
        receiving = await person(harness, "钱书记", SECRETARY_2)
        await receiving.say("/start")
        sent, notice = await request_transfer(harness, sending, receiving, "/transfer 张三 zb-2")

        clock.current += timedelta(days=7, seconds=1)
        mark = harness.client.cursor
        lapsed = await tap_answer(receiving, notice, button(notice, "接收"))
        assert lapsed == "这条申请已过期（7 天内无人接收）。如仍需转接，请重新发起。"
        # Both keyboards go: the receiver's, and the 撤回 under the sender's copy.
        for who, message in ((receiving, notice), (sending, sent)):
            await harness.client.wait_for_edit(
                who.id, message["message_id"], lambda m: not buttons(m), after=mark
            )
        assert branch_of(harness, "张三") == "zb-1"
        # A lapsed request does not count as one waiting: a new one can be made.
        await request_transfer(harness, sending, receiving, "/transfer 张三 zb-2")

        # 李四 leaves 东村 while a request for them waits: 接收 finds nobody to receive.
        _, notice = await request_transfer(harness, sending, receiving, "/transfer 李四 zb-2")
        assert "已有一条" not in notice["text"]
        assert "已登记：李四" in (await sending.say("/depart 李四 转出本系统"))["text"]
        gone = await tap_answer(receiving, notice, button(notice, "接收"))
        assert gone == "这条申请已失效：该党员已不在原支部。"
        assert branch_of(harness, "李四") is None
    assert harness.rows("SELECT status FROM transfer_requests ORDER BY id") == [
        ("expired",),
        ("pending",),
        ("void",),
    ]


async def test_a_receiver_demoted_before_the_tap_receives_nobody(org_harness: Harness) -> None:
    """The request reaches the secretary zb-3 has at the time; the admin then takes that role
    back. Still a secretary (of zb-2), they pass the role check, but 接收 for zb-3 is refused."""
    harness = org_harness
    async with harness.bot():
        admin = await person(harness, "管理员", ADMIN)
        for unit in ("zb-3", "zb-2"):
            assert "已任命" in (await admin.say(f"/promote {RECEIVER} {unit}"))["text"]
        receiver = await person(harness, "周书记", RECEIVER)
        await receiver.say("/start")
        secretary = await person(harness, "赵书记", SECRETARY_1)
        await join(harness, await invite_link(secretary), "张三")
        # The 党总支 (zb-1 and zb-2) does not answer for zb-3, which is directly under the 党委.
        general = await person(harness, "孙书记", GENERAL_SECRETARY)
        _, notice = await request_transfer(harness, general, receiver, "/transfer 张三 zb-3")
        assert "转入【中学党支部】" in notice["text"]

        assert "已撤销" in (await admin.say(f"/demote {RECEIVER} zb-3"))["text"]
        refused = await tap_answer(receiver, notice, button(notice, "接收"))
        assert refused == "抱歉，您无权进行这个操作"
        refused = await tap_answer(receiver, notice, button(notice, "不接收"))
        assert refused == "抱歉，您无权进行这个操作"
        assert branch_of(harness, "张三") == "zb-1"
    assert harness.rows("SELECT status, decided_by FROM transfer_requests") == [("pending", None)]
    assert harness.rows("SELECT COUNT(*) FROM transfers WHERE from_branch IS NOT NULL") == [(0,)]

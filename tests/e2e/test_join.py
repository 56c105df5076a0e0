"""A guarded way in, end to end: invites that lapse, checked names, the secretary's one-tap
approval of each join and name correction (checked at the moment of the tap), and notices of
joins and leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.org.config import OrganisationSettings
from tests.e2e.conftest import (
    ADMIN,
    ORGANISATION,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    approve,
    buttons,
    invite_link,
    join,
    person,
)

TAP_REFUSED = "抱歉，您无权进行这个操作"
PROMOTED = 600001


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("张", None),
        ("张3", None),
        ("张三丰" * 7, None),
        ("·张三", None),
        ("Zhang_San", None),
        ("张三", "张三"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽 • 买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
    ],
)
async def test_a_name_is_checked_before_the_secretary_sees_it(
    org_harness: Harness, typed: str, accepted: str | None
) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        member = await person(harness, "新人")
        await harness.client.send_text(member.id, f"/start {link.rsplit('start=', 1)[1]}")
        greeting = (await member.next_message())["text"]
        ask = (await member.next_message())["text"]
        # The name comes first, and the member is told what happens next; no /quiz yet.
        assert ask.startswith("欢迎加入【东村党支部】。\n第一步：请发送您的真实姓名")
        assert "支部书记确认" in ask and "/quiz" not in ask + greeting
        reply = (await member.say(typed))["text"]
        if accepted is None:
            assert reply.startswith("请发送您的真实姓名：2 到 20 个字"), reply
        else:
            assert reply.startswith(f"已收到，{accepted}同志。请等待【东村党支部】支部书记确认")
    expected = [] if accepted is None else [(accepted, None)]
    assert harness.rows("SELECT name, approved FROM join_requests") == expected
    assert harness.rows("SELECT COUNT(*) FROM members WHERE branch_id IS NOT NULL") == [(0,)]


async def test_the_secretary_approves_or_refuses_each_join(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        await join(harness, link, "张三")
        request = (await harness.client.get_messages(SECRETARY_1))[-1]
        assert request["text"] == "✅ 已同意 张三 加入【东村党支部】。"
        assert "reply_markup" not in request

        refused = await person(harness, "路人")
        await harness.client.send_text(refused.id, f"/start {link.rsplit('start=', 1)[1]}")
        await refused.next_message(lambda m: "第一步" in m["text"])
        mark = harness.client.cursor
        await refused.say("李四")
        notice = await approve(harness, SECRETARY_1, "李四", after=mark, yes=False)
        assert "李四（Telegram 名称：路人）申请加入【东村党支部】" in notice["text"]
        told = (await refused.next_message())["text"]
        assert told.startswith("【东村党支部】支部书记没有同意您的加入申请")
        # A second tap on the decided request changes nothing and says so.
        data = next(d for _, d in buttons(notice) if d.endswith(":yes"))
        answer = await harness.client.wait_for_callback_answer(
            await harness.client.tap_button(
                SECRETARY_1, SECRETARY_1, notice["message_id"], data, forge=True
            ),
            after=0,
        )
        assert answer.get("text") == "这条申请已经处理过了。"
        # Forged on another of the secretary's messages (a broadcast preview), the same tap
        # leaves that message's buttons alone.
        await secretary.say("/broadcast")
        preview = await secretary.say("今晚七点开支部大会。")
        answer = await harness.client.wait_for_callback_answer(
            await secretary.tap(preview, data, forge=True), after=0
        )
        assert answer.get("text") == "这条申请已经处理过了。"
        await secretary.say("/help")  # the tap has been handled (a chat's updates are in order)
        kept = await harness.client.get_message(SECRETARY_1, preview["message_id"])
        assert kept is not None and buttons(kept) == buttons(preview) != []
    assert harness.rows(
        "SELECT real_name, branch_id FROM members WHERE real_name IS NOT NULL"
    ) == [("张三", "zb-1")]


async def test_only_a_secretary_of_the_branch_now_can_approve(org_harness: Harness) -> None:
    """A secretary demoted after the request arrived, and another branch's secretary, tap
    同意加入 and nothing happens; the branch's own secretary then can."""
    harness = org_harness
    async with harness.bot():
        admin = await person(harness, "管理员", ADMIN)
        secretary = await person(harness, "赵书记", SECRETARY_1)
        promoted = await person(harness, "钱副书记", PROMOTED)
        other = await person(harness, "孙书记", SECRETARY_2)
        assert "已任命" in (await admin.say(f"/promote {PROMOTED} zb-1"))["text"]
        await promoted.say("/start")
        link = await invite_link(secretary)
        member = await person(harness, "新人")
        await harness.client.send_text(member.id, f"/start {link.rsplit('start=', 1)[1]}")
        await member.next_message(lambda m: "第一步" in m["text"])
        mark = harness.client.cursor
        await member.say("张三")
        request = await promoted.next_message(lambda m: "申请" in m["text"], after=mark)
        yes = next(d for _, d in buttons(request) if d.endswith(":yes"))
        await admin.say(f"/demote {PROMOTED} zb-1")
        for who in (promoted, other):
            # On a message in their own chat: the promoted one's request, the other's /help.
            anchor = request if who is promoted else await other.say("/help")
            query = await who.tap(anchor, yes, forge=True)
            answer = await harness.client.wait_for_callback_answer(query, after=0)
            assert answer.get("text") == TAP_REFUSED, who
        assert harness.rows("SELECT approved FROM join_requests") == [(None,)]
        await approve(harness, SECRETARY_1, "张三", after=mark)
        assert "您已加入【东村党支部】" in (await member.next_message())["text"]


async def test_a_branch_without_approval_joins_at_once_and_tells_the_secretary(
    org_harness: Harness,
) -> None:
    harness = org_harness
    units = [
        {**unit, "join_approval": False} if unit["id"] == "zb-2" else unit
        for unit in ORGANISATION["units"]  # type: ignore[attr-defined]
    ]
    harness.settings = harness.settings.model_copy(
        update={
            "organisation": OrganisationSettings.model_validate({**ORGANISATION, "units": units})
        }
    )
    async with harness.bot():
        secretary = await person(harness, "孙书记", SECRETARY_2)
        invite = (await secretary.say("/invite"))["text"]
        assert "7 天内有效" in invite and "登记姓名后直接加入" in invite
        link = next(line for line in invite.splitlines() if line.startswith("https://"))
        member = await person(harness, "新人")
        await harness.client.send_text(member.id, f"/start {link.rsplit('start=', 1)[1]}")
        assert (
            "登记后即可加入"
            in (await member.next_message(lambda m: "第一步" in m["text"]))["text"]
        )
        mark = harness.client.cursor
        assert "您已加入【镇机关党支部】" in (await member.say("王五"))["text"]
        notice = await secretary.next_message(after=mark)
        assert notice["text"] == "👋 王五 已通过邀请链接加入【镇机关党支部】。"
        # A member who stops the bot: the secretary hears of it.
        mark = harness.client.cursor
        await harness.client.block_bot(member.id)
        left = await secretary.next_message(after=mark)
        assert left["text"].startswith("王五（镇机关党支部）已停用学习助手")


@pytest.mark.parametrize(
    ("args", "expiry"),
    [("", timedelta(days=7)), ("30", timedelta(days=30)), ("长期", None)],
)
async def test_invites_lapse_after_seven_days_unless_the_secretary_says_otherwise(
    org_harness: Harness, args: str, expiry: timedelta | None
) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        reply = (await secretary.say(f"/invite {args}".strip()))["text"]
        assert ("长期有效" in reply) == (expiry is None)
        usage = (await secretary.say("/invite 0"))["text"]
        assert usage.startswith("用法：/invite")
    ((created, expires),) = harness.rows("SELECT created_at, expires_at FROM invites")
    assert (None if expires is None else timedelta(milliseconds=expires - created)) == expiry


@pytest.mark.parametrize(
    ("typed", "reply", "decision", "stored"),
    [
        ("张叁", "已提交：把登记的姓名「张三」更正为「张叁」", True, "张叁"),
        ("张叁", "已提交：把登记的姓名「张三」更正为「张叁」", False, "张三"),
        ("张", "请在命令后写上正确的姓名", None, "张三"),
        ("", "请在命令后写上正确的姓名", None, "张三"),
        ("张三", "您登记的姓名已经是「张三」，不用更正", None, "张三"),
    ],
)
async def test_a_member_asks_for_a_name_correction_the_secretary_approves(
    org_harness: Harness, typed: str, reply: str, decision: bool | None, stored: str
) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join(harness, await invite_link(secretary), "张三")
        mark = harness.client.cursor
        assert (await member.say(f"/name {typed}".strip()))["text"].startswith(reply)
        if decision is not None:
            notice = await approve(harness, SECRETARY_1, typed, after=mark, yes=decision)
            assert "【东村党支部】的 张三 申请把登记的姓名更正为「张叁」" in notice["text"]
            told = (await member.next_message())["text"]
            assert told.startswith("支部书记已同意" if decision else "支部书记没有同意")
    assert harness.rows("SELECT real_name FROM members WHERE telegram_id = ?", member.id) == [
        (stored,)
    ]

"""The words a member and a secretary read, through the real bot: each old wording is gone, each
situation has its own reply (issue 14's words pass), and dates are read in the forms people
type them."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.i18n import LOCALES
from tests.e2e.conftest import (
    ADMIN,
    GENERAL_SECRETARY,
    SECRETARY_1,
    Harness,
    Member,
    invite_link,
    person,
)

OLD_WORDINGS = [
    "失联",  # a grave term for a member the organisation lost; here: has not opened the bot
    "入党支部",  # reads as "join the Party"
    "为【管理员】",  # "已任命用户 … 为【管理员】书记"
    "答题请私聊我",  # one text for every private-only command
    "没看懂这句话。发送 /quiz 开始答题",  # said mid-quiz and to unknown commands alike
    "得分：",  # scores are 答对 x/y 题 and 正确率 z%
]


@pytest.mark.parametrize("old", OLD_WORDINGS)
def test_no_message_uses_an_old_wording(old: str) -> None:
    for locale, texts in LOCALES.items():
        for field in fields(texts):
            assert old not in getattr(texts, field.name), (locale, field.name)


async def said(member: Member, text: str) -> str:
    return str((await member.say(text))["text"])


# (who, what they send, a phrase the reply must contain, a phrase it must not)
PRIVATE_CASES = [
    ("member", "/quizz", "没有 /quizz 这个命令。您是不是想用 /quiz（开始答题）？", None),
    ("member", "/joindat 1990-07-01", "您是不是想用 /joindate", None),
    ("member", "/xyz", "没有 /xyz 这个命令。发送 /help", "您是不是想用"),
    ("member", "/stats", "只有支部书记可以使用", None),
    ("admin", "/demote", "用法：/demote", "/promote Telegram"),
    ("admin", "/demote 123 zb-1", "用户 123 在【东村党支部】没有通过 /promote 获得的任命", None),
    ("admin", "/promote 100000011 admin", "已任命用户 100000011 为管理员。", "书记"),
    (
        "admin",
        "/demote 100000011 admin",
        "用户 100000011 没有通过 /promote 获得的管理员任命",
        None,
    ),
    ("admin", "/promote 100000012 zb-1", "已任命用户 100000012 为【东村党支部】书记。", None),
    ("admin", "/help", "/invite — 生成加入本支部的邀请链接", "入党支部"),
    ("secretary", "/stats", "参学率：本期至少完成一次答题的党员占全体党员的比例", None),
    ("secretary", "/hardest", "本期还没有作答满 5 次的题目", None),
    ("admin", "/ranking", "参学率：本期至少完成一次答题的党员占全体党员的比例", None),
    ("member", "/joindate 1990年7月1日", "已登记：您于 1990年7月1日 入党", None),
    ("member", "/joindate 1990/7/1", "已登记：您于 1990年7月1日 入党", None),
    ("member", "/joindate 19900701", "已登记：您于 1990年7月1日 入党", None),
    ("member", "/joindate １９９０．７．１", "已登记：您于 1990年7月1日 入党", None),
    ("member", "/joindate 1990-13-01", "没有 13 月：月份应在 1 到 12 之间", None),
    ("member", "/joindate 1990-02-30", "1990年2月只有 28 天，没有 30 日", None),
    ("member", "/joindate 2030-07-01", "2030年7月1日还没有到", None),
    ("member", "/joindate 1900-07-01", "中国共产党成立于1921年7月1日", None),
    ("member", "/joindate 七月一日", "没看懂这个日期", None),
    ("member", "1990-07-01", "如果这是您的入党日期，请发送 /joindate", None),
    ("member", "你好", "这句话我没看懂", None),
    # A secretary over two branches is shown a code they may use, not a made-up zb-001.
    ("general", "/invite", "例如：/invite zb-1", "zb-001"),
    ("general", "/attendance", "例如：/attendance zb-1", "zb-001"),
]


@pytest.mark.parametrize(("who", "text", "expected", "absent"), PRIVATE_CASES)
async def test_private_replies(
    org_harness: Harness, who: str, text: str, expected: str, absent: str | None
) -> None:
    harness = org_harness
    ids = {
        "member": None,
        "admin": ADMIN,
        "secretary": SECRETARY_1,
        "general": GENERAL_SECRETARY,
    }
    async with harness.bot():
        sender = await person(harness, "张三", ids[who])
        reply = await said(sender, text)
    assert expected in reply
    assert absent is None or absent not in reply


async def test_an_admin_promoted_and_demoted_is_told_so_plainly(org_harness: Harness) -> None:
    async with org_harness.bot():
        admin = await person(org_harness, "管理员", ADMIN)
        assert await said(admin, "/promote 100000011 admin") == "已任命用户 100000011 为管理员。"
        assert (
            await said(admin, "/demote 100000011 admin") == "已撤销用户 100000011 的管理员任命。"
        )
        assert await said(admin, "/promote 100000012 zb-1") == (
            "已任命用户 100000012 为【东村党支部】书记。"
        )
        assert await said(admin, "/demote 100000012 zb-1") == (
            "已撤销用户 100000012 在【东村党支部】的书记任命。"
        )


async def test_a_date_typed_after_the_prompt_is_taken(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        assert "请发送您的入党日期" in await said(member, "/joindate")
        assert "1990年2月只有 28 天" in await said(member, "1990-02-30")
        # A wrong date keeps the question open: the corrected one is taken.
        assert "已登记：您于 1990年7月1日 入党" in await said(member, "1990年7月1日")
        # Answered: a date now is not taken for one again.
        assert "如果这是您的入党日期" in await said(member, "1991-07-01")
    assert harness.rows("SELECT party_joined_on FROM members") == [("1990-07-01",)]


async def test_cancel_ends_the_date_prompt(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        await said(member, "/joindate")
        assert "已取消" in await said(member, "/cancel")
        assert "如果这是您的入党日期" in await said(member, "1990-07-01")
    assert harness.rows("SELECT party_joined_on FROM members") == [(None,)]


async def test_an_invited_newcomer_is_asked_for_a_name_not_sent_to_the_quiz(
    org_harness: Harness,
) -> None:
    async with org_harness.bot():
        secretary = await person(org_harness, "赵书记", SECRETARY_1)
        code = (await invite_link(secretary)).rsplit("start=", 1)[1]
        newcomer = await person(org_harness, "小李")
        greeting = await said(newcomer, f"/start {code}")
        ask = await newcomer.next_message()
        plain = await said(await person(org_harness, "老王"), "/start")
    assert "/quiz" not in greeting and "请发送您的真实姓名" in ask["text"]
    assert plain.endswith("发送 /quiz 开始答题。")


async def test_a_name_ending_in_comrade_is_not_doubled(harness: Harness) -> None:
    async with harness.bot():
        newcomer = await harness.member("新同志")
        greeting = await said(newcomer, "/start")
        other = await harness.member("张三")
        plain = await said(other, "/start")
    assert greeting.startswith("新同志，您好") and "同志同志" not in greeting
    assert plain.startswith("张三同志，您好")


async def test_text_typed_mid_quiz_points_to_the_buttons_and_repeats_the_question(
    harness: Harness,
) -> None:
    async with harness.bot():
        member = await harness.member()
        question = await member.say("/quiz")
        note = await member.say("我选A")
        old = await harness.client.wait_for_edit(member.id, question["message_id"], after=0)
        repeated = await member.next_message()
    assert "请直接点题目下方的按钮" in note["text"] and "第 1/4 题" in note["text"]
    assert repeated["text"] == question["text"]
    assert repeated.get("reply_markup") == question.get("reply_markup")
    assert "reply_markup" not in old or not old["reply_markup"].get("inline_keyboard")


@pytest.mark.parametrize("command", ["quiz", "me", "stats", "joindate"])
async def test_a_private_only_command_in_a_group_says_which_and_where(
    org_harness: Harness, command: str
) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        group = (await harness.client.create_group("东村党支部群", [secretary.id]))["id"]
        await harness.client.send_text(secretary.id, f"/{command}", chat_id=group)
        reply = (await harness.client.wait_for_message(group))["text"]
    assert reply == (
        f"/{command} 只能在和我的私聊里使用：请点我的头像进入私聊，再发送 /{command}。"
    )


async def test_a_zh_tw_deployment_answers_in_traditional_characters(harness: Harness) -> None:
    from tests.test_texts import only_in

    harness.settings = harness.settings.model_copy(update={"locale": "zh-TW"})
    async with harness.bot():
        member = await harness.member("張三")
        replies = [
            await said(member, text)
            for text in (
                "/start",
                "/joindate 1990-02-30",
                "/joindate 1990年7月1日",
                "/quizz",
                "/me",
            )
        ]
    assert replies[0].startswith("張三同志，您好") and "1990年2月只有 28 天" in replies[1]
    assert "已登記：您於 1990年7月1日 入黨" in replies[2]
    assert [only_in("simplified", reply) for reply in replies] == [set()] * len(replies)

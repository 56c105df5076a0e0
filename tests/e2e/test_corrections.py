"""答题纠错: a member reports a question after answering it; the report reaches /corrections
with the question's article, and an admin marks it handled."""

from __future__ import annotations

from tests.e2e.conftest import (
    ADMIN,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    Member,
    buttons,
    correct_taps,
    invite_link,
    join,
    person,
)


async def test_a_member_reports_a_question_and_an_admin_handles_it(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        member = await harness.member("张三")
        message = await member.say("/quiz")
        question = member.question_of(message)
        for data in correct_taps(question, message):
            await member.tap(message, data)
        result = await member.result(message)
        ((label, fix),) = buttons(result)
        assert label == "纠错"
        await member.tap(result, fix)
        assert (
            "哪里有问题"
            in (await member.next_message(lambda m: "哪里有问题" in m["text"]))["text"]
        )
        thanks = await member.say("解析里的条文序号写错了")
        assert "谢谢您的纠错" in thanks["text"]

        admin = await person(harness, "管理员", ADMIN)
        listing = await admin.say("/corrections")
        assert f"【{question.id}】{question.source} · 1 条" in listing["text"]
        assert "张三：解析里的条文序号写错了" in listing["text"]
        await admin.tap(listing, buttons(listing)[0][1])
        assert "目前没有待处理的纠错" in (await admin.say("/corrections"))["text"]
    assert harness.rows("SELECT question_id, closed_by FROM corrections") == [(question.id, ADMIN)]


async def report_a_question(member: Member, text: str) -> None:
    message = await member.say("/quiz")
    question = member.question_of(message)
    for data in correct_taps(question, message):
        await member.tap(message, data)
    result = await member.result(message)
    await member.tap(result, buttons(result)[0][1])
    await member.next_message(lambda m: "哪里有问题" in m["text"])
    assert "谢谢您的纠错" in (await member.say(text))["text"]


async def test_a_secretary_sees_only_the_reports_of_their_own_members(
    org_harness: Harness,
) -> None:
    """Finding 2: the secretary of another branch saw this branch's names and report texts."""
    harness = org_harness
    async with harness.bot():
        secretary_1 = await person(harness, "书记甲", SECRETARY_1)
        secretary_2 = await person(harness, "书记乙", SECRETARY_2)
        member = await join(harness, await invite_link(secretary_1), "李四")
        await report_a_question(member, "东村的纠错意见")
        stranger = await harness.member("陌生人")
        await report_a_question(stranger, "陌生人的纠错意见")

        other = (await secretary_2.say("/corrections"))["text"]
        assert "目前没有待处理的纠错" in other
        assert "李四" not in other and "陌生人" not in other
        own = (await secretary_1.say("/corrections"))["text"]
        assert "李四：东村的纠错意见" in own and "陌生人" not in own
        everything = (await (await person(harness, "管理员", ADMIN)).say("/corrections"))["text"]
        assert "李四" in everything and "陌生人" in everything

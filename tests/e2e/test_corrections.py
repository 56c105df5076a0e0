"""答题纠错: a member reports a question after answering it; the report reaches /corrections
with the question's article, and an admin marks it handled."""

from __future__ import annotations

from tests.e2e.conftest import ADMIN, Harness, buttons, correct_taps, person


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

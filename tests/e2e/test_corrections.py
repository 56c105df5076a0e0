"""答题纠错: a member reports a question after answering it (one prompt, naming the question);
the admins or the bank's maintainers are told; a report is closed with a reply that reaches the
member, by an admin, a maintainer or the member's own secretary and by no one else."""

from __future__ import annotations

import pytest

from bot.handlers.callbacks import CLOSE_CORRECTION, CloseTap
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

MAINTAINER = 500009


@pytest.mark.parametrize("closer", ["admin", "maintainer", "secretary"])
async def test_one_prompt_per_question_and_the_reply_goes_back_to_the_member(
    org_harness: Harness, closer: str
) -> None:
    """Three taps on 纠错 give one prompt naming the question; the admins (or the bank's
    maintainers, when config names them) are told; the admin, the maintainer or the member's
    secretary closes it with a reply that reaches the member."""
    harness = org_harness
    if closer == "maintainer":
        harness.settings = harness.settings.model_copy(
            update={
                "quiz": harness.settings.quiz.model_copy(update={"maintainers": (MAINTAINER,)})
            }
        )
    closer_id = {"admin": ADMIN, "maintainer": MAINTAINER, "secretary": SECRETARY_1}[closer]
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        admin = await person(harness, "管理员", ADMIN)
        maintainer = await person(harness, "题库维护人", MAINTAINER)
        for who in (admin, maintainer):
            await who.say("/start")
        member = await join(harness, await invite_link(secretary), "张三")
        message = await member.say("/quiz")
        question = member.question_of(message)
        for data in correct_taps(question, message):
            await member.tap(message, data)
        result = await member.result(message)
        (label, fix), _ = buttons(result)
        assert label == "纠错"
        mark = harness.client.cursor
        answers = [await member.tap(result, fix) for _ in range(3)]
        prompt = await member.next_message(lambda m: "您要纠错的是" in m["text"], after=mark)
        assert f"您要纠错的是：【{question.source}】{question.stem[:20]}" in prompt["text"]
        for query in answers[1:]:
            answer = await harness.client.wait_for_callback_answer(query, after=0)
            assert answer.get("text") == "请直接发送文字，说明这道题哪里有问题。"
        mark = harness.client.cursor
        thanks = await member.say("解析里的条文序号写错了")
        assert "谢谢您的纠错" in thanks["text"] and "答复发给您" in thanks["text"]
        prompts = [
            m for m in await harness.client.get_messages(member.id) if "您要纠错的是" in m["text"]
        ]
        assert len(prompts) == 1

        told = maintainer if closer == "maintainer" else admin
        notice = await told.next_message(lambda m: "答题纠错" in m["text"], after=mark)
        assert "张三（东村党支部）：解析里的条文序号写错了" in notice["text"]
        assert f"【{question.source}】" in notice["text"]
        if closer == "secretary":
            notice = await secretary.say("/corrections")
            assert "张三：解析里的条文序号写错了" in notice["text"]
        who = {"admin": admin, "maintainer": maintainer, "secretary": secretary}[closer]
        close = next(data for label, data in buttons(notice) if label.startswith("回复并关闭"))
        await who.tap(notice, close)
        ask = await who.next_message(lambda m: "请输入给提交纠错党员的答复" in m["text"])
        assert question.source in ask["text"]
        mark = harness.client.cursor
        done = await who.say("已核实，下一版修正。")
        assert done["text"] == f"已处理 {question.id} 的纠错，答复已发给 1 位党员。"
        reply = await member.next_message(lambda m: "您提交的纠错已处理" in m["text"], after=mark)
        assert "答复：已核实，下一版修正。" in reply["text"]
        assert "目前没有待处理的纠错" in (await secretary.say("/corrections"))["text"]
    assert harness.rows("SELECT question_id, closed_by, reply FROM corrections") == [
        (question.id, closer_id, "已核实，下一版修正。")
    ]


async def test_another_branchs_secretary_closes_nothing(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary_1 = await person(harness, "书记甲", SECRETARY_1)
        secretary_2 = await person(harness, "书记乙", SECRETARY_2)
        member = await join(harness, await invite_link(secretary_1), "李四")
        await report_a_question(member, "东村的纠错意见")
        ((question_id,),) = harness.rows("SELECT question_id FROM corrections")
        anchor = await secretary_2.say("/help")
        query = await secretary_2.tap(
            anchor, CLOSE_CORRECTION.pack(CloseTap(question_id)), forge=True
        )
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert answer.get("text") == "这道题没有您可以处理的纠错了（可能已有人处理）。"
    assert harness.rows("SELECT closed_at FROM corrections") == [(None,)]
    assert harness.rows(
        "SELECT COUNT(*) FROM pending_input WHERE telegram_id = ?", SECRETARY_2
    ) == [(0,)]


async def report_a_question(member: Member, text: str) -> None:
    message = await member.say("/quiz")
    question = member.question_of(message)
    for data in correct_taps(question, message):
        await member.tap(message, data)
    result = await member.result(message)
    await member.tap(result, buttons(result)[0][1])
    await member.next_message(lambda m: "您要纠错的是" in m["text"])
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
        assert "待处理的纠错（1 条）" in own
        everything = (await (await person(harness, "管理员", ADMIN)).say("/corrections"))["text"]
        # Both reports (shown by their latest reporter if both chose the same question).
        assert "待处理的纠错（2 条）" in everything and "陌生人" in everything


async def test_many_long_reports_are_paged_and_every_close_button_is_reachable(
    org_harness: Harness,
) -> None:
    """Finding 6: ten reports of 500+ characters made /corrections "message is too long" for
    everyone, and the close buttons were in that message."""
    harness = org_harness
    async with harness.bot():
        reporter = await harness.member("陌生人")
        await reporter.say("/start")
        (member_id,) = harness.rows("SELECT id FROM members WHERE telegram_id = ?", reporter.id)[0]
        for n in range(30):
            harness.rows(
                "INSERT INTO corrections (question_id, bank_version, member_id, text, created_at)"
                " VALUES (?, 'v', ?, ?, 0)",
                f"q-{n:02d}",
                member_id,
                "解析有误" * 125,
            )
        admin = await person(harness, "管理员", ADMIN)
        page = await admin.say("/corrections")
        closable: list[str] = []
        seen_pages = 0
        while True:
            seen_pages += 1
            assert len(page["text"]) <= 4096
            labels = buttons(page)
            closable += [data for _, data in labels if data.startswith("fixdone:")]
            forward = [data for label, data in labels if label == "下一页"]
            if not forward:
                break
            await admin.tap(page, forward[0])
            page = await harness.client.wait_for_edit(
                admin.id, page["message_id"], lambda m, n=seen_pages: f"第 {n + 1}/" in m["text"]
            )
        assert seen_pages > 1
        assert sorted(closable) == [f"fixdone:q-{n:02d}" for n in range(30)]
        back = [data for label, data in buttons(page) if label == "上一页"]
        assert back
        # A correction longer than the stated limit is refused, not cut.
        await report_a_question_too_long(reporter)


async def report_a_question_too_long(member: Member) -> None:
    message = await member.say("/quiz")
    question = member.question_of(message)
    for data in correct_taps(question, message):
        await member.tap(message, data)
    result = await member.result(message)
    await member.tap(result, buttons(result)[0][1])
    ask = await member.next_message(lambda m: "哪里有问题" in m["text"])
    assert "不超过 500 字" in ask["text"]
    refused = await member.say("错" * 501)
    assert "501 字" in refused["text"] and "500 字的上限" in refused["text"]
    assert "谢谢您的纠错" in (await member.say("错" * 500))["text"]

"""A member's whole quiz through the emulator: every question type, results, summary, SQLite."""

from __future__ import annotations

from bot.handlers.registry import commands_for
from bot.org.access import Role
from bot.quiz.questions import QuestionType
from tests.e2e.conftest import Harness, buttons, correct_taps, letter_of, wrong_taps


async def test_start_help_and_the_command_menu(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member("李四")
        greeting = await member.say("/start")
        assert "李四同志" in greeting["text"] and "/quiz" in greeting["text"]
        menu = await harness.client.get_commands()
        member_commands = [c.name for c in commands_for(Role.MEMBER)]
        assert [c["command"] for c in menu] == member_commands
        help_message = await member.say("/help")
        for name in member_commands:
            assert f"/{name}" in help_message["text"]
        assert "/stats" not in help_message["text"]
        pointer = await member.say("今天学什么？")
        assert "/quiz" in pointer["text"] and "/help" in pointer["text"]
        rules = await member.say("/rules")
        assert "多选题要把正确选项全部选中才得分" in rules["text"]


async def test_a_member_completes_a_quiz_of_every_type(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        await member.say("/start")
        message = await member.say("/quiz")
        seen_types = set()
        for number in range(1, 5):
            question = member.question_of(message)
            seen_types.add(question.type)
            assert message["text"].startswith(f"第 {number}/4 题")
            if question.type is QuestionType.JUDGE:
                assert [text for text, _ in buttons(message)] == ["正确", "错误"]
            taps = (
                correct_taps(question, message) if number != 2 else wrong_taps(question, message)
            )
            for data in taps:
                await member.tap(message, data)
            result = await harness.client.wait_for_edit(
                member.id, message["message_id"], lambda m: "正确答案" in m["text"]
            )
            assert ("✅ 回答正确" in result["text"]) == (number != 2)
            assert f"出处：{question.source}" in result["text"]
            assert f"解析：{question.explanation}" in result["text"]
            assert [label for label, _ in buttons(result)] == ["纠错"]
            if question.type is not QuestionType.JUDGE:
                letters = "".join(
                    sorted(letter_of(message, question.options[i]) for i in question.answer)
                )
                assert f"正确答案：{letters}" in result["text"]
            message = await member.next_message()
        assert seen_types == set(QuestionType)
        assert message["text"].startswith("答题结束")
        assert "答对 3/4 题（正确率 75%）" in message["text"]
        assert "答错的题：" in message["text"]

    answers = harness.rows(
        "SELECT position, correct, ms_taken >= 0 FROM answers ORDER BY position"
    )
    assert answers == [(0, 1, 1), (1, 0, 1), (2, 1, 1), (3, 1, 1)]
    assert harness.rows("SELECT status, score FROM quiz_sessions") == [("finished", 3)]


async def test_me_shows_the_record(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        empty = await member.say("/me")
        assert "还没有答过题" in empty["text"]
        message = await member.say("/quiz")
        for _ in range(4):
            question = member.question_of(message)
            for data in correct_taps(question, message):
                await member.tap(message, data)
            message = await member.next_message()
        record = await member.say("/me")
        assert "完成答题：1 次" in record["text"]
        assert "答对 4 道（正确率 100%）" in record["text"]
        assert "答对 4/4 题" in record["text"]


async def test_multiple_choice_ticks_and_refuses_an_empty_submit(harness: Harness) -> None:
    harness.bank = harness.bank.__class__(
        tuple(q for q in harness.bank.questions if q.type is QuestionType.MULTIPLE), "m"
    )
    async with harness.bot():
        member = await harness.member()
        message = await member.say("/quiz")
        submit = next(data for text, data in buttons(message) if text == "提交")
        answer = await harness.client.wait_for_callback_answer(await member.tap(message, submit))
        assert answer["text"] == "请先选择至少一个选项"
        first_toggle = buttons(message)[0][1]
        await member.tap(message, first_toggle)
        ticked = await member.edited(message)
        assert buttons(ticked)[0][0].startswith("☑")
        assert all(text.startswith("☐") for text, _ in buttons(ticked)[1:-1])
        await member.tap(ticked, first_toggle)
        unticked = await member.edited(message)
        assert buttons(unticked)[0][0].startswith("☐")


async def test_cancel_abandons_the_quiz(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        question = await member.say("/quiz")
        await harness.client.send_text(member.id, "/cancel")
        await member.edited(question)
        reply = await member.next_message()
        assert "已放弃本次答题" in reply["text"]
        assert "没有进行中的答题" in (await member.say("/cancel"))["text"]
    assert harness.rows("SELECT status FROM quiz_sessions") == [("cancelled",)]


async def test_a_quiz_narrowed_by_document_and_chapter(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        first = await member.say("/quiz 样例 总纲")
        assert (
            first["text"].startswith("第 1/1 题") and member.question_of(first).chapter == "总纲"
        )
        await member.say("/cancel")
        menu = await member.say("/quiz 选题")
        assert [label for label, _ in buttons(menu)] == ["样例（4 题）"]
        await member.tap(menu, buttons(menu)[0][1])
        chapters = await member.edited(menu)
        labels = [label for label, _ in buttons(chapters)]
        assert labels == ["样例：全部章节", "第一章 党员", "总纲"]
        await member.tap(chapters, buttons(chapters)[1][1])
        question = await member.next_message(lambda m: m["text"].startswith("第 1/3 题"))
        assert member.question_of(question).chapter == "第一章 党员"

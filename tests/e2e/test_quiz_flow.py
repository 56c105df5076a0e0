"""A member's whole quiz through the emulator: every question type, results, summary, SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.handlers.quiz_view import screen
from bot.handlers.registry import commands_for
from bot.org.access import Role
from bot.quiz.bank import load_bank
from bot.quiz.questions import Bank, QuestionType, article, document_order
from tests.e2e.conftest import Harness, buttons, correct_taps, wrong_taps


async def test_start_help_and_the_command_menu(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member("李四")
        greeting = await member.say("/start")
        assert "李四同志" in greeting["text"] and "/quiz" in greeting["text"]
        menu = await harness.client.get_commands({"type": "all_private_chats"})
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
    """Each question names its document and article; short options are the buttons and are
    not repeated in the text; the verdict stays in view until 下一题; the right answers are
    listed in the bank's order."""
    async with harness.bot():
        member = await harness.member()
        await member.say("/start")
        message = await member.say("/quiz")
        seen_types = set()
        for number in range(1, 5):
            question = member.question_of(message)
            seen_types.add(question.type)
            header, citation = message["text"].split("\n")[:2]
            assert header.startswith(f"第 {number}/4 题")
            assert citation == f"《样例》{article(question)}"
            labels = [text.lstrip("☐ ") for text, _ in buttons(message)]
            for option in question.options:
                assert option in labels
                assert f". {option}" not in message["text"]
            taps = (
                correct_taps(question, message) if number != 2 else wrong_taps(question, message)
            )
            result = await member.answer(message, taps)
            assert ("✅ 回答正确" in result["text"]) == (number != 2)
            assert f"出处：{question.source}" in result["text"]
            assert f"解析：{question.explanation}" in result["text"]
            right = "、".join(
                question.options[i] for i in document_order(question, question.answer)
            )
            assert f"正确答案：{right}" in result["text"]
            last = number == 4
            assert [label for label, _ in buttons(result)] == [
                "纠错",
                "查看得分 ▶" if last else "下一题 ▶",
            ]
            # Nothing follows the result until the member asks for it.
            latest = (await harness.client.get_messages(member.id))[-1]
            assert latest["message_id"] == message["message_id"]
            message = await member.go_on(result)
            moved_on = await harness.client.get_message(member.id, result["message_id"])
            assert moved_on is not None
            assert [label for label, _ in buttons(moved_on)] == ["纠错"]
        assert seen_types == set(QuestionType)
        assert message["text"].startswith("答题结束")
        assert "答对 3/4 题，正确率 75%" in message["text"]
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
            message = await member.go_on(
                await member.answer(message, correct_taps(question, message))
            )
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


LONG = "很" * 199
LONG_BANK = f"""\
document: 样例
title: 长选项样例
revision: 2024-01-01
questions:
  - id: long-1
    type: single
    chapter: 总纲
    stem: 本条例规定的是哪一项？
    options: ["甲{LONG}", "乙{LONG}", "丙{LONG}"]
    answer: B
    explanation: 第二项。
    source: 样例 第一条
    difficulty: 1
  - id: long-2
    type: multiple
    chapter: 总纲
    stem: 按照第二条，哪些正确？
    options: ["甲{LONG}", "乙{LONG}", "丙", "丁"]
    answer: AB
    explanation: 前两项。
    source: 样例 第二条
    difficulty: 1
"""


@pytest.mark.parametrize("question_id", ["long-1", "long-2"])
async def test_a_200_character_option_is_shown_and_answerable(
    harness: Harness, tmp_path: Path, question_id: str
) -> None:
    """Long options are listed once, in the text, with letter buttons; the answer is taken and
    the result names the right options in full."""
    (tmp_path / "long.yaml").write_text(LONG_BANK, encoding="utf-8")
    bank = load_bank([tmp_path / "long.yaml"], screen).bank
    harness.bank = Bank((bank.by_id[question_id],), "long")
    async with harness.bot():
        member = await harness.member()
        message = await member.say("/quiz")
        question = member.question_of(message)
        assert message["text"].split("\n")[1] == f"《样例》{article(question)}"
        for option in question.options:
            assert message["text"].count(option) == 1
            assert len(option) <= 2 or len(option) == 200
        letters = [label.lstrip("☐ ") for label, data in buttons(message) if "submit" not in data]
        assert letters == list("ABCD"[: len(question.options)])
        result = await member.answer(message, correct_taps(question, message))
        assert "✅ 回答正确" in result["text"]
        for index in sorted(question.answer):
            assert f". {question.options[index]}" in result["text"]
        summary = await member.go_on(result)
        assert "答对 1/1 题" in summary["text"]


async def test_auto_advance_sends_the_next_question_at_once(harness: Harness) -> None:
    """For contests: with quiz.auto_advance the next question follows the result, which keeps
    only 纠错."""
    quiz = harness.settings.quiz.model_copy(update={"auto_advance": True})
    harness.settings = harness.settings.model_copy(update={"quiz": quiz})
    async with harness.bot():
        member = await harness.member()
        message = await member.say("/quiz")
        for number in range(2, 5):
            question = member.question_of(message)
            result = await member.answer(message, correct_taps(question, message))
            assert [label for label, _ in buttons(result)] == ["纠错"]
            message = await member.next_message()
            assert message["text"].startswith(f"第 {number}/4 题")

"""What goes wrong in real chats: double taps, restarts, forged and stale buttons, flood
waits, a broken bank. Each must leave the record exactly right."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.quiz.questions import QuestionType
from tests.e2e.conftest import Harness, buttons, correct_taps, next_button

ROOT = Path(__file__).parent.parent.parent


async def test_a_double_tap_is_counted_once(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        message = await member.say("/quiz")
        question = member.question_of(message)
        while question.type is QuestionType.MULTIPLE:
            message = await member.go_on(
                await member.answer(message, correct_taps(question, message))
            )
            question = member.question_of(message)
        data = correct_taps(question, message)[0]
        before = harness.client.cursor
        first, second = await asyncio.gather(member.tap(message, data), member.tap(message, data))
        answers = [
            await harness.client.wait_for_callback_answer(query, after=0)
            for query in (first, second)
        ]
        assert sorted(a.get("text") or "" for a in answers) == ["", "这道题已经答过了"]
        result = await harness.client.wait_for_edit(
            member.id, message["message_id"], lambda m: "正确答案" in m["text"], after=before
        )
        # 下一题 tapped twice shows the next question once.
        data = next_button(result)
        before = harness.client.cursor
        taps = await asyncio.gather(member.tap(result, data), member.tap(result, data))
        answers = [await harness.client.wait_for_callback_answer(query, after=0) for query in taps]
        assert sorted(a.get("text") or "" for a in answers) == ["", "这个按钮已失效"]
        await member.next_message(after=before)
        sent = [
            event
            for event in await harness.client.events(before)
            if event["type"] == "message_sent" and event["chat_id"] == member.id
        ]
        assert len(sent) == 1
    assert harness.rows("SELECT COUNT(*) FROM answers WHERE question_id = ?", question.id) == [
        (1,)
    ]
    assert harness.rows("SELECT COUNT(*) FROM answers") == [
        (harness.rows("SELECT position FROM quiz_sessions")[0][0],)
    ]


async def test_a_restart_mid_quiz_resumes_where_it_stopped(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        message = await member.say("/quiz")
        for _ in range(2):
            question = member.question_of(message)
            message = await member.go_on(
                await member.answer(message, correct_taps(question, message))
            )
    third = message
    async with harness.bot():
        # The keyboard sent before the restart still works.
        question = member.question_of(third)
        for data in correct_taps(question, third):
            await member.tap(third, data)
        result = await member.result(third)
        assert "✅ 回答正确" in result["text"]
    async with harness.bot():
        # 下一题 under a result given before a restart still works.
        message = await member.go_on(result)
        assert message["text"].startswith("第 4/4 题")
    async with harness.bot():
        # /quiz after another restart offers the same unfinished quiz, not a new one.
        resumed = await member.say("/quiz")
        assert "接着答第 4/4 题" in resumed["text"]
        message = await member.next_message()
        question = member.question_of(message)
        summary = await member.go_on(await member.answer(message, correct_taps(question, message)))
        assert "答对 4/4 题" in summary["text"]
    assert harness.rows("SELECT COUNT(*), SUM(correct) FROM answers") == [(4, 4)]
    assert harness.rows("SELECT COUNT(*) FROM quiz_sessions") == [(1,)]


async def test_forged_and_foreign_taps_change_nothing(harness: Harness) -> None:
    async with harness.bot():
        owner = await harness.member("甲")
        other = await harness.member("乙")
        await other.say("/start")
        message = await owner.say("/quiz")
        data = buttons(message)[0][1]
        session_id = data.split(":")[2]
        forged = [
            f"quiz:answer:{session_id}:0:7",
            f"quiz:answer:{session_id}:3:0",
            f"quiz:answer:{int(session_id) + 50}:0:0",
            "quiz:answer:1",
            "anything at all",
            "x" * 64,
        ]
        for fake in forged:
            query = await owner.tap(message, fake, forge=True)
            answer = await harness.client.wait_for_callback_answer(query, after=0)
            assert answer.get("text") in ("这个按钮已失效", "这道题已经答过了", "这不是您的题目")
        # Another member forging a tap on the owner's quiz from their own chat is refused too.
        theirs = await other.say("/quiz")
        query = await other.tap(theirs, data, forge=True)
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert answer.get("text") == "这不是您的题目"
    assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]


async def test_a_flood_wait_is_waited_out_and_the_message_still_arrives(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        await harness.client.inject_fault("sendMessage", 429, retry_after=1)
        await harness.client.inject_fault("sendMessage", 502)
        greeting = await member.say("/start")
        assert "支部学习助手" in greeting["text"]


def test_a_broken_bank_stops_the_bot_before_it_starts(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "one.yaml").write_text(
        "document: 样例\ntitle: t\nrevision: 2022-10-22\nquestions:\n"
        "  - id: a\n    type: single\n    chapter: c\n    stem: s\n    options: [x, y]\n"
        "    answer: C\n    explanation: e\n    source: 样例 一\n    difficulty: 1\n"
        "  - id: a\n    type: judge\n    chapter: c\n    stem: s\n    answer: 正确\n"
        "    explanation: e\n    source: 样例 一\n    difficulty: 1\n",
        encoding="utf-8",
    )
    (bank / "two.yaml").write_text("questions: [\n", encoding="utf-8")
    env = dict(os.environ, BOT__QUESTION_BANK=f"[{bank}]", BOT__DATABASE=str(tmp_path / "db"))
    env.pop("BOT_TOKEN", None)
    for command in (["run"], ["bank", "check"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, done
        lines = done.stderr.strip().splitlines()
        assert any(f"{bank}/one.yaml:10:13: answer:" in line for line in lines), lines
        assert any(f"{bank}/one.yaml:14:9: id: 编号“a”已在" in line for line in lines), lines
        assert any(f"{bank}/two.yaml:2:1: YAML syntax error" in line for line in lines), lines
        assert "沙盒" not in done.stdout
    assert not (tmp_path / "db").exists()

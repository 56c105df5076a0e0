"""``db copy``: a branch that ran on SQLite moves to PostgreSQL and the bot carries on there.

The bot runs on SQLite first (members join, one finishes a quiz, one stops half-way, the
secretary broadcasts); it is stopped, ``python -m bot db copy`` moves the data to a fresh
PostgreSQL schema and prints every table's counts and checksums; the bot then starts on
PostgreSQL with the same emulator: the half-done quiz goes on from where it stopped, the
finished one is in /me, a new member joins under a new id, and 收到 under the old broadcast
still counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import io

import pytest

from bot.cli import main
from bot.storage.url import DatabaseUrl
from tests.e2e.conftest import (
    SECRETARY_1,
    Harness,
    buttons,
    correct_taps,
    invite_link,
    join,
    person,
    take_quiz,
)
from tests.engines import postgres_schema, postgres_url


def copy_command(source: DatabaseUrl, target: DatabaseUrl) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["db", "copy", "--from", f"sqlite:///{source.path}", "--to", target.url])
    return code, out.getvalue()


@pytest.mark.postgresql
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_a_sqlite_branch_moves_to_postgresql_and_carries_on(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        done, halfway = await join(harness, link, "张三"), await join(harness, link, "李四")
        await take_quiz(done, wrong=1)
        first = await halfway.say("/quiz")
        question = halfway.question_of(first)
        second = await halfway.go_on(await halfway.answer(first, correct_taps(question, first)))
        assert second["text"].startswith("第 2/4 题")
        await secretary.say("/broadcast")
        preview = await secretary.say("周五下午三点学习党章。")
        ask = next(d for label, d in buttons(preview) if label.startswith("确认发送，请党员点"))
        await secretary.tap(preview, ask)
        notice = await done.next_message(lambda m: "学习党章" in m["text"])
        await harness.client.wait_for_edit(
            secretary.id, predicate=lambda m: m["text"].startswith("群发完成")
        )
    before = harness.rows("SELECT COUNT(*), MAX(id) FROM members")[0]

    async with postgres_schema(postgres_url()) as target:
        code, printed = await asyncio.to_thread(copy_command, harness.settings.database, target)
        assert code == 0, printed
        lines = printed.splitlines()
        assert lines[-1].startswith("已复制") and "全部一致" in lines[-1]
        table_lines = {line.split()[0]: line.split() for line in lines[2:-1]}
        assert table_lines["answers"][1:3] == ["5", "5"] and table_lines["answers"][-1] == "ok"
        assert all(line[-1] == "ok" for line in table_lines.values())

        harness.settings = harness.settings.model_copy(update={"database": target})
        assert harness.rows("SELECT COUNT(*), MAX(id) FROM members")[0] == before
        async with harness.bot():
            said = await halfway.say("/quiz")
            assert said["text"].startswith("您还有一次答题没有完成，接着答第 2/4 题"), said["text"]
            resumed = await halfway.next_message()
            assert resumed["text"].startswith("第 2/4 题"), resumed["text"]
            question = halfway.question_of(resumed)
            result = await halfway.answer(resumed, correct_taps(question, resumed))
            assert "✅ 回答正确" in result["text"]
            record = (await done.say("/me"))["text"]
            assert "完成答题：1 次" in record, record
            newcomer = await join(harness, link, "王五")
            ack = next(d for label, d in buttons(notice) if label == "收到")
            await done.tap(notice, ack)
            await newcomer.say("/me")
        # Identities went on after the copied ids (PostgreSQL's may leave gaps: an upsert
        # that finds its row still draws a number).
        members = harness.rows("SELECT id, real_name FROM members ORDER BY id")
        assert members[-1][1] == "王五" and members[-1][0] > before[1]
        assert len(members) == before[0] + 1
        assert harness.rows(
            "SELECT COUNT(*) FROM answers a JOIN members m ON m.id = a.member_id "
            "WHERE m.real_name = ?",
            "李四",
        ) == [(2,)]
        assert harness.rows(
            "SELECT COUNT(*) FROM deliveries WHERE acknowledged_at IS NOT NULL"
        ) == [(1,)]

"""答题纠错: a member reports a question after answering it; the report reaches /corrections
with the question's article, and an admin marks it handled."""

from __future__ import annotations

import sqlite3

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
        (label, fix), _ = buttons(result)
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
        with sqlite3.connect(harness.settings.database) as db:
            db.executemany(
                "INSERT INTO corrections (question_id, bank_version, member_id, text, created_at)"
                " VALUES (?, 'v', ?, ?, 0)",
                [(f"q-{n:02d}", member_id, "解析有误" * 125) for n in range(30)],
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

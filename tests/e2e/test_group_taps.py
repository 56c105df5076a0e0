"""Buttons that act on private things act only in private chats (issue 10, finding 8): forged
quiz, topic and 签到 taps on the theme-day reminder in a branch's group post nothing into the
group, leave the reminder as it was, and record nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.meetings.events import Meeting
from tests.e2e.conftest import (
    SECRETARY_1,
    Harness,
    buttons,
    correct_taps,
    invite_link,
    join,
    person,
)

PRIVATE_ONLY = "请在与我的私聊中使用这个按钮"


async def test_forged_taps_in_a_group_touch_nothing(org_harness: Harness) -> None:
    harness = org_harness
    client = harness.client
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join(harness, await invite_link(secretary), "张三")
        group = (await client.create_group("东村党支部群", [secretary.id, member.id]))["id"]
        await client.send_text(secretary.id, "/bindgroup zb-1", chat_id=group)
        await client.wait_for_message(group)
        now = datetime.now(UTC)
        day = Meeting("zb-1", now + timedelta(hours=2), "学习党章", "村委会")
        written = await services.meetings.remind(
            day, "0d@08:00", now, now + timedelta(hours=6), [group]
        )
        assert written is not None
        services.sender.wake()
        reminder = await client.wait_for_message(group, lambda m: "主题党日提醒" in m["text"])
        # No 参加/请假 in the group: one button opens the private chat, where they are.
        assert "点下面的按钮，到与我的私聊里" in reminder["text"]
        ((link,),) = [
            [b["url"] for b in row] for row in reminder["reply_markup"]["inline_keyboard"]
        ]
        assert link == f"https://t.me/{app.bot.username}?start=themeday"
        await client.send_text(member.id, f"/start {link.rsplit('start=', 1)[1]}")
        await member.next_message(lambda m: "请在提醒消息下面点「参加」或「请假」" in m["text"])
        before = await client.get_messages(group)
        question = await member.say("/quiz")
        (event_id,) = harness.rows("SELECT id FROM events WHERE kind = 'theme_day'")[0]
        (member_id,) = harness.rows("SELECT id FROM members WHERE real_name = '张三'")[0]
        forged = [
            (member, correct_taps(member.question_of(question), question)[0]),
            (member, "next:1:1"),
            (member, "topic:0:all"),
            (member, "topic:0"),
            (secretary, f"sign:{event_id}:{member_id}"),
            # A secretary's transfer buttons are private too (they name a member).
            (secretary, "transfer:1:withdraw"),
        ]
        for who, data in forged:
            query = await client.tap_button(
                who.id, group, reminder["message_id"], data, forge=True
            )
            answer = await client.wait_for_callback_answer(query, after=0)
            assert answer["text"] == PRIVATE_ONLY, data
        assert await client.get_messages(group) == before
        # The member's own quiz is untouched and still answerable in private.
        assert buttons(await client.get_message(member.id, question["message_id"]) or {})
    assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM attendance WHERE present = 1") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM quiz_sessions") == [(1,)]

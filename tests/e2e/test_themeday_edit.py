"""A secretary organises one theme day in the chat (issue 13, part 1): /themeday lists the
coming ones with a button each; topic and place are set through typed steps with a preview;
the reminders carry them; a cancellation is announced once to every member, never again after
a restart, and silences that day's reminders. Each step checks the secretary's role and scope
at the moment it acts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.meetings.events import Meeting
from bot.schedule.config import ScheduleSettings
from tests.e2e.conftest import (
    ADMIN,
    SECRETARY_1,
    Harness,
    JsonDict,
    Member,
    buttons,
    invite_link,
    person,
)
from tests.e2e.conftest import join as join_branch

PROMOTED = 600002


def _configure(harness: Harness) -> None:
    harness.settings = harness.settings.model_copy(
        update={
            "schedules": ScheduleSettings.model_validate(
                {
                    "theme_day": {"topic": "学习党章", "place": "村委会"},
                    "quiz_nudge": {"enabled": False},
                    "political_birthday": {"enabled": False},
                }
            )
        }
    )


def _button(message: JsonDict, label: str) -> str:
    return next(data for text, data in buttons(message) if text == label)


async def _answer(harness: Harness, query_id: str) -> str:
    answer = await harness.client.wait_for_callback_answer(query_id, after=0)
    return str(answer.get("text", ""))


async def _menu(secretary: Member, index: int) -> JsonDict:
    """The edit menu of the ``index``-th coming theme day."""
    listing = await secretary.say("/themeday")
    await secretary.tap(listing, buttons(listing)[index][1])
    return await secretary.next_message(lambda m: "请选择要修改的内容" in m["text"])


async def _set(harness: Harness, secretary: Member, menu: JsonDict, label: str, value: str) -> str:
    await secretary.tap(menu, _button(menu, label))
    await secretary.next_message(lambda m: m["text"].startswith("请"))
    preview = await secretary.say(value)
    await secretary.tap(preview, _button(preview, "确认"))
    saved = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
    return str(saved["text"])


async def test_a_secretary_sets_topic_and_place_and_the_reminder_carries_them(
    org_harness: Harness,
) -> None:
    harness = org_harness
    _configure(harness)
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join_branch(harness, await invite_link(secretary), "张三")
        listing = await secretary.say("/themeday")
        assert [label[:3] for label, _ in buttons(listing)] == ["修改 "] * 3
        assert buttons(await member.say("/themeday")) == []

        menu = await _menu(secretary, 0)
        await secretary.tap(menu, _button(menu, "设置主题"))
        ask = await secretary.next_message(lambda m: "请发送新的主题" in m["text"])
        assert "不超过 60 个字" in ask["text"]
        assert "超过了 60 个字" in (await secretary.say("学" * 61))["text"]
        preview = await secretary.say("学习《中国共产党纪律处分条例》")
        assert "主题改为\n\n学习《中国共产党纪律处分条例》" in preview["text"]
        assert "请点上面" in (await secretary.say("还有别的吗"))["text"]
        await secretary.tap(preview, _button(preview, "确认"))
        saved = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
        assert saved["text"].startswith("已保存")
        assert (await _set(harness, secretary, menu, "设置地点", "党员活动室")).startswith(
            "已保存"
        )
        # The study material goes with the 补课, not into the reminders.
        material = "学习强国《纪律处分条例》解读第一讲"
        saved_material = await _set(harness, secretary, menu, "设置学习材料（补课用）", material)
        assert saved_material == "已保存。会后发给请假和未到党员的补课会附上这份学习材料。"
        # /cancel at a step, and 放弃 under a preview, change nothing.
        await secretary.tap(menu, _button(menu, "设置主讲人"))
        await secretary.next_message(lambda m: "请发送新的主讲人" in m["text"])
        assert (await secretary.say("/cancel"))["text"] == "好的，已取消。"
        await secretary.tap(menu, _button(menu, "设置议程"))
        await secretary.next_message(lambda m: "请发送新的议程" in m["text"])
        preview = await secretary.say("一、集中学习；二、讨论")
        await secretary.tap(preview, _button(preview, "放弃"))
        dropped = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
        assert dropped["text"] == "好的，没有做任何修改。"
        # The scheduler's reminder starts from config's defaults; the stored edits win.
        ((occurs_ms,),) = harness.rows("SELECT MIN(occurs_at) FROM events")
        occurs_at = datetime.fromtimestamp(occurs_ms / 1000, UTC)
        now = datetime.now(UTC)
        day = Meeting("zb-1", occurs_at, "学习党章", "村委会")
        await services.meetings.remind(day, "-1d@18:00", now, now + timedelta(hours=6), [])
        services.sender.wake()
        reminder = await member.next_message(lambda m: "主题党日提醒" in m["text"])
        assert "主题：学习《中国共产党纪律处分条例》" in reminder["text"]
        assert "地点：党员活动室" in reminder["text"] and "村委会" not in reminder["text"]
        assert "议程" not in reminder["text"] and "主讲人" not in reminder["text"]
        assert "学习材料" not in reminder["text"]
        listing = (await member.say("/themeday"))["text"]
        assert listing.count("党员活动室") == 1 and listing.count("村委会") == 2
    assert harness.rows(
        "SELECT topic, place, agenda, speaker, material FROM events WHERE edited_by = ?",
        SECRETARY_1,
    ) == [
        (
            "学习《中国共产党纪律处分条例》",
            "党员活动室",
            "",
            "",
            "学习强国《纪律处分条例》解读第一讲",
        )
    ]


async def test_a_cancellation_is_announced_once_and_silences_the_reminders(
    org_harness: Harness,
) -> None:
    harness = org_harness
    _configure(harness)
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join_branch(harness, await invite_link(secretary), "张三")
        menu = await _menu(secretary, 1)
        await secretary.tap(menu, _button(menu, "取消本次活动"))
        await secretary.next_message(lambda m: "请说明取消的原因" in m["text"])
        preview = await secretary.say("与镇党委集中学习合并")
        assert "并通知 1 名党员" in preview["text"]
        await secretary.tap(preview, _button(preview, "确认"))
        done = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
        assert done["text"] == "已取消这次主题党日，正在通知 1 名党员。"
        notice = await member.next_message(lambda m: "主题党日取消" in m["text"])
        assert "原因：与镇党委集中学习合并" in notice["text"]
        # The old menu now says so; the listing marks it and offers no button for it.
        refused = await _answer(harness, await secretary.tap(menu, _button(menu, "设置主题")))
        assert refused == "这次主题党日已经取消。"
        listing = await secretary.say("/themeday")
        assert "（本次已取消）" in listing["text"] and len(buttons(listing)) == 2
        ((key, occurs_ms),) = harness.rows(
            "SELECT key, occurs_at FROM events WHERE status = 'cancelled'"
        )
        occurs_at = datetime.fromtimestamp(occurs_ms / 1000, UTC)
        now = datetime.now(UTC)
        day = Meeting("zb-1", occurs_at, "学习党章", "村委会")
        assert day.key == key
        assert (
            await services.meetings.remind(day, "-1d", now, now + timedelta(hours=1), []) is None
        )
    async with harness.bot():
        await asyncio.sleep(1.0)
    notices = [
        m
        for m in await harness.client.get_messages(member.id)
        if "主题党日取消" in m.get("text", "")
    ]
    assert len(notices) == 1
    assert harness.rows("SELECT COUNT(*) FROM batches WHERE kind = 'reminder'") == [(0,)]


async def test_a_secretary_demoted_before_confirming_changes_nothing(org_harness: Harness) -> None:
    harness = org_harness
    _configure(harness)
    async with harness.bot():
        admin = await person(harness, "管理员", ADMIN)
        secretary = await person(harness, "钱书记", PROMOTED)
        await secretary.say("/start")
        assert "已任命" in (await admin.say(f"/promote {PROMOTED} zb-1"))["text"]
        menu = await _menu(secretary, 0)
        await secretary.tap(menu, _button(menu, "取消本次活动"))
        await secretary.next_message(lambda m: "请说明取消的原因" in m["text"])
        preview = await secretary.say("下雪")
        assert "已撤销" in (await admin.say(f"/demote {PROMOTED} zb-1"))["text"]
        refused = await _answer(harness, await secretary.tap(preview, _button(preview, "确认")))
        assert refused == "抱歉，您无权进行这个操作"
    assert harness.rows("SELECT COUNT(*) FROM events WHERE status = 'cancelled'") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]

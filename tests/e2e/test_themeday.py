"""Theme-day reminders end to end (written to the outbox as the scheduler would): exactly one
reminder per member, 参加/请假 with a reason, /attendance, 签到 by the secretary, a tap after
the day changes nothing, a restart mid-send sends the rest and no duplicate."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.meetings.events import Meeting
from tests.e2e.conftest import SECRETARY_1, Harness, buttons, invite_link, person
from tests.e2e.test_branches import join


async def test_reminder_rsvp_attendance_and_sign_in(org_harness: Harness) -> None:
    """On the 15th at 08:00 (Shanghai), for a meeting at 10:00. /stats counts the theme day
    only once it has been held: before, it is a coming one, not a day nobody attended."""
    from zoneinfo import ZoneInfo

    from bot.clock import ShiftedClock

    harness = org_harness
    real = datetime.now(UTC)
    fifteenth = real.astimezone(ZoneInfo("Asia/Shanghai")).replace(
        day=15, hour=8, minute=0, second=0, microsecond=0
    )
    clock = ShiftedClock(fifteenth - real)
    harness.clock = clock
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        coming, away, silent = [await join(harness, link, n) for n in ("张三", "李四", "王五")]
        now = clock.now()
        day = Meeting("zb-1", now + timedelta(hours=2), "学习党章第一章", "村委会二楼")
        batch = await services.meetings.remind(day, "0d@08:00", now, now + timedelta(hours=6), [])
        again = await services.meetings.remind(day, "0d@08:00", now, now + timedelta(hours=6), [])
        assert batch is not None and again is None
        services.sender.wake()
        reminders = {}
        for member in (coming, away, silent):
            reminders[member.id] = await member.next_message(lambda m: "主题党日提醒" in m["text"])
            assert "村委会二楼" in reminders[member.id]["text"]
        yes = next(d for label, d in buttons(reminders[coming.id]) if label == "参加")
        answer = await harness.client.wait_for_callback_answer(
            await coming.tap(reminders[coming.id], yes), after=0
        )
        assert answer["text"] == "已登记：参加。到时见！"
        # The answer sticks on the member's own reminder, with one button to change it.
        stuck = await coming.edited(reminders[coming.id])
        assert stuck["text"].startswith(reminders[coming.id]["text"])
        assert stuck["text"].endswith("✅ 您已报名参加。如有变化，可点下面的按钮改为请假。")
        assert [label for label, _ in buttons(stuck)] == ["改为请假"]
        leave = next(d for label, d in buttons(reminders[away.id]) if label == "请假")
        await away.tap(reminders[away.id], leave)
        assert "请假原因" in (await away.next_message())["text"]
        assert "已登记请假：外出务工" in (await away.say("外出务工"))["text"]
        on_leave = await away.edited(reminders[away.id])
        assert on_leave["text"] == reminders[away.id]["text"] + (
            "\n\n📝 您已请假（外出务工）。如能参加，可点下面的按钮改为参加。"
        )
        assert [label for label, _ in buttons(on_leave)] == ["改为参加"]

        sheet = await secretary.say("/attendance")
        assert "参加（1）：张三" in sheet["text"]
        assert "请假（1）：李四（外出务工）" in sheet["text"]
        assert "未回复（1）：王五" in sheet["text"]
        # One button for those not signed in (not one per member), opening the 代签 list.
        (proxy,) = [d for label, d in buttons(sheet) if label == "✍️ 代签（3 人未签到）"]
        await secretary.tap(sheet, proxy)
        listed = await secretary.next_message(lambda m: m["text"].startswith("✍️ 代签"))
        sign = next(d for label, d in buttons(listed) if label == "代签 张三")
        await secretary.tap(listed, sign)
        signed = await harness.client.wait_for_edit(secretary.id, listed["message_id"])
        assert "未签到 2 人" in signed["text"]
        sheet = await secretary.say("/attendance")
        assert "已签到（1）：张三（代签）" in sheet["text"]
        assert "主题党日出席率" not in (await secretary.say("/stats"))["text"]
        clock.advance(timedelta(hours=3))
        report = (await secretary.say("/stats"))["text"]
        assert "主题党日出席率 ▇▇▇░░░░░░░ 33%（本期 1 次）" in report
    assert harness.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") == [(3,)]


async def test_a_tap_after_the_day_changes_nothing(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        member = await join(harness, link, "张三")
        now = datetime.now(UTC)
        day = Meeting("zb-1", now + timedelta(seconds=1), "学习党章", "村委会")
        await services.meetings.remind(day, "0d", now, now + timedelta(hours=1), [])
        services.sender.wake()
        reminder = await member.next_message(lambda m: "主题党日提醒" in m["text"])
        harness_clock_later = now + timedelta(seconds=2)
        while datetime.now(UTC) < harness_clock_later:
            await member.say("/help")
        yes = next(d for label, d in buttons(reminder) if label == "参加")
        answer = await harness.client.wait_for_callback_answer(
            await member.tap(reminder, yes), after=0
        )
        assert "已经过去" in answer["text"]
    assert harness.rows("SELECT COUNT(*) FROM attendance") == [(0,)]


async def test_a_restart_mid_send_sends_the_rest_without_duplicates(org_harness: Harness) -> None:
    harness = org_harness
    names = [f"{surname}红" for surname in "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"]
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        members = [await join(harness, link, name) for name in names]
        await harness.client.set_latency(150)
        now = datetime.now(UTC)
        day = Meeting("zb-1", now + timedelta(days=1), "学习党章", "村委会")
        await services.meetings.remind(day, "-1d@18:00", now, now + timedelta(hours=6), [])
        services.sender.wake()
        await members[2].next_message(lambda m: "主题党日提醒" in m["text"])
    # Stopped mid-send: some delivered, some in flight, the rest pending.
    sent_before = harness.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'")[0][0]
    assert 0 < sent_before < len(names)
    await harness.client.set_latency(0)
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while harness.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") != [(20,)]:
            assert datetime.now(UTC) < deadline, "the rest was not sent after the restart"
            await asyncio.sleep(0.05)
        in_flight = services.sender.in_flight_at_start
    per_chat = {
        member.id: sum(
            "主题党日提醒" in m.get("text", "")
            for m in await harness.client.get_messages(member.id)
        )
        for member in members
    }
    assert all(count >= 1 for count in per_chat.values())
    assert sum(count - 1 for count in per_chat.values()) <= in_flight
    assert harness.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") == [(20,)]


async def test_the_scheduler_sends_a_due_reminder_once(org_harness: Harness) -> None:
    """The real path: schedules in config, the job queue's tick, the outbox, the sender."""
    from zoneinfo import ZoneInfo

    from bot.schedule.config import ScheduleSettings

    harness = org_harness
    zone = ZoneInfo("Asia/Shanghai")
    starts = (datetime.now(UTC) + timedelta(minutes=90)).astimezone(zone)
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][starts.weekday()]
    harness.settings = harness.settings.model_copy(
        update={
            "schedules": ScheduleSettings.model_validate(
                {
                    "theme_day": {
                        "rule": f"FREQ=WEEKLY;BYDAY={weekday}",
                        "time": starts.strftime("%H:%M"),
                        "place": "党员活动室",
                        "topic": "学习二十大精神",
                        "reminders": ["-2h"],
                        "on_holiday": "keep",
                    },
                    "study_day": {"enabled": False},
                    "quiz_nudge": {"enabled": False},
                    "political_birthday": {"enabled": False},
                }
            )
        }
    )
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        member = await join(harness, link, "张三")
    # The reminder fell due half an hour ago (while "down"): inside the grace window.
    async with harness.bot():
        reminder = await member.next_message(lambda m: "主题党日提醒" in m["text"])
        assert "学习二十大精神" in reminder["text"] and "党员活动室" in reminder["text"]
    async with harness.bot():
        await asyncio.sleep(1.5)  # another tick over the same window
    # One reminder for each of the three branches, however many ticks looked.
    assert harness.rows("SELECT COUNT(*) FROM batches WHERE kind = 'reminder'") == [(3,)]
    sent = [
        m
        for m in await harness.client.get_messages(member.id)
        if "主题党日提醒" in m.get("text", "")
    ]
    assert len(sent) == 1


async def test_themeday_lists_the_next_three(org_harness: Harness) -> None:
    from bot.schedule.config import ScheduleSettings

    harness = org_harness
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
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join(harness, await invite_link(secretary), "张三")
        listing = (await member.say("/themeday"))["text"]
    assert listing.startswith("🗓 【东村党支部】近期主题党日")
    assert listing.count("地点：村委会") == 3 and listing.count("主题：学习党章") == 3


async def test_a_reminder_missed_beyond_the_grace_window_is_not_sent(
    org_harness: Harness,
) -> None:
    """The reminder fell due seven hours ago, while the bot was down; the grace is six."""
    from zoneinfo import ZoneInfo

    from bot.schedule.config import ScheduleSettings

    harness = org_harness
    zone = ZoneInfo("Asia/Shanghai")
    held = (datetime.now(UTC) - timedelta(hours=5)).astimezone(zone)
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][held.weekday()]
    quiet = harness.settings.schedules
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join(harness, await invite_link(secretary), "张三")
    harness.settings = harness.settings.model_copy(
        update={
            "schedules": quiet.model_copy(
                update={
                    "theme_day": ScheduleSettings.model_validate(
                        {
                            "theme_day": {
                                "rule": f"FREQ=WEEKLY;BYDAY={weekday}",
                                "time": held.strftime("%H:%M"),
                                "reminders": ["-2h"],
                                "on_holiday": "keep",
                            }
                        }
                    ).theme_day
                }
            )
        }
    )
    async with harness.bot():
        await asyncio.sleep(2)  # the first tick has looked back over the grace window
        await member.say("/help")
    assert harness.rows("SELECT COUNT(*) FROM batches WHERE kind = 'reminder'") == [(0,)]
    assert not [
        m
        for m in await harness.client.get_messages(member.id)
        if "主题党日提醒" in m.get("text", "")
    ]


async def test_the_day_of_reminder_is_short_for_those_who_answered(org_harness: Harness) -> None:
    """参加 gets "今天 09:00 主题党日见", 请假 a word that the leave stands, no answer the full
    reminder with its buttons. The bot's clock is 08:00 in Shanghai, the meeting at 09:00."""
    from zoneinfo import ZoneInfo

    from bot.clock import ShiftedClock

    harness = org_harness
    zone = ZoneInfo("Asia/Shanghai")
    real = datetime.now(UTC)
    eight = real.astimezone(zone).replace(hour=8, minute=0, second=0, microsecond=0)
    clock = ShiftedClock(eight - real)
    harness.clock = clock
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        coming, away, silent = [await join(harness, link, n) for n in ("张三", "李四", "王五")]
        now = clock.now()
        day = Meeting("zb-1", (eight + timedelta(hours=1)).astimezone(UTC), "学习党章", "村委会")
        await services.meetings.remind(day, "-1d@18:00", now, now + timedelta(hours=6), [])
        services.sender.wake()
        first = {
            m.id: await m.next_message(lambda m: "主题党日提醒" in m["text"])
            for m in (coming, away, silent)
        }
        await coming.tap(
            first[coming.id], next(d for t, d in buttons(first[coming.id]) if t == "参加")
        )
        await coming.edited(first[coming.id])
        await away.tap(first[away.id], next(d for t, d in buttons(first[away.id]) if t == "请假"))
        ask = await away.next_message(lambda m: "请假原因" in m["text"])
        assert [t for t, _ in buttons(ask)] == ["出差", "生病", "工作冲突"]
        await away.tap(ask, next(d for t, d in buttons(ask) if t == "出差"))
        recorded = await away.edited(ask)
        assert recorded["text"].startswith("已登记请假：出差")
        stuck = await away.edited(first[away.id])
        assert "您已请假（出差）" in stuck["text"]
        await services.meetings.remind(day, "0d@08:00", now, now + timedelta(hours=1), [])
        services.sender.wake()
        short = await coming.next_message(lambda m: "今天" in m["text"])
        assert short["text"] == "📣 今天 09:00 主题党日见！\n地点：村委会"
        assert buttons(short) == []
        leave = await away.next_message(lambda m: "今天" in m["text"])
        assert leave["text"].startswith("今天 09:00 的主题党日您已请假")
        full = await silent.next_message(
            lambda m: m["message_id"] != first[silent.id]["message_id"]
        )
        assert "主题党日提醒" in full["text"] and len(buttons(full)) == 2

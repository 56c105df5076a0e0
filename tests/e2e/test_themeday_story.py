"""Issue 13's theme day as one story, through the emulator and the real bot, on one branch.

The bot's clock is pinned to the 10th of this month; the branch's theme day falls on the 15th
at 09:00 (sign-in 08:30–12:00, 补课 at 13:00), so every step stays in one month:

1. the secretary sets the coming theme day's topic and place through /themeday's buttons;
2. the scheduler's reminder the evening before carries them; 张三 taps 参加 and his reminder
   shows it; 李四 takes 请假 with a reason;
3. the morning's reminder is short for 张三, says 李四's leave stands, and is the full one
   for 王五, who did not answer;
4. the secretary opens sign-in; 张三 signs in with the code; a member of another branch and
   a stranger with the code are refused; after the window 赵六's code is refused;
5. the secretary 代签 王五 during the window and 补签 赵六 after it, from the lists' buttons;
6. the 补课 reaches 李四 (on leave) alone, and he confirms it with 已学习;
7. the ledger's 会议记录 sheet and /stats show exactly this meeting.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl

from bot.clock import ShiftedClock
from bot.meetings.codes import parse_code
from bot.schedule.config import ScheduleSettings
from bot.services import Services
from tests.e2e.conftest import (
    LEDGER_SECONDS,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    JsonDict,
    Member,
    buttons,
    invite_link,
    join,
    person,
)

ZONE = ZoneInfo("Asia/Shanghai")
TOPIC = "学习《中国共产党纪律处分条例》"
PLACE = "党员活动室"


def _long(moment: datetime) -> str:
    """A time as the reminders write it: 2026年12月15日（星期二）09:00."""
    weekday = "一二三四五六日"[moment.weekday()]
    return f"{moment.year}年{moment.month}月{moment.day}日（星期{weekday}）{moment:%H:%M}"


def _button(message: JsonDict, label: str) -> str:
    (data,) = [d for text, d in buttons(message) if text == label]
    return data


async def _answer(harness: Harness, query_id: str) -> str:
    answer = await harness.client.wait_for_callback_answer(query_id, after=0)
    return str(answer.get("text", ""))


async def _set(
    harness: Harness, secretary: Member, menu: JsonDict, label: str, value: str
) -> None:
    """One of the edit menu's steps: the button, the value typed, 确认 under the preview."""
    mark = harness.client.cursor
    await secretary.tap(menu, _button(menu, label))
    await secretary.next_message(lambda m: m["text"].startswith("请发送新的"), after=mark)
    preview = await secretary.say(value)
    assert value in preview["text"]
    await secretary.tap(preview, _button(preview, "确认"))
    saved = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
    assert saved["text"].startswith("已保存"), saved["text"]


async def _tick(services: Services, clock: ShiftedClock, to: datetime) -> None:
    """Move the bot's clock to ``to`` and run the scheduler's tick there (the job queue's own
    tick may come first: the outbox sends what is due once either way)."""
    clock.advance(to.astimezone(UTC) - clock.now())
    await services.scheduler.tick()
    services.sender.wake()


async def test_one_theme_day_from_topic_to_ledger(org_harness: Harness) -> None:
    harness = org_harness
    real = datetime.now(UTC)
    tenth = real.astimezone(ZONE).replace(day=10, hour=10, minute=0, second=0, microsecond=0)
    clock = ShiftedClock(tenth - real)
    harness.clock = clock
    day = tenth.replace(day=15, hour=9)
    harness.settings = harness.settings.model_copy(
        update={
            "schedules": ScheduleSettings.model_validate(
                {
                    "theme_day": {
                        "rule": "FREQ=MONTHLY;BYMONTHDAY=15",
                        "time": "09:00",
                        "topic": "主题党日",
                        "place": "村委会",
                        "reminders": ["-1d@18:00", "0d@08:00"],
                        "on_holiday": "keep",
                        "makeup": "+4h",
                    },
                    "study_day": {"enabled": False},
                    "quiz_nudge": {"enabled": False},
                    "political_birthday": {"enabled": False},
                }
            )
        }
    )
    async with harness.bot() as app:
        services = app.bot_data.services
        assert isinstance(services, Services)
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        coming, away, silent, late = [
            await join(harness, link, name) for name in ("张三", "李四", "王五", "赵六")
        ]
        other_secretary = await person(harness, "钱书记", SECRETARY_2)
        outsider = await join(
            harness, await invite_link(other_secretary), "孙七", SECRETARY_2, branch="镇机关党支部"
        )
        stranger = await person(harness, "路人甲")

        # 1. Topic and place, as a secretary sets them: /themeday → 修改 → the steps.
        listing = await secretary.say("/themeday")
        first = buttons(listing)[0]
        assert first[0].startswith(f"修改 {day.month}月{day.day}日"), first
        await secretary.tap(listing, first[1])
        menu = await secretary.next_message(lambda m: "请选择要修改的内容" in m["text"])
        await _set(harness, secretary, menu, "设置主题", TOPIC)
        await _set(harness, secretary, menu, "设置地点", PLACE)

        # 2. The evening before: the scheduler's reminder carries them.
        mark = harness.client.cursor
        await _tick(services, clock, day - timedelta(days=1) + timedelta(hours=9, minutes=1))
        reminders = {
            m.id: await m.next_message(lambda x: "主题党日提醒" in x["text"], after=mark)
            for m in (coming, away, silent, late, outsider)
        }
        for reminder in (reminders[m.id] for m in (coming, away, silent, late)):
            assert reminder["text"] == (
                f"📣 【东村党支部】主题党日提醒\n\n时间：{_long(day)}\n地点：{PLACE}\n"
                f"主题：{TOPIC}\n\n请点下面的按钮告诉支部能否参加。"
            )
            assert [label for label, _ in buttons(reminder)] == ["参加", "请假"]
        yes = await coming.tap(reminders[coming.id], _button(reminders[coming.id], "参加"))
        assert await _answer(harness, yes) == "已登记：参加。到时见！"
        stuck = await coming.edited(reminders[coming.id])
        assert stuck["text"] == reminders[coming.id]["text"] + (
            "\n\n✅ 您已报名参加。如有变化，可点下面的按钮改为请假。"
        )
        assert [label for label, _ in buttons(stuck)] == ["改为请假"]
        await away.tap(reminders[away.id], _button(reminders[away.id], "请假"))
        ask = await away.next_message(lambda m: "请假原因" in m["text"])
        assert [label for label, _ in buttons(ask)] == ["出差", "生病", "工作冲突"]
        assert (await away.say("外出务工"))["text"].startswith("已登记请假：外出务工")
        on_leave = await away.edited(reminders[away.id])
        assert on_leave["text"] == reminders[away.id]["text"] + (
            "\n\n📝 您已请假（外出务工）。如能参加，可点下面的按钮改为参加。"
        )

        # 3. The morning of the day: short for 张三, the leave stands for 李四, full for 王五
        # and 赵六 (and for 孙七, in his own branch).
        mark = harness.client.cursor
        await _tick(services, clock, day - timedelta(minutes=59))
        short = await coming.next_message(lambda m: m["text"].startswith("📣 今天"), after=mark)
        assert short["text"] == f"📣 今天 09:00 主题党日见！\n地点：{PLACE}"
        assert buttons(short) == []
        stands = await away.next_message(lambda m: m["text"].startswith("今天"), after=mark)
        assert stands["text"] == "今天 09:00 的主题党日您已请假，会后我们会把学习内容发给您。"
        for member in (silent, late, outsider):
            full = await member.next_message(lambda m: "主题党日提醒" in m["text"], after=mark)
            assert full["text"] == reminders[member.id]["text"]
            assert [label for label, _ in buttons(full)] == ["参加", "请假"]
        # 4. At the meeting: sign-in opens; 张三 types the code; others with it are refused.
        clock.advance(day - timedelta(minutes=15) - clock.now())
        mark = harness.client.cursor
        await harness.client.send_text(secretary.id, "/signin")
        photo = await secretary.next_message(lambda m: "photo" in m, after=mark)
        board = await secretary.next_message(lambda m: "签到情况" in m.get("text", ""), after=mark)
        meeting = f"【东村党支部】{day.month}月{day.day}日 主题党日（{TOPIC}）"
        line = next(x for x in photo["caption"].splitlines() if x.startswith("签到码："))
        code = parse_code(line.removeprefix("签到码："))
        assert code is not None
        assert photo["caption"] == (
            f"📲 签到 · {meeting}\n\n签到码：{' '.join(code)}\n有效时间：08:30–12:00\n\n"
            "请党员用手机扫描二维码，或在与我的私聊里发送签到码。"
        )
        assert board["text"] == (
            f"📋 签到情况 · {meeting}\n\n应到 4 人　已签到 0 人\n请假 1 人　未签到 3 人"
            "\n\n最近签到：暂无"
        )
        signed = await coming.say(code)
        assert signed["text"] == f"✅ 签到成功！\n{meeting}\n签到时间：08:45"
        await harness.client.wait_for_edit(
            secretary.id, board["message_id"], lambda m: "已签到 1 人" in m["text"], after=mark
        )
        assert (await outsider.say(code))["text"] == (
            "这是其他支部的会议签到，您不是该支部的党员，不能在这里签到。"
        )
        assert (await stranger.say(code))["text"] == (
            "您还没有加入支部，不能签到。请先通过支部书记发的邀请链接加入。"
        )

        # 5. 代签 王五 from the count's button, while the window is open.
        mark = harness.client.cursor
        await secretary.tap(board, _button(board, "✍️ 代签未到的党员"))
        page = await secretary.next_message(lambda m: m["text"].startswith("✍️ 代签"), after=mark)
        assert "未签到 3 人" in page["text"], page["text"]
        proxied = await secretary.tap(page, _button(page, "代签 王五"))
        assert await _answer(harness, proxied) == "已为 王五 代签"

        # 4 (continued). After the window, 赵六's code is refused: it has closed.
        clock.advance(day + timedelta(hours=3, minutes=1) - clock.now())
        assert (await late.say(code))["text"] == (
            "签到已经结束（12:00 截止）。如果您参加了会议，请联系支部书记补签。"
        )
        # 5 (continued). 补签 赵六 from /attendance's list.
        sheet = await secretary.say("/attendance")
        assert "已签到（2）：张三、王五（代签）" in sheet["text"], sheet["text"]
        mark = harness.client.cursor
        await secretary.tap(sheet, _button(sheet, "✍️ 补签（2 人未签到）"))
        page = await secretary.next_message(lambda m: "补签 ·" in m["text"], after=mark)
        assert "会议已结束，未签到 2 人" in page["text"], page["text"]
        late_signed = await secretary.tap(page, _button(page, "补签 赵六"))
        assert await _answer(harness, late_signed) == "已为 赵六 补签"
        sheet = await secretary.say("/attendance")
        assert "已签到（3）：张三、王五（代签）、赵六（补签）" in sheet["text"], sheet["text"]
        assert "请假（1）：李四（外出务工）" in sheet["text"]

        # 6. 补课 at 13:00: to 李四, on leave and not signed in; he confirms it.
        mark = harness.client.cursor
        await _tick(services, clock, day + timedelta(hours=4, minutes=1))
        makeup = await away.next_message(lambda m: m["text"].startswith("📚 补课"), after=mark)
        assert makeup["text"] == (
            f"📚 补课 · 【东村党支部】{day.month}月{day.day}日主题党日\n\n"
            f"您这次没能参加，下面是本次的学习内容：\n\n时间：{_long(day)}\n地点：{PLACE}\n"
            f"主题：{TOPIC}\n\n学完后请点「已学习」告诉支部。也可以发送 /quiz 做一组题目巩固。"
        )
        studied = await away.tap(makeup, _button(makeup, "✅ 已学习"))
        assert await _answer(harness, studied) == "已记录，谢谢！"
        confirmed = await away.edited(makeup)
        assert "✅ 已记录：您于 " in confirmed["text"] and buttons(confirmed) == []
        sheet = await secretary.say("/attendance")
        assert "补课已学习（1）：李四" in sheet["text"], sheet["text"]

        # 7. The ledger's 会议记录 and /stats show exactly this meeting.
        assert (await secretary.say("/export"))["text"].startswith("正在生成")
        document = await secretary.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
        data = await harness.client.download_file(document["document"]["file_id"])
        meetings = openpyxl.load_workbook(io.BytesIO(data))["会议记录"]
        assert [c.value for c in meetings[3]][:10] == [
            "时间", "支部", "会议类型", "主题", "地点", "应到", "实到", "请假", "缺席", "补课完成"
        ]  # fmt: skip
        rows = [r for r in meetings.iter_rows(min_row=4, values_only=True) if r[1]]
        # 应到 4, 实到 3 (张三, 王五 代签, 赵六 补签), 请假 1 (李四), 缺席 0, 补课完成 1 (李四).
        assert [r[:10] for r in rows] == [
            (day.replace(tzinfo=None), "东村党支部", "主题党日", TOPIC, PLACE, 4, 3, 1, 0, 1),
        ]
        report = (await secretary.say("/stats"))["text"]
        quarter = (day.month - 1) // 3 + 1
        assert report.endswith(
            f"三会一课（已开/应开）：\n{day.year}年第{quarter}季度：支部党员大会 0/1，党课 0/1\n"
            f"{day.year}年{day.month}月：支委会 0/1，党小组会 0/1，主题党日 1/1"
        ), report
        # 3 of the 4 members signed in (代签 and 补签 included), at the one theme day held.
        assert "\n主题党日出席率 ▇▇▇▇▇▇▇▇░░ 75%（本期 1 次）\n" in report

    # Recorded with who signed each in; 已学习 once, by the member on leave.
    assert harness.rows(
        "SELECT m.real_name, a.reply, a.present, a.signed_kind, a.signed_by,"
        " CASE WHEN a.studied_at IS NULL THEN 0 ELSE 1 END"
        " FROM attendance a JOIN members m ON m.id = a.member_id"
        " WHERE m.branch_id = 'zb-1' ORDER BY m.id"
    ) == [
        ("张三", "yes", 1, "self", coming.id, 0),
        ("李四", "leave", 0, None, None, 1),
        ("王五", None, 1, "proxy", SECRETARY_1, 0),
        ("赵六", None, 1, "late", SECRETARY_1, 0),
    ]
    # One of each reminder, and the 补课 to the member on leave alone.
    for member, makeups in ((coming, 0), (away, 1), (silent, 0), (late, 0)):
        texts = [m.get("text", "") for m in await harness.client.get_messages(member.id)]
        reminded = [t for t in texts if "主题党日提醒" in t or t.startswith(("📣 今天", "今天 "))]
        assert len(reminded) == 2
        assert sum(t.startswith("📚 补课") for t in texts) == makeups

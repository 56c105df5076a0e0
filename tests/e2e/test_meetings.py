"""三会一课 run from the chat (issue 13, parts 1 and 5): a theme day moved to another date,
announced once (never again after a restart) and reminded at its new time; a 党课 and a 支委会
organised with /meeting new, announced to those they are for and listed; a held meeting's
minutes and photos kept and given back; its attendance frozen; the ledger's 会议记录 sheet and
/stats' 三会一课 lines counting exactly what was held."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl

from bot.clock import ShiftedClock
from bot.meetings.codes import parse_code
from bot.meetings.events import Meeting
from bot.schedule.config import ScheduleSettings
from bot.storage import Storage
from tests.e2e.conftest import (
    ADMIN,
    LEDGER_SECONDS,
    SECRETARY_1,
    Harness,
    JsonDict,
    Member,
    buttons,
    invite_link,
    person,
)
from tests.e2e.conftest import join as join_branch

ZONE = ZoneInfo("Asia/Shanghai")
PROMOTED = 600003
# A 2×1 PNG: the emulator reads the size from the header.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e85d"
    "0000000c4944415408d763f8cfc0f01f0005fe02fea7d6a7b10000000049454e44ae426082"
)


def _configure(harness: Harness) -> None:
    harness.settings = harness.settings.model_copy(
        update={
            "schedules": ScheduleSettings.model_validate(
                {
                    "theme_day": {"topic": "学习党章", "place": "村委会"},
                    "study_day": {"enabled": False},
                    "quiz_nudge": {"enabled": False},
                    "political_birthday": {"enabled": False},
                }
            )
        }
    )


def _button(message: JsonDict, label: str) -> str:
    return next(data for text, data in buttons(message) if text == label)


def _button_starting(message: JsonDict, start: str) -> str:
    return next(data for text, data in buttons(message) if text.startswith(start))


async def _answer(harness: Harness, query_id: str) -> str:
    answer = await harness.client.wait_for_callback_answer(query_id, after=0)
    return str(answer.get("text", ""))


def _local(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZONE)


def _texts_of(messages: list[JsonDict], mark: str) -> list[str]:
    return [m["text"] for m in messages if mark in m.get("text", "")]


async def test_a_move_is_announced_once_and_reminded_at_the_new_time(
    org_harness: Harness,
) -> None:
    harness = org_harness
    _configure(harness)
    clock = ShiftedClock()
    harness.clock = clock
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join_branch(harness, await invite_link(secretary), "张三")
        listing = await secretary.say("/themeday")
        await secretary.tap(listing, buttons(listing)[0][1])
        menu = await secretary.next_message(lambda m: "请选择要修改的内容" in m["text"])
        ((event_id, old_ms),) = harness.rows(
            "SELECT id, occurs_at FROM events ORDER BY occurs_at LIMIT 1"
        )
        old = _local(old_ms)
        new = (old + timedelta(days=2)).replace(hour=14, minute=30)
        await secretary.tap(menu, _button(menu, "改期"))
        await secretary.next_message(lambda m: "请发送新的日期和时间" in m["text"])
        # The ways people write a date are read; what cannot be a meeting time is refused.
        assert "已经过去" in (await secretary.say("2020-01-01 09:00"))["text"]
        assert "没有这一天" in (await secretary.say("2月30日 9:00"))["text"]
        assert "没有看懂" in (await secretary.say("下周吧"))["text"]
        ask = await secretary.say(f"{new.month}月{new.day}日下午2点半")
        assert f"{new.month}月{new.day}日（" in ask["text"] and "14:30" in ask["text"]
        preview = await secretary.say("与镇党委党课合并")
        assert "主题党日由" in preview["text"] and "并通知 1 人" in preview["text"]
        assert "原因：与镇党委党课合并" in preview["text"]
        await secretary.tap(preview, _button(preview, "确认"))
        done = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
        assert done["text"].startswith("已把主题党日改到") and "14:30" in done["text"]
        notice = await member.next_message(lambda m: "改期通知" in m["text"])
        assert "14:30" in notice["text"] and "原因：与镇党委党课合并" in notice["text"]
        assert "登记继续有效" in notice["text"]
        assert [label for label, _ in buttons(notice)] == ["参加", "请假"]
        await member.tap(notice, _button(notice, "参加"))
        await member.edited(notice)
        # A second 确认 on the same preview (a double tap) moves nothing, announces nothing.
        again = _button(preview, "确认")
        stale = await _answer(harness, await secretary.tap(preview, again, forge=True))
        assert stale == "这个按钮已失效"
        # /themeday shows the new time; the member's reply stays.
        assert "14:30" in (await member.say("/themeday"))["text"]
    async with harness.bot():
        await asyncio.sleep(1.0)
    notices = _texts_of(await harness.client.get_messages(member.id), "改期通知")
    assert len(notices) == 1
    assert harness.rows("SELECT reply FROM attendance WHERE event_id = ?", event_id) == [("yes",)]
    assert harness.rows("SELECT moves, moved_from FROM events WHERE id = ?", event_id) == [
        (1, old_ms)
    ]
    # The old time's reminders stay silent; the new time's come from the scheduler's tick.
    old_eve = old.replace(hour=18, minute=1) - timedelta(days=1)
    clock.advance(old_eve.astimezone(UTC) - clock.now())
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        await services.scheduler.tick()
        assert _reminders(harness) == []
        new_eve = new.replace(hour=18, minute=1) - timedelta(days=1)
        clock.advance(new_eve.astimezone(UTC) - clock.now())
        report = await services.scheduler.tick()
        assert report.written == 1
        services.sender.wake()
        reminder = await member.next_message(lambda m: "主题党日提醒" in m["text"])
        assert "14:30" in reminder["text"] and "村委会" in reminder["text"]
        assert (await services.scheduler.tick()).written == 0
    assert _reminders(harness) == [
        f"reminder:theme_day:zb-1:{old.astimezone(UTC):%Y%m%dT%H%M}:moved1:-1d@18:00"
    ]


def _reminders(harness: Harness) -> list[str]:
    """The keys of zb-1's reminder batches (the other branches keep their own theme days)."""
    rows = harness.rows("SELECT key FROM batches WHERE kind = 'reminder' AND unit_id = 'zb-1'")
    return [str(key) for (key,) in rows]


async def test_a_secretary_demoted_before_confirming_a_move_moves_nothing(
    org_harness: Harness,
) -> None:
    harness = org_harness
    _configure(harness)
    async with harness.bot():
        admin = await person(harness, "管理员", ADMIN)
        secretary = await person(harness, "钱书记", PROMOTED)
        await secretary.say("/start")
        assert "已任命" in (await admin.say(f"/promote {PROMOTED} zb-1"))["text"]
        listing = await secretary.say("/themeday")
        await secretary.tap(listing, buttons(listing)[0][1])
        menu = await secretary.next_message(lambda m: "请选择要修改的内容" in m["text"])
        await secretary.tap(menu, _button(menu, "改期"))
        await secretary.next_message(lambda m: "请发送新的日期和时间" in m["text"])
        later = datetime.now(ZONE) + timedelta(days=40)
        await secretary.say(f"{later:%Y-%m-%d} 09:00")
        preview = await secretary.say("下雪")
        assert "已撤销" in (await admin.say(f"/demote {PROMOTED} zb-1"))["text"]
        refused = await _answer(harness, await secretary.tap(preview, _button(preview, "确认")))
        assert refused == "抱歉，您无权进行这个操作"
    assert harness.rows("SELECT COUNT(*) FROM events WHERE moves > 0") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]


async def _new_meeting(
    secretary: Member, kind: str, when: str, topic: str, place: str, speaker: str
) -> JsonDict:
    """/meeting new through to the preview; returns it."""
    choose = await secretary.say("/meeting new")
    await secretary.tap(choose, _button(choose, kind))
    await secretary.next_message(lambda m: "的日期和时间" in m["text"])
    assert "会议主题" in (await secretary.say(when))["text"]
    assert "会议地点" in (await secretary.say(topic))["text"]
    assert "主讲人" in (await secretary.say(place))["text"]
    return await secretary.say(speaker)


async def test_meeting_new_is_announced_to_those_it_is_for_and_listed(
    org_harness: Harness,
) -> None:
    harness = org_harness
    clock = ShiftedClock()
    harness.clock = clock
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join_branch(harness, await invite_link(secretary), "张三")
        day = datetime.now(ZONE) + timedelta(days=3)
        # A time is needed for a meeting; a day alone is asked again.
        choose = await secretary.say("/meeting new")
        assert [label for label, _ in buttons(choose)] == [
            "支部党员大会",
            "支委会",
            "党小组会",
            "党课",
        ]
        await secretary.tap(choose, _button(choose, "党课"))
        await secretary.next_message(lambda m: "请发送党课的日期和时间" in m["text"])
        assert "请写上开会的时间" in (await secretary.say(f"{day:%Y-%m-%d}"))["text"]
        assert (await secretary.say("/cancel"))["text"] == "好的，已取消。"
        assert "没看懂" in (await secretary.say("学习党章"))["text"]  # nothing pending now
        preview = await _new_meeting(
            secretary, "党课", f"{day:%Y-%m-%d} 15:00", "学习《党章》总纲", "党员活动室", "王书记"
        )
        assert "请确认：【东村党支部】党课" in preview["text"]
        assert "确认后通知支部全体党员（1 人）" in preview["text"]
        assert "主讲人：王书记" in preview["text"]
        await secretary.tap(preview, _button(preview, "确认"))
        done = await harness.client.wait_for_edit(secretary.id, preview["message_id"])
        assert done["text"].startswith("已发出党课通知，共 1 人")
        notice = await member.next_message(lambda m: "党课通知" in m["text"])
        assert "学习《党章》总纲" in notice["text"] and "15:00" in notice["text"]
        await member.tap(notice, _button(notice, "参加"))
        stuck = await member.edited(notice)
        assert "您已报名参加" in stuck["text"]
        # 支委会: for the committee as the bot knows it (the branch's secretary), said so.
        preview = await _new_meeting(
            secretary, "支委会", f"{day:%Y-%m-%d} 19:00", "研究发展党员", "书记办公室", "无"
        )
        assert "支部委员（1 人）。机器人只知道本支部的书记" in preview["text"]
        assert "主讲人" not in preview["text"]
        await secretary.tap(preview, _button(preview, "确认"))
        await harness.client.wait_for_edit(secretary.id, preview["message_id"])
        committee = await secretary.next_message(lambda m: "支委会通知" in m["text"])
        assert "研究发展党员" in committee["text"]
        # Listed among the coming events for members, and in /meeting for the secretary.
        listing = (await member.say("/themeday"))["text"]
        assert "【党课】" in listing and "学习《党章》总纲" in listing
        meetings = await secretary.say("/meeting")
        assert "党课：学习《党章》总纲" in meetings["text"]
        assert "支委会：研究发展党员" in meetings["text"]
        labels = [label for label, _ in buttons(meetings)]
        assert any(label.startswith("修改") and label.endswith("党课") for label in labels)
        # Reminded at the theme day's offsets from its own time (the scheduled theme day is
        # off here): the evening before, to those it is for.
        eve = (day - timedelta(days=1)).replace(hour=18, minute=1)
        clock.advance(eve.astimezone(UTC) - clock.now())
        assert (await services.scheduler.tick()).written == 2
        services.sender.wake()
        reminder = await member.next_message(lambda m: "党课提醒" in m["text"])
        assert "15:00" in reminder["text"] and len(buttons(reminder)) == 2
        await secretary.next_message(lambda m: "支委会提醒" in m["text"])
        assert (await services.scheduler.tick()).written == 0
    messages = await harness.client.get_messages(member.id)
    assert len(_texts_of(messages, "党课通知")) == 1 and not _texts_of(messages, "支委会")
    assert len(_texts_of(messages, "党课提醒")) == 1
    assert harness.rows("SELECT kind, adhoc, audience, expected FROM events ORDER BY id") == [
        ("party_lecture", 1, "branch", None),
        ("committee_meeting", 1, "committee", 1),
    ]


async def test_minutes_and_photos_are_kept_and_the_attendance_frozen(
    org_harness: Harness,
) -> None:
    harness = org_harness
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        present, late = [await join_branch(harness, link, n) for n in ("张三", "李四")]
        now = datetime.now(UTC)
        event_id = await services.meetings.event(
            Meeting("zb-1", now - timedelta(hours=2), "学习党章", "村委会")
        )
        meetings = await secretary.say("/meeting")
        await secretary.tap(meetings, _button_starting(meetings, "记录"))
        record = await secretary.next_message(lambda m: "会议记录" in m["text"])
        assert "纪要：未填写" in record["text"] and "照片：0 张" in record["text"]
        await secretary.tap(record, _button(record, "填写纪要"))
        await secretary.next_message(lambda m: "请发送会议纪要" in m["text"])
        assert "超过了 3000 个字" in (await secretary.say("记" * 3001))["text"]
        saved = await secretary.say("一、集中学习党章总纲。\n二、交纳党费。")
        assert saved["text"] == "纪要已保存（19 个字）。"
        await secretary.tap(record, _button(record, "上传照片"))
        ask = await secretary.next_message(lambda m: "请发送会议照片" in m["text"])
        await harness.client.send_photo(secretary.id, PNG)
        assert "照片已保存（共 1 张）" in (await secretary.next_message())["text"]
        too_large = PNG + bytes(5 * 1024 * 1024)
        await harness.client.send_photo(secretary.id, too_large)
        assert "照片超过 5 MB，没有保存" in (await secretary.next_message())["text"]
        await secretary.tap(ask, _button(ask, "完成"))
        assert "共保存了 1 张照片" in (await secretary.next_message())["text"]
        # The photos come back from the bot, the same file.
        await secretary.tap(record, _button(record, "查看照片"))
        photo = await secretary.next_message(lambda m: "photo" in m)
        file_id = photo["photo"][-1]["file_id"]
        assert await harness.client.download_file(file_id) == PNG
        # A member's photo is not taken for a record.
        await harness.client.send_photo(present.id, PNG)
        await present.say("/help")
        # Signed in before closing (代签 on the day); closing freezes the attendance.
        held = await services.meetings.find(event_id)
        assert held is not None
        await services.meetings.sign_in(held, _member_id(harness, "张三"), SECRETARY_1)
        # Sign-in is still open (it closes three hours after the start): the code shown.
        mark = harness.client.cursor
        await harness.client.send_text(secretary.id, "/signin")
        shown = await secretary.next_message(lambda m: "photo" in m, after=mark)
        line = next(x for x in shown["caption"].splitlines() if x.startswith("签到码："))
        code = parse_code(line.removeprefix("签到码："))
        assert code is not None
        await secretary.tap(record, _button(record, "封存签到"))
        close = await secretary.next_message(lambda m: "封存后党员不能再自己签到" in m["text"])
        await secretary.tap(close, _button(close, "确认"))
        assert (await harness.client.wait_for_edit(secretary.id, close["message_id"]))[
            "text"
        ].startswith("已封存")
        refused = await _answer(harness, await secretary.tap(record, _button(record, "填写纪要")))
        assert refused == "这次会议的记录已经封存，不能再修改。"
        # The attendance is frozen: a member's own late 签到 with the code is refused.
        too_late = await late.say(code)
        assert too_late["text"].startswith("签到已经结束"), too_late["text"]
        reopen = await secretary.say("/signin")
        assert "签到时间已过" in reopen["text"], reopen["text"]
        reopened = await secretary.say("/meeting")
        await secretary.tap(reopened, _button_starting(reopened, "记录"))
        closed = await secretary.next_message(lambda m: "签到已于" in m["text"])
        assert "实到 1 人" in closed["text"] and "照片：1 张" in closed["text"]
        assert [label for label, _ in buttons(closed)] == ["查看照片", "✍️ 代签/补签"]
        # The secretary's 补签 still counts after closing.
        sheet = await secretary.say("/attendance")
        assert _button_starting(sheet, "✍️ 补签")  # the sheet's list is 补签 only now
        await secretary.tap(closed, _button(closed, "✍️ 代签/补签"))
        page = await secretary.next_message(lambda m: "补签 ·" in m["text"])
        await secretary.tap(page, _button(page, "补签 李四"))
        sheet = await secretary.say("/attendance")
        assert "李四（补签）" in sheet["text"]
    # A member's own 签到 after closing is refused wherever it comes from: the store says no.
    storage = await Storage.open(harness.settings.database)
    try:
        assert not await storage.attendance.sign_in(
            event_id, _member_id(harness, "李四"), late.id, "self", datetime.now(UTC)
        )
        other = await storage.attendance.ensure_event(
            Meeting("zb-1", datetime.now(UTC) - timedelta(hours=1), "学习准则", "村委会"),
            datetime.now(UTC),
        )
        assert await storage.attendance.sign_in(
            other, _member_id(harness, "李四"), late.id, "self", datetime.now(UTC)
        )
    finally:
        await storage.close()
    assert harness.rows("SELECT minutes, closed_by FROM events WHERE id = ?", event_id) == [
        ("一、集中学习党章总纲。\n二、交纳党费。", SECRETARY_1)
    ]
    assert harness.rows("SELECT COUNT(*), MAX(size) FROM event_photos") == [(1, len(PNG))]
    assert harness.rows(
        "SELECT signed_kind FROM attendance WHERE event_id = ? ORDER BY signed_at", event_id
    ) == [("proxy",), ("late",)]


def _member_id(harness: Harness, name: str) -> int:
    ((member_id,),) = harness.rows("SELECT id FROM members WHERE real_name = ?", name)
    return int(member_id)


async def _held(
    services: object, branch: str, at: datetime, kind: str, topic: str = "学习"
) -> int:
    from bot.services import Services

    assert isinstance(services, Services)
    return await services.meetings.event(
        Meeting(branch, at.astimezone(UTC), topic, "活动室", kind=kind, rule=kind)
    )


async def test_the_ledger_and_stats_count_exactly_the_meetings_held(
    org_harness: Harness,
) -> None:
    """This month zb-1 holds a theme day (2 of 3 signed in, 1 on leave) and a 支委会, and
    cancels a 党课; last month it held all five kinds, zb-2 and zb-3 nothing. The ledger's
    会议记录 lists the two held this month with their counts; /stats shows the branch's 三会一课
    lines, and last month's /stats of the 党委 names the branches behind."""
    harness = org_harness
    real = datetime.now(UTC)
    first = real.astimezone(ZONE).replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    clock = ShiftedClock(first - real)
    harness.clock = clock
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        for name in ("张三", "李四", "王五"):
            await join_branch(harness, link, name)
        last_month = first - timedelta(days=10)
        for kind in (
            "theme_day",
            "committee_meeting",
            "group_meeting",
            "member_meeting",
            "party_lecture",
        ):
            await _held(services, "zb-1", last_month, kind)
        theme = await _held(services, "zb-1", first + timedelta(days=9), "theme_day", "学习党章")
        await _held(
            services, "zb-1", first + timedelta(days=14), "committee_meeting", "研究发展党员"
        )
        lecture = await _held(services, "zb-1", first + timedelta(days=16), "party_lecture")
        # A 机关 study day's reminder makes an event too; it is no 三会一课 and not in the sheet.
        await _held(services, "zb-1", first + timedelta(days=11), "study_day")
        clock.advance(first + timedelta(days=19, hours=4) - clock.now())
        theme_event = await services.meetings.find(theme)
        assert theme_event is not None
        for name in ("张三", "王五"):
            await services.meetings.sign_in(theme_event, _member_id(harness, name), SECRETARY_1)
        storage = await Storage.open(harness.settings.database)
        try:
            await storage.attendance.set_reply(
                theme, _member_id(harness, "李四"), "leave", "出差", clock.now()
            )
            await storage.attendance.cancel(lecture, "改期", SECRETARY_1, clock.now())
            await storage.attendance.studied(theme, _member_id(harness, "李四"), clock.now())
        finally:
            await storage.close()
        reply = await secretary.say("/export")
        assert reply["text"].startswith("正在生成")
        document = await secretary.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
        data = await harness.client.download_file(document["document"]["file_id"])
        sheet = openpyxl.load_workbook(io.BytesIO(data))["会议记录"]
        rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1]]
        # A 支委会 made from the schedule's side (not /meeting new) is for the branch: 应到 3.
        # 补课完成: 李四, on leave, tapped 已学习 under the theme day's 补课.
        assert [(r[1], r[2], r[3], r[5], r[6], r[7], r[8], r[9]) for r in rows] == [
            ("东村党支部", "主题党日", "学习党章", 3, 2, 1, 0, 1),
            ("东村党支部", "支委会", "研究发展党员", 3, 0, 0, 3, 0),
        ]
        month = first.month
        quarter = (month - 1) // 3 + 1
        report = (await secretary.say("/stats"))["text"]
        this_quarter = f"{first.year}年第{quarter}季度"
        previous = first - timedelta(days=1)
        held_in_quarter = "1" if (previous.month - 1) // 3 + 1 == quarter else "0"
        assert (
            f"{this_quarter}：支部党员大会 {held_in_quarter}/1，党课 {held_in_quarter}/1" in report
        )
        assert f"{first.year}年{month}月：支委会 1/1，党小组会 0/1，主题党日 1/1" in report
        admin = await person(harness, "管理员", ADMIN)
        behind = (await admin.say("/stats 上月 dw"))["text"]
        assert "三会一课未按期召开的支部（2 个" in behind
        names = behind.split("三会一课未按期召开的支部")[1]
        assert "镇机关党支部：" in names and "中学党支部：" in names
        assert "东村党支部" not in names
        assert "支委会 0/1" in names and "党小组会 0/1" in names and "主题党日 0/1" in names

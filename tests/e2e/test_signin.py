"""Sign-in at the meeting end to end, through the emulator and the real bot: the secretary
opens sign-in and gets a QR code (which decodes to the bot's deep link) and a short code;
members sign in by typing the code or scanning; refusals say why (outside the window, another
branch's meeting, a stranger, a wrong code, already signed, too many guesses); the secretary
代签 one member and 补签 another after the meeting, each recorded with who and when; the live
count is one message edited in place, throttled."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import zxingcpp
from PIL import Image

from bot.clock import ShiftedClock
from bot.meetings.codes import parse_code
from bot.meetings.events import Meeting
from tests.e2e.conftest import (
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


def _hhmm(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%H:%M")


async def _open(harness: Harness, secretary: Member) -> tuple[str, str, JsonDict, JsonDict]:
    """The secretary's /signin: (code, link decoded from the QR code, photo, count message)."""
    mark = harness.client.cursor
    await harness.client.send_text(secretary.id, "/signin")
    photo = await secretary.next_message(lambda m: "photo" in m, after=mark)
    board = await secretary.next_message(lambda m: "签到情况" in m.get("text", ""), after=mark)
    png = await harness.client.download_file(photo["photo"][-1]["file_id"])
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.format for d in decoded] == [zxingcpp.BarcodeFormat.QRCode]
    line = next(x for x in photo["caption"].splitlines() if x.startswith("签到码："))
    code = parse_code(line.removeprefix("签到码："))
    assert code is not None
    return code, decoded[0].text, photo, board


async def test_members_sign_in_by_code_and_qr_in_the_window_and_not_after(
    org_harness: Harness,
) -> None:
    harness = org_harness
    clock = ShiftedClock()
    harness.clock = clock
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        typist, scanner, late = [await join(harness, link, n) for n in ("张三", "李四", "王五")]
        starts = clock.now() + timedelta(minutes=10)
        event_id = await services.meetings.event(Meeting("zb-1", starts, "学习党章", "村委会"))
        code, decoded, photo, board = await _open(harness, secretary)
        # The QR code is the bot's deep link, carrying the session's unguessable token.
        ((token,),) = harness.rows(
            "SELECT token FROM signin_sessions WHERE event_id = ?", event_id
        )
        assert decoded == f"https://t.me/branch_study_bot?start=si-{token}"
        assert len(token) >= 20 and code not in token
        assert f"有效时间：{_hhmm(starts - timedelta(minutes=30))}–" in photo["caption"]
        assert "应到 3 人　已签到 0 人" in board["text"]
        assert [label for label, _ in buttons(board)] == ["✍️ 代签未到的党员"]

        # Typed the forgiving way: full-width digits and a space.
        typed = "".join(chr(0xFF10 + int(d)) for d in code[:2]) + " " + code[2:]
        mark = harness.client.cursor
        done = await typist.say(typed)
        assert done["text"].startswith("✅ 签到成功！\n【东村党支部】")
        # The count message, edited in place.
        edited = await harness.client.wait_for_edit(
            secretary.id, board["message_id"], lambda m: "已签到 1 人" in m["text"], after=mark
        )
        assert "最近签到：张三 " in edited["text"]

        # Scanning the QR code sends /start si-<token> to the bot.
        scanned = await scanner.say("/start " + decoded.rsplit("start=", 1)[1])
        assert scanned["text"].startswith("✅ 签到成功！")
        again = await typist.say(code)
        assert again["text"].startswith("您已于 ") and "签到，无需重复签到" in again["text"]

        # After the window (3 hours from the start) the code no longer signs anyone in.
        clock.advance(starts + timedelta(hours=3, minutes=1) - clock.now())
        refused = await late.say(code)
        closes = _hhmm(starts + timedelta(hours=3))
        assert refused["text"] == (
            f"签到已经结束（{closes} 截止）。如果您参加了会议，请联系支部书记补签。"
        )
        rescan = await late.say("/start " + decoded.rsplit("start=", 1)[1])
        assert rescan["text"] == refused["text"]
    rows = harness.rows(
        "SELECT m.real_name, a.signed_kind, a.signed_by, a.signed_at IS NOT NULL"
        " FROM attendance a JOIN members m ON m.id = a.member_id"
        " WHERE a.present = 1 ORDER BY m.real_name"
    )
    assert rows == [("张三", "self", typist.id, 1), ("李四", "self", scanner.id, 1)]


async def test_a_stranger_another_branch_and_wrong_codes_are_refused(
    org_harness: Harness,
) -> None:
    harness = org_harness
    harness.clock = ShiftedClock()
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        other_secretary = await person(harness, "钱书记", SECRETARY_2)
        member = await join(harness, await invite_link(secretary), "张三")
        outsider = await join(
            harness,
            await invite_link(other_secretary),
            "孙七",
            SECRETARY_2,
            branch="镇机关党支部",
        )
        stranger = await person(harness, "路人甲")
        starts = harness.clock.now() + timedelta(minutes=5)
        await services.meetings.event(Meeting("zb-1", starts, "学习党章", "村委会"))
        code, link, _, _ = await _open(harness, secretary)
        payload = "/start " + link.rsplit("start=", 1)[1]

        other_branch = "这是其他支部的会议签到，您不是该支部的党员，不能在这里签到。"
        assert (await outsider.say(code))["text"] == other_branch
        assert (await outsider.say(payload))["text"] == other_branch
        not_member = "您还没有加入支部，不能签到。请先通过支部书记发的邀请链接加入。"
        assert (await stranger.say(code))["text"] == not_member
        assert (await stranger.say(payload))["text"] == not_member
        assert (await member.say("/start si-not-a-real-token"))["text"].startswith(
            "这个签到二维码已失效"
        )

        wrong = next(c for c in ("1111", "2222") if c != code)
        first = await member.say(f"签到码：{wrong}")
        # The bad link above was the first failure; this is the second of five.
        assert first["text"] == (
            "签到码不对。请核对会场公布的 4 位数字后再发一次（还可以试 3 次）。"
        )
        for _ in range(3):
            await member.say(wrong)
        # Stopped: even the right code waits now, so guessing 10,000 codes is hopeless.
        stopped = await member.say(code)
        assert stopped["text"] == "签到码输错次数太多，请 10 分钟后再试，或请支部书记代签。"
        harness.clock.advance(timedelta(minutes=11))
        assert (await member.say(code))["text"].startswith("✅ 签到成功！")
        # /signin with the code after it works too, and a member's /signin asks for the code.
        assert (await member.say("/signin"))["text"].startswith("请发送会场上公布的 4 位签到码")
        # Not a code at all: asked again, not counted as a guess.
        assert (await member.say("好的"))["text"].startswith("签到码是 4 位数字（例如 1234）")
        assert (await member.say(code))["text"].startswith("您已于 ")
    assert harness.rows("SELECT COUNT(*) FROM attendance WHERE present = 1") == [(1,)]


async def test_the_secretary_signs_in_one_during_and_one_after_the_meeting(
    org_harness: Harness,
) -> None:
    """代签 while the window is open, from a paged list with search by name; 补签 after it,
    labelled so; both recorded with the secretary and the time, and shown on /attendance."""
    harness = org_harness
    clock = ShiftedClock()
    harness.clock = clock
    names = [f"{surname}红" for surname in "赵钱孙李周吴郑王冯陈"]
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        for name in names:
            await join(harness, link, name)
        starts = clock.now() + timedelta(minutes=20)
        event_id = await services.meetings.event(Meeting("zb-1", starts, "学习党章", "村委会"))
        _, _, _, board = await _open(harness, secretary)
        (open_list,) = [d for label, d in buttons(board) if label == "✍️ 代签未到的党员"]
        mark = harness.client.cursor
        await secretary.tap(board, open_list)
        page = await secretary.next_message(lambda m: "未签到 10 人" in m["text"], after=mark)
        assert page["text"].startswith("✍️ 代签 · ")
        assert "第 1/2 页" in page["text"]
        labels = [label for label, _ in buttons(page)]
        assert labels[:8] == [f"代签 {n}" for n in names[:8]]
        assert labels[8:] == ["下一页", "🔍 按姓名查找"]
        # Search by part of a name, then 代签 from the result.
        search = next(d for label, d in buttons(page) if label == "🔍 按姓名查找")
        mark = harness.client.cursor
        await secretary.tap(page, search)
        await secretary.next_message(lambda m: "请发送要代签的党员姓名" in m["text"], after=mark)
        found = await secretary.say("冯")
        assert found["text"].startswith("姓名含“冯”的未签到党员（1 人）")
        (proxy,) = [d for label, d in buttons(found) if label == "代签 冯红"]
        answer = await harness.client.wait_for_callback_answer(
            await secretary.tap(found, proxy), after=0
        )
        assert answer["text"] == "已为 冯红 代签"
        shown = await secretary.edited(found)
        assert "未签到 9 人" in shown["text"]

        # After the meeting's window: the same list is 补签.
        clock.advance(starts + timedelta(hours=3, minutes=5) - clock.now())
        sheet = await secretary.say("/attendance")
        assert "已签到（1）：冯红（代签）" in sheet["text"]
        (late_list,) = [d for label, d in buttons(sheet) if label == "✍️ 补签（9 人未签到）"]
        mark = harness.client.cursor
        await secretary.tap(sheet, late_list)
        page = await secretary.next_message(lambda m: "补签 ·" in m["text"], after=mark)
        assert "会议已结束，未签到 9 人" in page["text"]
        assert [label for label, _ in buttons(page)][:8] == [f"补签 {n}" for n in names[:8]]
        # 陈红 is on the second page: 下一页 turns the list in place.
        (following,) = [d for label, d in buttons(page) if label == "下一页"]
        await secretary.tap(page, following)
        page = await secretary.edited(page)
        assert "第 2/2 页" in page["text"]
        assert [label for label, _ in buttons(page)] == ["补签 陈红", "上一页", "🔍 按姓名查找"]
        (late,) = [d for label, d in buttons(page) if label == "补签 陈红"]
        answer = await harness.client.wait_for_callback_answer(
            await secretary.tap(page, late), after=0
        )
        assert answer["text"] == "已为 陈红 补签"
        sheet = await secretary.say("/attendance")
        assert "已签到（2）：冯红（代签）、陈红（补签）" in sheet["text"]
    rows = harness.rows(
        "SELECT m.real_name, a.signed_kind, a.signed_by, a.signed_at FROM attendance a"
        " JOIN members m ON m.id = a.member_id WHERE a.event_id = ? AND a.present = 1"
        " ORDER BY a.signed_at",
        event_id,
    )
    assert [(name, kind, by) for name, kind, by, _ in rows] == [
        ("冯红", "proxy", SECRETARY_1),
        ("陈红", "late", SECRETARY_1),
    ]
    proxied_at = datetime.fromtimestamp(rows[0][3] / 1000, UTC)
    late_at = datetime.fromtimestamp(rows[1][3] / 1000, UTC)
    assert proxied_at < starts + timedelta(hours=3) < late_at


async def test_the_live_count_is_edited_in_place_and_throttled(org_harness: Harness) -> None:
    """Ten members signing in within a second give a couple of edits, not ten, and the last
    edit shows all ten."""
    harness = org_harness
    harness.clock = ShiftedClock()
    names = [f"{surname}明" for surname in "赵钱孙李周吴郑王冯陈"]
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary = await person(harness, "赵书记", SECRETARY_1)
        link = await invite_link(secretary)
        members = [await join(harness, link, name) for name in names]
        starts = harness.clock.now()
        await services.meetings.event(Meeting("zb-1", starts, "学习党章", "村委会"))
        code, _, _, board = await _open(harness, secretary)
        await harness.client.take_calls()
        mark = harness.client.cursor
        for member in members:
            await harness.client.send_text(member.id, code)
        final = await harness.client.wait_for_edit(
            secretary.id,
            board["message_id"],
            lambda m: "已签到 10 人" in m["text"],
            after=mark,
            timeout=20,
        )
        assert "应到 10 人　已签到 10 人\n请假 0 人　未签到 0 人" in final["text"]
        await asyncio.sleep(0.5)
        calls = await harness.client.take_calls()
    assert calls.get("sendMessage") == 10
    assert 1 <= calls.get("editMessageText", 0) <= 4


async def test_sign_in_opens_from_the_buttons_on_themeday_and_attendance(
    org_harness: Harness,
) -> None:
    """开启签到 on /themeday (in the half hour before a theme day) and under /attendance give
    the same QR code and code as /signin."""
    from bot.schedule.config import ScheduleSettings

    harness = org_harness
    harness.clock = ShiftedClock()
    starts = (harness.clock.now() + timedelta(minutes=15)).astimezone(ZONE)
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][starts.weekday()]
    harness.settings = harness.settings.model_copy(
        update={
            "schedules": ScheduleSettings.model_validate(
                {
                    "theme_day": {
                        "rule": f"FREQ=WEEKLY;BYDAY={weekday}",
                        "time": starts.strftime("%H:%M"),
                        "topic": "学习党章",
                        "reminders": [],
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
        await join(harness, await invite_link(secretary), "张三")
        listing = await secretary.say("/themeday")
        label = f"📲 开启{starts.month}月{starts.day}日签到"
        (open_here,) = [d for text, d in buttons(listing) if text == label]
        mark = harness.client.cursor
        await secretary.tap(listing, open_here)
        photo = await secretary.next_message(lambda m: "photo" in m, after=mark)
        assert "签到 · 【东村党支部】" in photo["caption"] and "学习党章" in photo["caption"]
        await secretary.next_message(lambda m: "签到情况" in m.get("text", ""), after=mark)
        sheet = await secretary.say("/attendance")
        assert [t for t, _ in buttons(sheet)] == ["📲 开启签到", "✍️ 代签（1 人未签到）"]
        (again,) = [d for text, d in buttons(sheet) if text == "📲 开启签到"]
        mark = harness.client.cursor
        await secretary.tap(sheet, again)
        second = await secretary.next_message(lambda m: "photo" in m, after=mark)
        # Opened once: the same code shown again.
        assert second["caption"] == photo["caption"]
    assert harness.rows("SELECT COUNT(*) FROM signin_sessions") == [(1,)]

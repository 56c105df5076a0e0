"""A theme day played in the sandbox page, in a real browser (issue 13): the secretary sets the
topic and place of the coming theme day; the reminder carries them; a member taps 参加, sees
the bot's answer as a toast and their reminder edited to show the choice; another takes 请假
with a reason; at the meeting the secretary opens sign-in and the QR code shows (and scans,
from the page's own picture), one member signs in with the code and another by the QR link,
the count goes up in place; after it the member on leave gets the 补课 and confirms 已学习.
Screenshots go to tests/artifacts/themeday-*.png.

The simulated clock starts at 10:00 on the first day of next month, so the coming theme day
(the first Monday) and its reminders lie ahead whatever the real date."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from tests.browser.conftest import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed (/usr/bin/chromium)"
    ),
]

ZONE = ZoneInfo("Asia/Shanghai")
TOPIC = "学习《中国共产党支部工作条例》"
PLACE = "村委会三楼会议室"
SECRETARY = "东村党支部书记（支部书记）"
COMING = "王建国（党员）"
AWAY = "李秀英（党员）"
SCANS = "张德福（党员）"
REASON = "在县医院住院"
MATERIAL = "《中国共产党支部工作条例（试行）》第一章至第三章"
MINUTES = "学习《支部工作条例》第一至三章，讨论本村党员联系群众办法。"


@pytest.fixture
def sandbox_start() -> datetime:
    now = datetime.now(ZONE)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, 10, 0, tzinfo=ZONE).astimezone(UTC)


async def _say(page: object, text: str) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    await page.fill("#text", text)
    await page.click("#send")


async def _shot(page: object, name: str) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"themeday-{name}.png"))


async def _user_id(page: object, label: str) -> int:
    """The Telegram id of the persona shown as ``label`` in the 我是 list."""
    from playwright.async_api import Page

    assert isinstance(page, Page)
    value = await page.locator("#who option", has_text=label).get_attribute("value")
    assert value is not None
    return int(value)


async def _set_detail(page: object, label: str, detail: str, value: str) -> None:
    """On the secretary's edit menu: tap ``label``, type ``value`` as the ``detail``, confirm
    the preview (which then says 已保存)."""
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    menu = page.locator("#messages li", has_text="请选择要修改的内容").last
    await menu.locator(".keyboard button", has_text=label).click()
    await expect(page.locator("#messages li", has_text=f"请发送新的{detail}").last).to_be_visible(
        timeout=10_000
    )
    await _say(page, value)
    preview = page.locator("#messages li", has_text=f"{detail}改为").last
    await expect(preview).to_contain_text(value, timeout=10_000)
    saved = page.locator("#messages li", has_text="已保存")
    before = await saved.count()
    await preview.locator(".keyboard button", has_text="确认").click()
    await expect(saved).to_have_count(before + 1, timeout=10_000)


async def _fire_until(page: object, title: str) -> None:
    """Press 立即触发下一个定时事件 until the event called ``title`` has been fired (study
    days, other reminders and the quiz nudge may come first)."""
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    for _ in range(12):
        upcoming = await page.inner_text("#next")
        await page.click("#fire")
        await expect(page.locator("#fire")).to_be_enabled(timeout=10_000)
        await expect(page.locator("#next")).not_to_have_text(upcoming, timeout=10_000)
        if upcoming.startswith(title):
            return
    raise AssertionError(f"no {title} among the next twelve scheduled events")


async def test_a_theme_day_in_the_sandbox_page(page: object) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    messages = page.locator("#messages li")

    # The secretary sets this month's topic and place from the chat.
    await page.select_option("#who", label=SECRETARY)
    await _say(page, "/themeday")
    listing = messages.filter(has_text="修改").last
    await expect(listing).to_be_visible(timeout=10_000)
    await listing.locator(".keyboard button").first.click()
    await expect(messages.filter(has_text="请选择要修改的内容").last).to_be_visible(timeout=10_000)
    await _set_detail(page, "设置主题", "主题", TOPIC)
    await _set_detail(page, "设置地点", "地点", PLACE)
    await _set_detail(page, "设置学习材料", "学习材料", MATERIAL)
    await _shot(page, "1-secretary-sets-topic")

    # The reminder goes out with them.
    await _fire_until(page, "主题党日提醒")
    await page.select_option("#who", label=COMING)
    reminder = messages.filter(has_text="主题党日提醒").last
    await expect(reminder).to_contain_text(f"主题：{TOPIC}", timeout=10_000)
    await expect(reminder).to_contain_text(f"地点：{PLACE}")
    await expect(reminder).not_to_contain_text(MATERIAL)  # the material goes with the 补课

    # 参加: the answer shows as a toast, and the reminder itself now says so.
    await reminder.locator(".keyboard button", has_text="参加").click()
    toast = page.locator("#toast")
    await expect(toast).to_be_visible(timeout=10_000)
    await expect(toast).to_have_text("已登记：参加。到时见！")
    await expect(reminder).to_contain_text("✅ 您已报名参加", timeout=10_000)
    await expect(reminder.locator(".keyboard button")).to_have_text(["改为请假"])
    await expect(reminder.locator(".edited")).to_be_visible()
    await _shot(page, "2-member-rsvp-toast")
    await expect(toast).to_be_hidden(timeout=10_000)  # a toast goes by itself

    # 请假 with a reason typed in (the choices 出差/生病/工作冲突 are buttons).
    await page.select_option("#who", label=AWAY)
    reminder = messages.filter(has_text="主题党日提醒").last
    await expect(reminder).to_be_visible(timeout=10_000)
    await reminder.locator(".keyboard button", has_text="请假").click()
    ask = messages.filter(has_text="请点选请假原因").last
    await expect(ask).to_be_visible(timeout=10_000)
    await expect(ask.locator(".keyboard button")).to_have_count(3)
    await _say(page, REASON)
    await expect(messages.filter(has_text=f"已登记请假：{REASON}").last).to_be_visible(
        timeout=10_000
    )
    await expect(reminder).to_contain_text(f"📝 您已请假（{REASON}）", timeout=10_000)
    await expect(reminder.locator(".keyboard button")).to_have_text(["改为参加"])
    await _shot(page, "3-member-on-leave")

    # The secretary's attendance list shows both (and the demo's member on leave).
    await page.select_option("#who", label=SECRETARY)
    await _say(page, "/attendance")
    sheet = messages.filter(has_text="请假（2）").last
    await expect(sheet).to_contain_text("参加（1）：王建国", timeout=10_000)
    await expect(sheet).to_contain_text(f"李秀英（{REASON}）")
    await expect(sheet).to_contain_text("刘桂兰（外出务工）")
    await _shot(page, "4-secretary-attendance")

    # The meeting starts; the secretary opens sign-in and the QR code shows in the chat.
    await _fire_until(page, "主题党日开始")
    await _say(page, "/signin")
    shown = messages.filter(has_text="签到码：").last
    image = shown.locator("img")
    await expect(image).to_be_visible(timeout=10_000)
    width = await image.evaluate("img => img.complete ? img.naturalWidth : 0")
    assert width > 0
    found = re.search(r"签到码：([0-9 ]+)", await shown.inner_text())
    assert found is not None
    code = found.group(1).replace(" ", "")
    board = messages.filter(has_text="签到情况").last
    await expect(board).to_contain_text("已签到 0 人", timeout=10_000)
    await shown.scroll_into_view_if_needed()
    await _shot(page, "5-secretary-opens-signin")
    # The picture as the page draws it scans: a phone pointed at the screen opens the link.
    picture = await image.screenshot()
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))
    assert [d.format for d in scanned] == [zxingcpp.BarcodeFormat.QRCode]
    link = scanned[0].text
    assert link.startswith("https://t.me/branch_study_bot?start=si-")

    # A member signs in by typing the code in the private chat.
    await page.select_option("#who", label=COMING)
    await _say(page, code)
    await expect(messages.filter(has_text="✅ 签到成功").last).to_be_visible(timeout=10_000)
    await _shot(page, "6-member-signs-in")
    # Another scans the QR code: Telegram opens the chat with /start and the link's payload.
    await page.select_option("#who", label=SCANS)
    await _say(page, f"/start {link.split('start=')[1]}")
    await expect(messages.filter(has_text="✅ 签到成功").last).to_be_visible(timeout=10_000)

    # The secretary's count went up in place.
    await page.select_option("#who", label=SECRETARY)
    await expect(messages.filter(has_text="签到情况").last).to_contain_text(
        "已签到 2 人", timeout=10_000
    )

    # 补课: those on leave get the topic with 已学习, and confirm it.
    await _fire_until(page, "补课")
    await page.select_option("#who", label=AWAY)
    makeup = messages.filter(has_text="📚 补课").last
    await expect(makeup).to_contain_text(f"主题：{TOPIC}", timeout=10_000)
    await expect(makeup).to_contain_text(f"学习材料：\n{MATERIAL}")
    await makeup.locator(".keyboard button", has_text="已学习").click()
    await expect(toast).to_have_text("已记录，谢谢！", timeout=10_000)
    await expect(makeup).to_contain_text("✅ 已记录：您于", timeout=10_000)
    await expect(makeup.locator(".keyboard button")).to_have_count(0)
    await _shot(page, "7-makeup-confirmed")
    # The demo's member on leave has hers too; the one who signed in has none.
    await page.select_option("#who", label="刘桂兰（党员）")
    assert await toast.is_hidden()  # 李秀英's popup is not shown to anyone else
    await expect(messages.filter(has_text="📚 补课").last).to_contain_text(
        f"主题：{TOPIC}", timeout=10_000
    )
    for signed in (COMING, SCANS):
        await page.select_option("#who", label=signed)
        await expect(messages.filter(has_text="📚 补课")).to_have_count(0)

    # After the day a tap on the old reminder is refused in a dialog (show_alert), not a toast.
    assert await page.input_value("#who") == str(await _user_id(page, SCANS))
    reminder = messages.filter(has_text="主题党日提醒").first
    await reminder.locator(".keyboard button", has_text="参加").click()
    alert = page.locator("#alert")
    await expect(alert).to_be_visible(timeout=10_000)
    await expect(alert).to_contain_text("这次活动已经过去了")
    await _shot(page, "8-alert-after-the-day")
    await alert.locator("button", has_text="确定").click()
    await expect(alert).to_be_hidden()

    # The secretary keeps the meeting's record: minutes, and a photo sent from this computer.
    await page.select_option("#who", label=SECRETARY)
    await _say(page, "/meeting")
    record = page.locator("#messages li .keyboard button", has_text="记录 ").last
    await expect(record).to_be_visible(timeout=10_000)
    await record.click()
    card = messages.filter(has_text="📋 会议记录：").last
    await expect(card).to_contain_text("纪要：未填写", timeout=10_000)
    await card.locator(".keyboard button", has_text="填写纪要").click()
    await expect(messages.filter(has_text="请发送会议纪要").last).to_be_visible(timeout=10_000)
    await _say(page, MINUTES)
    await expect(messages.filter(has_text="纪要已保存").last).to_be_visible(timeout=10_000)
    await card.locator(".keyboard button", has_text="上传照片").click()
    ask = messages.filter(has_text="请发送会议照片").last
    await expect(ask).to_be_visible(timeout=10_000)
    await page.set_input_files(
        "#photo", files=[{"name": "会场.png", "mimeType": "image/png", "buffer": picture}]
    )
    await expect(messages.filter(has_text="照片已保存（共 1 张）").last).to_be_visible(
        timeout=10_000
    )
    sent = page.locator("#messages li.mine img").last
    await expect(sent).to_be_visible()
    assert await sent.evaluate("img => img.complete ? img.naturalWidth : 0") > 0
    await page.locator("#messages li .keyboard button", has_text="完成").last.click()
    await expect(messages.filter(has_text="共保存了 1 张照片").last).to_be_visible(timeout=10_000)
    await _shot(page, "9-secretary-record-photo")

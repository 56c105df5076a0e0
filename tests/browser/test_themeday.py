"""A theme day played in the sandbox page, in a real browser (issue 13): the secretary sets the
topic and place of the coming theme day; the reminder carries them; a member taps 参加, sees
the bot's answer as a toast and their reminder edited to show the choice; another takes 请假
with a reason. Screenshots go to tests/artifacts/themeday-*.png.

The simulated clock starts at 10:00 on the first day of next month, so the coming theme day
(the first Monday) and its reminders lie ahead whatever the real date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

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
REASON = "在县医院住院"


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


async def _set_detail(page: object, label: str, value: str) -> None:
    """On the secretary's edit menu: tap ``label``, type ``value``, confirm the preview."""
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    menu = page.locator("#messages li", has_text="请选择要修改的内容").last
    await menu.locator(".keyboard button", has_text=label).click()
    detail = label.removeprefix("设置")
    await expect(page.locator("#messages li", has_text=f"请发送新的{detail}").last).to_be_visible(
        timeout=10_000
    )
    await _say(page, value)
    preview = page.locator("#messages li", has_text=f"{detail}改为").last
    await expect(preview).to_contain_text(value, timeout=10_000)
    await preview.locator(".keyboard button", has_text="确认").click()
    await expect(
        page.locator("#messages li", has_text=f"已保存。之后发出的提醒会写上新的{detail}").last
    ).to_be_visible(timeout=10_000)


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
    await _set_detail(page, "设置主题", TOPIC)
    await _set_detail(page, "设置地点", PLACE)
    await _shot(page, "1-secretary-sets-topic")

    # The reminder goes out with them.
    await _fire_until(page, "主题党日提醒")
    await page.select_option("#who", label=COMING)
    reminder = messages.filter(has_text="主题党日提醒").last
    await expect(reminder).to_contain_text(f"主题：{TOPIC}", timeout=10_000)
    await expect(reminder).to_contain_text(f"地点：{PLACE}")

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

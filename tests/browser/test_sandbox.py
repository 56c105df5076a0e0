"""The sandbox page in a real browser (Debian's Chromium, driven by Playwright): a member
takes a quiz by clicking, a question with long options and its verdict on a phone-sized
window, a secretary asks for statistics and a chart. Screenshots go to tests/artifacts/.
Skipped, and said so, where Chromium is not installed."""

from __future__ import annotations

import pytest

from bot.handlers.quiz_view import screen
from bot.quiz.bank import load_bank
from bot.quiz.questions import Bank
from tests.browser.conftest import ARTIFACTS, CHROMIUM, ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed (/usr/bin/chromium)"
    ),
]


async def test_a_member_takes_a_quiz_by_clicking(page: object) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    await page.select_option("#who", label="王建国（党员）")
    await page.fill("#text", "/quiz")
    await page.click("#send")
    summary = page.locator("#messages li", has_text="答题结束")
    for number in range(1, 11):
        question = page.locator(
            "#messages li", has_text=f"第 {number}/10 题", has_not_text="正确答案"
        )
        await expect(question).to_be_visible(timeout=10_000)
        buttons = question.locator(".keyboard button")
        labels = await buttons.all_inner_texts()
        await buttons.first.click()
        if "提交" in labels:
            await question.locator(".keyboard button", has_text="提交").click()
        result = page.locator("#messages li", has_text=f"第 {number}/10 题").filter(
            has_text="正确答案"
        )
        await expect(result).to_be_visible(timeout=10_000)
        await result.locator(
            ".keyboard button", has_text="查看得分" if number == 10 else "下一题"
        ).click()
    await expect(summary).to_be_visible(timeout=10_000)
    await expect(summary).to_contain_text("答对 ")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "member-quiz.png"), full_page=True)


LONG_OPTIONS = ROOT / "tests" / "fixtures" / "screen"


@pytest.mark.parametrize("bank", [load_bank([LONG_OPTIONS], screen).bank], ids=["long options"])
async def test_long_options_and_the_verdict_on_a_phone(page: object, bank: Bank) -> None:
    """At 390×844: a question whose options are too long for buttons lists them once, with
    letter buttons; after the answer the verdict, the answer and the explanation stay in view
    with 下一题 under them."""
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    reference = (ROOT / "docs" / "reference" / "constitution.md").read_text(encoding="utf-8")
    for question in bank.questions:  # every option is a verified line, word for word
        assert all(option in reference for option in question.options)
        assert question.quote in reference
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.select_option("#who", label="王建国（党员）")
    await page.fill("#text", "/quiz")
    await page.click("#send")
    question = page.locator("#messages li", has_text="第 1/2 题", has_not_text="正确答案")
    await expect(question).to_be_visible(timeout=10_000)
    await expect(question).to_contain_text("《党章》第")
    await expect(question).to_contain_text("A. ")
    labels = await question.locator(".keyboard button").all_inner_texts()
    assert labels == ["A", "B", "C", "D"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await question.scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "phone-long-options.png"))
    await question.locator(".keyboard button", has_text="C").click()
    result = page.locator("#messages li", has_text="第 1/2 题").filter(has_text="正确答案")
    await expect(result).to_be_visible(timeout=10_000)
    await expect(result).to_contain_text("解析：")
    next_button = result.locator(".keyboard button", has_text="下一题")
    await expect(next_button).to_be_visible()
    await expect(page.locator("#messages li", has_text="第 2/2 题")).to_have_count(0)
    await result.scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "phone-verdict-next.png"))
    await next_button.click()
    await expect(page.locator("#messages li", has_text="第 2/2 题")).to_be_visible(timeout=10_000)


async def test_a_secretary_sees_statistics_and_a_chart(page: object) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    await page.select_option("#who", label="东村党支部书记（支部书记）")
    await page.fill("#text", "/stats")
    await page.click("#send")
    await expect(page.locator("#messages li", has_text="参学率")).to_be_visible(timeout=10_000)
    await page.fill("#text", "/chart")
    await page.click("#send")
    image = page.locator("#messages li img").last
    await expect(image).to_be_visible(timeout=20_000)
    width = await image.evaluate("img => img.complete ? img.naturalWidth : 0")
    assert width > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "secretary-stats.png"), full_page=True)
    # The same conversation on a phone-sized window.
    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(page.locator("#send")).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "secretary-phone.png"))

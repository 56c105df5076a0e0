"""Honest comparisons: the month under way against the same days of the month before, no
place without a quiz, no "hardest" question on too few answers."""

from __future__ import annotations

from datetime import timedelta

from bot.handlers.stats_view import hardest_text, report_text
from bot.i18n import LOCALES
from bot.stats.periods import Period, Span
from bot.storage import Storage
from bot.storage.url import DatabaseUrl
from tests.stats.test_membership_over_time import NOV_END, NOV_START, november, quiz, service

DECEMBER = Period(Span.MONTH, 2026, 12)
TEXTS = LOCALES["zh-CN"]


async def test_the_month_under_way_is_compared_with_the_same_days_before(
    database: DatabaseUrl,
) -> None:
    storage, _ = await november(await Storage.open(database))
    try:
        # November: quizzes on the 11th, 12th and 13th. On 5 December, 1–4 November had none.
        member = (await storage.org.members_in(["zb-1"]))[0]
        assert member.telegram_id is not None
        await quiz(storage, member.id, member.telegram_id, NOV_END + timedelta(days=1), 2)
        stats = service(
            storage,
            NOV_END + timedelta(days=4, hours=2),
        )
        report = await stats.report("zb-1", DECEMBER)
        window = report.previous_window
        assert window.same_time and window.start == NOV_START
        assert window.end == NOV_START + timedelta(days=4, hours=2)
        assert report.previous.quizzes == 0 and report.figures.quizzes == 1
        text = report_text(TEXTS, report)
        assert "上期同期即前 4 天 0%" in text
        # A month that is over is compared with the whole month before.
        later = service(
            storage,
            NOV_END + timedelta(days=40),
        )
        whole = await later.report("zb-1", DECEMBER)
        assert not whole.previous_window.same_time and whole.previous.quizzes == 1
        assert "上期 " in report_text(TEXTS, whole)
    finally:
        await storage.close()


async def test_no_place_without_a_quiz_and_no_hard_question_on_few_answers(
    database: DatabaseUrl,
) -> None:
    storage, _ = await november(await Storage.open(database))
    try:
        stats = service(
            storage,
            NOV_END + timedelta(days=40),
            3,
        )
        december = await stats.report("zb-1", DECEMBER)
        assert december.place is None and december.figures.quizzes == 0
        text = report_text(TEXTS, december)
        assert "未参学" in text and "排第" not in text
        november_ = Period(Span.MONTH, 2026, 11)
        # Three quizzes of two questions: each question answered three times.
        assert [i.attempts for i in await stats.hardest_in("dw", november_)] == [3, 3]
        strict = service(storage, NOV_END, 4)
        assert await strict.hardest_in("dw", november_) == []
        assert "还没有作答满 4 次" in hardest_text(TEXTS, "示范镇党委", "11月", [], {}, 4)
    finally:
        await storage.close()

"""The sandbox's 立即触发下一个定时事件 follows a theme day the secretary moved (issue 13):
it stops at the moved day's reminders, its start and its 补课, at the stored times. It used to
look only at the configured schedule, jumped to the old day's reminder, and the moved day's
reminders, then past the grace window, were never sent."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from bot.clock import ShiftedClock
from bot.meetings.events import Meeting
from bot.sandbox.page import Page
from bot.schedule.config import ScheduleSettings
from bot.schedule.occurrences import OccurrenceKind
from tests.e2e.conftest import SECRETARY_1, Harness, invite_link, join, person

QUIET = {
    "study_day": {"enabled": False},
    "quiz_nudge": {"enabled": False},
    "political_birthday": {"enabled": False},
}


async def test_fire_follows_a_moved_theme_day(org_harness: Harness) -> None:
    harness = org_harness
    clock = ShiftedClock()
    harness.clock = clock
    harness.settings = harness.settings.model_copy(
        update={"schedules": ScheduleSettings.model_validate(QUIET)}
    )
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        zone = services.settings.zone
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await join(harness, await invite_link(secretary), "张三")
        page = Page(harness.emulator, clock, lambda: app)

        async def fire() -> tuple[str, datetime]:
            response = await page._fire(None)  # type: ignore[arg-type]
            body = json.loads(response.text or "{}")
            return str(body["fired"]), datetime.fromisoformat(body["at"])

        # The theme day after next, so that the moved day is well ahead of now.
        plan = services.schedule.branch("zb-1", None)
        _, planned = plan.next_occurrences(clock.now(), 2, kinds=[OccurrenceKind.THEME_DAY])
        (event,) = await services.meetings.coming(
            [Meeting("zb-1", planned.occurs_at, planned.title, planned.place)]
        )
        # Two days earlier, at 15:00: before any reminder of the configured day.
        day = planned.occurs_at.astimezone(zone).date() - timedelta(days=2)
        moved = datetime.combine(day, time(15, 0), tzinfo=zone)
        assert await services.meetings.move(event, moved, "与镇党委集中学习错开", SECRETARY_1)
        services.sender.wake()
        await member.next_message(lambda m: "改期通知" in m["text"])
        # Until the moved day comes, the page may stop at the next theme day's (the first
        # one's, not moved) reminders, its start and its 补课; skip to the moved day's.
        eve = datetime.combine(day - timedelta(days=1), time(18, 0), tzinfo=zone)
        fired: list[tuple[str, datetime]] = []
        for _ in range(12):
            title, at = await fire()
            if at >= eve:
                fired.append((title, at))
            if title.startswith("补课") and at > moved:
                break
        after = datetime.combine(day + timedelta(days=1), time(9, 0), tzinfo=zone)
        assert fired == [
            ("主题党日提醒", eve),
            ("主题党日提醒", datetime.combine(day, time(8, 0), tzinfo=zone)),
            ("主题党日开始", moved),
            ("补课：主题党日", after),
        ]
        reminders = [
            m
            for m in await harness.client.get_messages(member.id)
            if "主题党日提醒" in m.get("text", "") and f"{day.month}月{day.day}日" in m["text"]
        ]
        assert len(reminders) == 2  # the day before and on the day (he has not replied)
        assert all("15:00" in m["text"] for m in reminders)
        held = f"{day.month}月{day.day}日主题党日"
        makeup = await member.next_message(
            lambda m: m["text"].startswith(f"📚 补课 · 【东村党支部】{held}")
        )
        assert "15:00" in makeup["text"]

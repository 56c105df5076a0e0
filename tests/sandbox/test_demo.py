"""The demo organisation's prepared theme day (issue 13, part 6): 东村党支部's next theme day
has the topic and place its secretary set, and a member is already on leave with a reason,
as members and the secretary see them through the bot; firing the sandbox's events on, she
gets the 补课 with the study material and 已学习."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox.demo import SECRETARIES, THEME_DAY
from bot.sandbox.emulator import EmulatorClient
from tests.sandbox.conftest import running_sandbox


async def _personas(url: str) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/_sandbox/personas") as response,
    ):
        return list(await response.json())


async def _fire(url: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/_sandbox/fire", json={}) as response,
    ):
        return dict(await response.json())


async def test_the_demo_theme_day_has_topic_place_and_a_member_on_leave(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path / "bot.sqlite3", fresh=True) as url:
        personas = await _personas(url)
        member = next(p for p in personas if p["name"] == "王建国")
        secretary = SECRETARIES[THEME_DAY.branch]
        async with EmulatorClient(url) as client:
            await client.send_text(member["user_id"], "/themeday")
            listing = await client.wait_for_message(
                member["user_id"], lambda m: "主题党日" in m.get("text", ""), timeout=10
            )
            first = listing["text"].split("\n\n")[1]
            assert f"地点：{THEME_DAY.place}" in first
            assert f"主题：{THEME_DAY.topic}" in first
            await client.send_text(secretary, "/attendance")
            sheet = await client.wait_for_message(
                secretary, lambda m: "请假" in m.get("text", ""), timeout=10
            )
            assert f"请假（1）：{THEME_DAY.on_leave}（{THEME_DAY.reason}）" in sheet["text"]
            away = next(p for p in personas if p["name"] == THEME_DAY.on_leave)["user_id"]
            for _ in range(40):
                fired = await _fire(url)
                if fired["fired"].startswith("补课"):
                    break
            else:
                raise AssertionError("no 补课 among the next forty events")
            makeup = await client.wait_for_message(
                away, lambda m: m.get("text", "").startswith("📚 补课"), timeout=10, after=0
            )
            assert f"主题：{THEME_DAY.topic}" in makeup["text"]
            assert THEME_DAY.material in makeup["text"]
            labels = [b["text"] for row in makeup["reply_markup"]["inline_keyboard"] for b in row]
            assert labels == ["✅ 已学习"]

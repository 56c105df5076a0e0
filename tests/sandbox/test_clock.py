"""The sandbox's simulated clock survives restarts (issue 13, part 6): it is kept in a JSON file
next to the sandbox database, written atomically when it moves, so after a restart the clock
is where it was and 立即触发下一个定时事件 still fires the next event. A kept database whose
clock file was lost catches up with the scheduler's watermark instead of going back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.clock import SandboxClock, clock_file
from tests.sandbox.conftest import running_sandbox


def test_the_clock_is_saved_when_it_moves_and_read_back(tmp_path: Path) -> None:
    path = clock_file(tmp_path / "bot.sqlite3")
    assert path == tmp_path / "bot.clock.json"
    clock = SandboxClock.load(path)
    assert clock.offset == timedelta() and not path.exists()
    clock.advance(timedelta(days=3, hours=2))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["offset_seconds"] == timedelta(days=3, hours=2).total_seconds()
    assert datetime.fromisoformat(saved["simulated_now"]) > datetime.now(UTC) + timedelta(days=3)
    assert [p.name for p in tmp_path.iterdir()] == ["bot.clock.json"]  # no partial file left
    again = SandboxClock.load(path)
    assert again.offset == timedelta(days=3, hours=2)
    # Never backwards: catching up with an earlier moment does nothing.
    again.catch_up(datetime.now(UTC))
    assert again.offset == timedelta(days=3, hours=2)
    later = datetime.now(UTC) + timedelta(days=10)
    again.catch_up(later)
    assert later <= again.now() < later + timedelta(seconds=5)
    assert SandboxClock.load(path).offset == again.offset


@pytest.mark.parametrize("content", ["", "{", '{"offset_seconds": "soon"}', "[]", "{}"])
def test_an_unreadable_clock_starts_from_real_time(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bot.clock.json"
    path.write_text(content, encoding="utf-8")
    assert SandboxClock.load(path).offset == timedelta()


async def _get(url: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return await response.json()


async def _fire(url: str) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/_sandbox/fire", json={}) as response,
    ):
        return await response.json()


async def _fire_a_reminder(url: str, fired: Any) -> None:
    """Fire on until a reminder (not the start of a meeting) has gone out: the scheduler
    writes it, which it would not do with the clock behind its watermark."""
    for _ in range(10):
        if fired["fired"].endswith("提醒"):
            assert fired["written"] >= 1
            return
        fired = await _fire(url)
    raise AssertionError("no reminder among the next ten events")


async def test_a_restart_keeps_the_clock_and_the_next_event(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with running_sandbox(database, fresh=True) as url:
        first = await _get(f"{url}/_sandbox/clock")
        fired = await _fire(url)
        assert fired["fired"] == first["next"]["title"] and fired["at"] == first["next"]["at"]
        before = await _get(f"{url}/_sandbox/clock")
        assert datetime.fromisoformat(before["now"]) > datetime.fromisoformat(fired["at"])
        assert before["next"] is not None and before["next"] != first["next"]
    async with running_sandbox(database, fresh=False) as url:
        after = await _get(f"{url}/_sandbox/clock")
        moved = datetime.fromisoformat(after["now"]) - datetime.fromisoformat(before["now"])
        assert timedelta() <= moved < timedelta(minutes=2)  # only the real time in between
        assert after["next"] == before["next"]
        fired = await _fire(url)
        assert (fired["fired"], fired["at"]) == (after["next"]["title"], after["next"]["at"])
        await _fire_a_reminder(url, fired)
        moved_on = await _get(f"{url}/_sandbox/clock")
    # --fresh starts the clock again with the data.
    async with running_sandbox(database, fresh=True) as url:
        again = await _get(f"{url}/_sandbox/clock")
        assert datetime.fromisoformat(again["now"]) < datetime.fromisoformat(first["next"]["at"])
    assert datetime.fromisoformat(moved_on["now"]) > datetime.fromisoformat(after["next"]["at"])


async def test_a_lost_clock_file_catches_up_with_the_scheduler(tmp_path: Path) -> None:
    """A kept database without its clock (an older sandbox, a deleted file): the clock starts
    where the scheduler last looked, never behind it, so firing still works."""
    database = tmp_path / "bot.sqlite3"
    async with running_sandbox(database, fresh=True) as url:
        await _fire(url)
        last = await _fire(url)
        before = await _get(f"{url}/_sandbox/clock")
    clock_file(database).unlink()
    async with running_sandbox(database, fresh=False) as url:
        after = await _get(f"{url}/_sandbox/clock")
        # At least where the scheduler last looked: a second past the event fired last.
        fired_at = datetime.fromisoformat(last["at"]) + timedelta(seconds=1)
        assert datetime.fromisoformat(after["now"]) >= fired_at
        assert after["next"] == before["next"]
        fired = await _fire(url)
        assert fired["fired"] == before["next"]["title"]
        await _fire_a_reminder(url, fired)

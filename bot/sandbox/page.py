"""The sandbox's chat page, served by the emulator beside the Bot API.

The page (``bot/sandbox/web/``, plain HTML, CSS and JavaScript) talks to the emulator's control
API exactly as a test does, and gets everything the bot does as server-sent events from the
emulator's event log, so messages, edits and photos appear without reloading. This module adds
what only the sandbox has: who one can be (the demo personas), the event stream, and the
simulated clock with "fire the next scheduled event now".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web

from bot.clock import ShiftedClock
from bot.context import BotApplication
from bot.delivery.scheduler import Upcoming, UpcomingKind
from bot.sandbox.demo import Persona
from bot.sandbox.emulator.server import Emulator
from bot.schedule.occurrences import EVENT_KINDS, Occurrence, OccurrenceKind

WEB = Path(__file__).parent / "web"
STREAM_WAIT = 15.0
SEND_WAIT = 10.0
"""The longest 立即触发 waits for the messages it made due to leave the outbox."""
FIRED = (OccurrenceKind.REMINDER, OccurrenceKind.QUIZ_NUDGE, OccurrenceKind.MAKEUP, *EVENT_KINDS)
"""What 立即触发 stops at: reminders, the quiz nudge, the start of each meeting (where sign-in
opens and a secretary can 代签), and a 补课, so jumping ahead never passes it."""


class Page:
    def __init__(
        self,
        emulator: Emulator,
        clock: ShiftedClock,
        application: Callable[[], BotApplication | None],
    ) -> None:
        self._emulator = emulator
        self._clock = clock
        self._application = application
        self.personas: list[Persona] = []

    def mount(self) -> None:
        """Add the page's routes; must run before the emulator starts."""
        self._emulator.app.add_routes(
            [
                web.get("/", self._index),
                web.static("/static", WEB),
                web.get("/_sandbox/personas", self._personas),
                web.get("/_sandbox/stream", self._stream),
                web.get("/_sandbox/clock", self._clock_state),
                web.post("/_sandbox/fire", self._fire),
            ]
        )

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(WEB / "index.html")

    async def _personas(self, request: web.Request) -> web.StreamResponse:
        return web.json_response([asdict(p) for p in self.personas])

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: every event of the emulator's log after ``after``."""
        world = self._emulator.world
        position = int(request.query.get("after", "0"))
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        while True:
            if world.last_seq <= position:
                await world.events_signal.wait(STREAM_WAIT)
            batch = world.events[position:]
            for event in batch:
                await response.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            position += len(batch)
            if not batch:
                await response.write(b": keep-alive\n\n")

    async def _next_event(self) -> tuple[str, str] | None:
        application = self._application()
        services = application.bot_data.services if application else None
        if services is None:
            return None
        tree = services.org.tree
        now = self._clock.now()
        pairs = [(unit.id, unit.kind) for unit in tree.branches]
        end = now + timedelta(days=62)
        due = [
            (o.occurs_at, _title(o))
            for o in services.schedule.occurrences(pairs, now, end)
            if o.kind in FIRED
        ]
        # Meetings moved or called in the chat, and 补课 at the stored times: what the
        # scheduler will act on that the configured schedule does not show.
        due += [(u.at, _upcoming_title(u)) for u in await services.scheduler.upcoming(now, end)]
        if not due:
            return None
        at, title = min(due, key=lambda pair: pair[0])
        return at.isoformat(), title

    async def _clock_state(self, request: web.Request) -> web.StreamResponse:
        """The simulated time and the next event, with the bot's time zone: the page shows
        them as the members read them, not in the browser's zone."""
        upcoming = await self._next_event()
        application = self._application()
        services = application.bot_data.services if application else None
        return web.json_response(
            {
                "now": self._clock.now().isoformat(),
                "zone": services.settings.timezone if services else None,
                "next": {"at": upcoming[0], "title": upcoming[1]} if upcoming else None,
            }
        )

    async def _fire(self, request: web.Request) -> web.StreamResponse:
        """Move the simulated clock to the next event, let the scheduler run, and wait (a
        little) for what became due to be sent."""
        application = self._application()
        services = application.bot_data.services if application else None
        upcoming = await self._next_event()
        if services is None or upcoming is None:
            return web.json_response({"fired": None})
        at = datetime.fromisoformat(upcoming[0])
        self._clock.advance(at - self._clock.now() + timedelta(seconds=1))
        report = await services.scheduler.tick()
        services.sender.wake()
        # Let what is due now go out before answering: a second press at once would move the
        # clock past the grace window of deliveries still queued, and they would expire unsent.
        deadline = asyncio.get_running_loop().time() + SEND_WAIT
        while asyncio.get_running_loop().time() < deadline:
            due = await services.delivery.next_pending()
            if due is None or due > self._clock.now():
                break
            await asyncio.sleep(0.05)
        return web.json_response(
            {"fired": upcoming[1], "at": upcoming[0], "written": report.written}
        )


def _title(occurrence: Occurrence) -> str:
    """What the side panel calls the next event: 主题党日提醒, 主题党日开始, 答题提醒."""
    if occurrence.kind is OccurrenceKind.REMINDER:
        return f"{occurrence.event.title}提醒"
    if occurrence.kind in EVENT_KINDS:
        return f"{occurrence.title}开始"
    return occurrence.title or "答题提醒"


def _upcoming_title(upcoming: Upcoming) -> str:
    """The side panel's name for a meeting off the schedule: 党课提醒, 党课开始, 补课：主题党日."""
    return {
        UpcomingKind.REMINDER: f"{upcoming.title}提醒",
        UpcomingKind.START: f"{upcoming.title}开始",
        UpcomingKind.MAKEUP: f"补课：{upcoming.title}",
    }[upcoming.kind]

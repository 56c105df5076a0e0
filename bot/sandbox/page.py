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
from bot.sandbox.demo import Persona
from bot.sandbox.emulator.server import Emulator
from bot.schedule.occurrences import OccurrenceKind

WEB = Path(__file__).parent / "web"
STREAM_WAIT = 15.0
FIRED = (OccurrenceKind.REMINDER, OccurrenceKind.QUIZ_NUDGE, OccurrenceKind.MAKEUP)
"""What "fire the next event" stops at: a 补课 too, so jumping ahead never passes it."""


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
        due = [
            o
            for o in services.schedule.occurrences(pairs, now, now + timedelta(days=62))
            if o.kind in FIRED
        ]
        if not due:
            return None
        first = due[0]
        title = first.event.title if first.kind is OccurrenceKind.REMINDER else first.title
        return first.occurs_at.isoformat(), title or "答题提醒"

    async def _clock_state(self, request: web.Request) -> web.StreamResponse:
        upcoming = await self._next_event()
        return web.json_response(
            {
                "now": self._clock.now().isoformat(),
                "next": {"at": upcoming[0], "title": upcoming[1]} if upcoming else None,
            }
        )

    async def _fire(self, request: web.Request) -> web.StreamResponse:
        """Move the simulated clock to the next reminder or nudge and let the scheduler run."""
        application = self._application()
        services = application.bot_data.services if application else None
        upcoming = await self._next_event()
        if services is None or upcoming is None:
            return web.json_response({"fired": None})
        at = datetime.fromisoformat(upcoming[0])
        self._clock.advance(at - self._clock.now() + timedelta(seconds=1))
        report = await services.scheduler.tick()
        services.sender.wake()
        await asyncio.sleep(0)
        return web.json_response(
            {"fired": upcoming[1], "at": upcoming[0], "written": report.written}
        )

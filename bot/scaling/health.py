"""A health endpoint per process: ``GET /health`` answers JSON (docs/scaling.md).

``{"role": "worker", "worker": "w1", "ok": true, "loops": {"inbox": "2026-…", …}, …}``: the
last time each of the process's loops succeeded; ``ok`` is false (and the status 503) when one
of them has not succeeded for ``stale`` seconds, so an orchestrator restarts a process that is
alive but stuck (a database it cannot reach, a loop that died).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from aiohttp import web

from bot.clock import Clock

log = logging.getLogger(__name__)

Loops = Callable[[], Mapping[str, datetime | None]]
Extra = Callable[[], Mapping[str, object]]


class Health:
    def __init__(
        self,
        role: str,
        worker: str | None,
        clock: Clock,
        loops: Loops,
        extra: Extra | None = None,
        *,
        stale: float = 30.0,
    ) -> None:
        self._role = role
        self._worker = worker
        self._clock = clock
        self._loops = loops
        self._extra = extra
        self._stale = timedelta(seconds=stale)
        self._runner: web.AppRunner | None = None

    def report(self) -> dict[str, object]:
        now = self._clock.now()
        loops = dict(self._loops())
        ok = all(when is not None and now - when <= self._stale for when in loops.values())
        return {
            "role": self._role,
            "worker": self._worker,
            "ok": ok,
            "now": now.isoformat(),
            "loops": {name: when.isoformat() if when else None for name, when in loops.items()},
            **(self._extra() if self._extra else {}),
        }

    async def _get(self, _: web.Request) -> web.Response:
        report = self.report()
        return web.Response(
            status=200 if report["ok"] else 503,
            text=json.dumps(report, ensure_ascii=False),
            content_type="application/json",
        )

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/health", self._get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("health endpoint on http://%s:%d/health", host, port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

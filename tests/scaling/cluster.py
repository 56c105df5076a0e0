"""Several processes serving one bot, for the tests: the emulator in the test's process, the
receiver and N workers as real subprocesses (``python -m bot receive`` / ``work``), each with
its health endpoint. Nothing inside python-telegram-bot is replaced."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.clock import SystemClock
from bot.config import load_settings
from bot.quiz.bank import load_bank
from bot.sandbox.emulator.client import EmulatorClient
from bot.sandbox.emulator.server import Emulator
from bot.scaling.inbox import PARTITIONS, partition
from bot.storage.url import DatabaseUrl
from tests.conftest import SAMPLE_BANK
from tests.e2e.conftest import Harness, Member
from tests.engines import query_rows

ROOT = Path(__file__).parents[2]
LEASE_SECONDS = 2.0
START_WAIT = 60.0
"""Seconds a process may take to come up on two cores shared with the rest of the suite."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclasses.dataclass
class Process:
    name: str
    port: int
    popen: subprocess.Popen[bytes]


@dataclasses.dataclass
class Cluster:
    emulator: Emulator
    folder: Path
    config: Path
    env: dict[str, str]
    harness: Harness
    http: aiohttp.ClientSession
    database: DatabaseUrl
    processes: dict[str, Process] = dataclasses.field(default_factory=dict)
    clients: list[EmulatorClient] = dataclasses.field(default_factory=list)

    def spawn(self, role: str, name: str) -> Process:
        port = free_port()
        command = "receive" if role == "receiver" else "work"
        args = [sys.executable, "-m", "bot", "--config", str(self.config), command]
        args += ["--id", name, "--health-port", str(port), "--health-host", "127.0.0.1"]
        if role == "worker":
            args += ["--lease-seconds", str(LEASE_SECONDS)]
        log = (self.folder / f"{name}.log").open("ab")
        popen = subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=log
        )
        process = Process(name, port, popen)
        self.processes[name] = process
        return process

    async def health(self, name: str) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.processes[name].port}/health"
        async with self.http.get(url) as response:
            return dict(await response.json(content_type=None))

    async def wait_healthy(self, name: str) -> dict[str, Any]:
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            if self.processes[name].popen.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log(name)[-2000:]}")
            try:
                report = await self.health(name)
                if report["ok"]:
                    return report
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{name} did not become healthy: {self.log(name)[-2000:]}")

    async def wait_balanced(self, workers: list[str]) -> dict[str, set[int]]:
        """Until the live workers hold every partition between them, none idle."""
        deadline = time.monotonic() + 30.0
        held: dict[str, set[int]] = {}
        while time.monotonic() < deadline:
            held = {name: set(self.leases_of(name)) for name in workers}
            if all(held.values()) and sum(len(parts) for parts in held.values()) == PARTITIONS:
                return held
            await asyncio.sleep(0.1)
        raise TimeoutError(f"partitions not spread: {held}")

    def leases_of(self, name: str) -> list[int]:
        now = int(time.time() * 1000)
        rows = self.rows(
            "SELECT name FROM leases WHERE holder = ? AND name LIKE 'part:%' AND expires_at >= ?",
            name,
            now,
        )
        return [int(row[0].split(":")[1]) for row in rows]

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of one statement, on a connection of its own (either engine)."""
        return query_rows(self.database, sql, params)

    def kill(self, name: str) -> None:
        popen = self.processes[name].popen
        popen.send_signal(signal.SIGKILL)
        popen.wait(10)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def log_lines(self, name: str) -> list[dict[str, Any]]:
        lines = []
        for line in self.log(name).splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    async def member(self, name: str, user_id: int) -> Member:
        """A member with an emulator client of its own (a client's event cursor is not
        shared between members acting at once)."""
        client = EmulatorClient(self.emulator.url, wait=30.0)
        self.clients.append(client)
        harness = dataclasses.replace(self.harness, client=client)
        user = await client.create_user(name, user_id=user_id)
        return Member(harness, user)


def user_in(parts: set[int], taken: set[int], start: int = 700_000) -> int:
    """A fresh user id whose chat falls in one of ``parts``."""
    candidate = start
    while partition(candidate) not in parts or candidate in taken:
        candidate += 1
    taken.add(candidate)
    return candidate


@asynccontextmanager
async def cluster(
    folder: Path,
    database: DatabaseUrl,
    workers: int = 2,
    config: dict[str, Any] | None = None,
) -> AsyncIterator[Cluster]:
    emulator = Emulator()
    await emulator.start()
    settings: dict[str, Any] = {
        "database": database.url if database.engine == "postgresql" else str(database.path),
        "question_bank": [str(SAMPLE_BANK)],
        "log_level": "INFO",
        "quiz": {"questions_per_quiz": 4},
        "schedules": {
            kind: {"enabled": False}
            for kind in ("theme_day", "study_day", "quiz_nudge", "political_birthday")
        },
        "telegram": {"base_url": emulator.base_url, "base_file_url": emulator.base_file_url},
        **(config or {}),
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    loaded = load_settings(path, environ={})
    client = EmulatorClient(emulator.url, wait=30.0)
    harness = Harness(emulator, client, loaded, load_bank([SAMPLE_BANK]).bank, SystemClock())
    env = {"BOT_TOKEN": emulator.token, "PYTHONPATH": str(ROOT)}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        made = Cluster(emulator, folder, path, env, harness, http, database)
        try:
            made.spawn("receiver", "r1")
            names = [f"w{n}" for n in range(1, workers + 1)]
            for name in names:
                made.spawn("worker", name)
            for name in ["r1", *names]:
                await made.wait_healthy(name)
            await made.wait_balanced(names)
            yield made
        finally:
            for process in made.processes.values():
                if process.popen.poll() is None:
                    process.popen.terminate()
            for process in made.processes.values():
                try:
                    process.popen.wait(15)
                except subprocess.TimeoutExpired:
                    process.popen.kill()
            for own in made.clients:
                await own.close()
            await client.close()
            await emulator.stop()

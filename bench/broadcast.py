"""Benchmark: theme-day reminders and broadcasts through the emulator at Telegram's pace.

Processes as in production: the emulator with Telegram's flood limits enforced (it answers 429
when they are broken), the real bot (``python -m bot run``) whose outbox sender does the
sending, and this driver, which prepares recipients, writes the batches with the bot's own
code (``MeetingService``, ``DeliveryService``) into the bot's database and counts what arrives.

Runs, in order:
1. a theme day for the whole city: one reminder to each branch's group chat;
2. a direct broadcast to members;
3. a crash run: the bot is SIGKILLed mid-broadcast and restarted;
4. paid-broadcast mode (``delivery.allow_paid_broadcast``) with the emulator's limit off.

    python bench/broadcast.py --json           # 8,885 groups + 10,000 members (> 10 minutes)
    python bench/broadcast.py --quick --json   # 1,500 of each, for routine checks
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import free_port, spawn, wait_ready  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.delivery.service import DeliveryService  # noqa: E402
from bot.i18n import catalogue  # noqa: E402
from bot.meetings.events import Meeting  # noqa: E402
from bot.meetings.service import MeetingService  # noqa: E402
from bot.org.tree import Level, OrgTree, Unit  # noqa: E402
from bot.storage import Storage  # noqa: E402

TOKEN = "7000000001:AAEmulatorBranchStudyBotToken000000"
JsonDict = dict[str, Any]


class Run:
    """One emulator + bot pair and the driver's view of them."""

    def __init__(
        self,
        scratch: Path,
        limits: bool,
        env: dict[str, str],
        workers: int = 0,
        postgres: str | None = None,
    ) -> None:
        self.workers = workers
        self.postgres = postgres
        """The server's URL with ``--engine postgresql``: this run gets a schema of its own."""
        self.schema = f"bench_broadcast_{scratch.name}_{os.getpid()}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = scratch / "processes.log"
        self.database: Path | str = scratch / "bot.sqlite3"
        if postgres is not None:
            separator = "&" if "?" in postgres else "?"
            self.database = f"{postgres}{separator}search_path={self.schema}"
            query(self, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE", admin=True)
            query(self, f"CREATE SCHEMA {self.schema}", admin=True)
        args = ["-m", "bot.sandbox.emulator", "--port", str(self.port)]
        self.emulator = spawn([*args, "--limits"] if limits else args, self.log)
        self.env = {
            "BOT_TOKEN": TOKEN,
            "BOT__TELEGRAM__BASE_URL": f"{self.url}/bot",
            "BOT__DATABASE": str(self.database),
            "BOT__LOG_LEVEL": "WARNING",
            **env,
        }
        self.bot: subprocess.Popen[bytes] | None = None
        self.position = 0

    async def call(
        self, http: aiohttp.ClientSession, method: str, path: str, body: Any = None
    ) -> Any:
        async with http.request(method, f"{self.url}/_emulator{path}", json=body) as response:
            data = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{path}: {data}")
            return data

    def start_bot(self) -> None:
        """One process (``python -m bot run``), or a receiver and ``workers`` workers, the
        outbox sender running in whichever holds the lease."""
        if not self.workers:
            self.bot = spawn(["-m", "bot", "run"], self.log, self.env)
            return
        if "receiver" not in self.processes:
            self.processes["receiver"] = spawn(["-m", "bot", "receive"], self.log, self.env)
        for n in range(1, self.workers + 1):
            name = f"w{n}"
            if name not in self.processes or self.processes[name].poll() is not None:
                self.processes[name] = spawn(
                    ["-m", "bot", "work", "--id", name, "--lease-seconds", "3"],
                    self.log,
                    self.env,
                )

    def kill_bot(self) -> str:
        """SIGKILL the process running the sender: the bot, or the outbox lease's holder
        (which another worker then takes over, without a restart)."""
        if not self.workers:
            assert self.bot is not None
            self.bot.send_signal(signal.SIGKILL)
            self.bot.wait(30)
            return "bot"
        [(holder,)] = query(self, "SELECT holder FROM leases WHERE name = 'outbox'")
        self.processes[holder].send_signal(signal.SIGKILL)
        self.processes[holder].wait(30)
        return str(holder)

    def stop(self) -> None:
        for process in (self.bot, *self.processes.values(), self.emulator):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.postgres is not None:
            query(self, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE", admin=True)

    async def events(self, http: aiohttp.ClientSession) -> list[JsonDict]:
        """Every event since the last call."""
        found: list[JsonDict] = []
        while True:
            data = await self.call(http, "GET", f"/events?after={self.position}&limit=5000")
            if not data["events"]:
                return found
            found.extend(data["events"])
            self.position = data["events"][-1]["seq"]


async def prepare(run: Run, http: aiohttp.ClientSession, groups: int, members: int) -> OrgTree:
    """Users and group chats in the emulator; branches, members and bound groups in the bot's
    database (written with its schema: the driver opens Storage once to migrate)."""
    storage = await Storage.open(run.database)
    await storage.close()
    # Each group chat belongs to a branch of its own; the members who get the direct
    # broadcast sit in one more branch, so a theme day reaches exactly the group chats.
    units = [Unit("city", "市委", Level.COMMITTEE)] + [
        Unit(f"zb-{n:05d}", f"第{n}党支部", Level.BRANCH, parent="city") for n in range(groups)
    ]
    units.append(Unit("zb-direct", "直属党支部", Level.BRANCH, parent="city"))
    user_ids = []
    for n in range(members):
        # A member must have pressed Start before the bot may write to them.
        body = {"first_name": f"党员{n}", "started": True}
        user = await run.call(http, "POST", "/users", body)
        user_ids.append(user["user"]["id"])
    group_ids = []
    for n in range(groups):
        chat = await run.call(
            http, "POST", "/groups", {"title": f"第{n}党支部", "member_ids": [], "with_bot": True}
        )
        group_ids.append(chat["chat"]["id"])
    now = int(time.time() * 1000)
    query(
        run,
        "INSERT INTO org_units (id, name, level, kind, parent_id, updated_at) "
        "VALUES (?, ?, ?, '其他', ?, ?)",
        many=[(u.id, u.name, u.level.value, u.parent, now) for u in units],
    )
    query(
        run,
        "INSERT INTO members (telegram_id, first_name, real_name, branch_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        many=[(uid, f"党员{n}", f"党员{n}", "zb-direct", now) for n, uid in enumerate(user_ids)],
    )
    query(
        run,
        "INSERT INTO group_chats (chat_id, unit_id, bound_by, bound_at) VALUES (?, ?, 0, ?)",
        many=[(chat, units[1 + n].id, now) for n, chat in enumerate(group_ids)],
    )
    await run.events(http)  # skip the set-up events
    return OrgTree(tuple(units))


async def theme_day(run: Run, tree: OrgTree, groups: list[tuple[str, int]]) -> list[int]:
    """A reminder for every branch's theme day, to its group chat, as the scheduler writes it;
    returns the reminder batches."""
    storage = await Storage.open(run.database)
    try:
        service = MeetingService(
            storage.outbox,
            storage.attendance,
            storage.org,
            tree,
            SystemClock(),
            catalogue("zh-CN"),
            ZoneInfo("Asia/Shanghai"),
        )
        now = datetime.now(UTC)
        day_at = now + timedelta(days=1)
        batches = []
        for branch_id, chat in groups:
            day = Meeting(branch_id, day_at, "学习党章", "党员活动室")
            batch = await service.remind(day, "-1d@18:00", now, now + timedelta(hours=6), [chat])
            assert batch is not None
            batches.append(batch)
    finally:
        await storage.close()
    return batches


async def broadcast(run: Run, tree: OrgTree, text: str) -> list[int]:
    storage = await Storage.open(run.database)
    try:
        service = DeliveryService(storage.outbox, storage.org, tree, SystemClock())
        return [await service.create_broadcast("city", text, 0, 0)]
    finally:
        await storage.close()


def outbox(run: Run, batches: list[int]) -> Counter[str]:
    """Deliveries of these batches by status."""
    marks = ",".join("?" * len(batches))
    rows = query(
        run,
        f"SELECT status, COUNT(*) FROM deliveries WHERE batch_id IN ({marks}) GROUP BY status",
        batches,
    )
    return Counter({status: int(count) for status, count in rows})


async def drain(
    run: Run, http: aiohttp.ClientSession, batches: list[int], marker: str
) -> JsonDict:
    """Wait until these batches are done; count what the emulator received and refused."""
    expected = sum(outbox(run, batches).values())
    sent_at: list[float] = []
    per_chat: Counter[int] = Counter()
    violations = 0
    deadline = time.monotonic() + expected / 20 + 120
    while time.monotonic() < deadline:
        for event in await run.events(http):
            if event["type"] == "message_sent" and marker in event["message"].get("text", ""):
                sent_at.append(event["time"])
                per_chat[event["chat_id"]] += 1
            elif event["type"] == "api_error" and event.get("error_code") == 429:
                violations += 1
        status = outbox(run, batches)
        if status["pending"] + status["sending"] == 0:
            break
        await asyncio.sleep(0.5)
    for event in await run.events(http):
        if event["type"] == "message_sent" and marker in event["message"].get("text", ""):
            sent_at.append(event["time"])
            per_chat[event["chat_id"]] += 1
    span = (max(sent_at) - min(sent_at)) if len(sent_at) > 1 else 0.0
    return {
        "expected": expected,
        "received": len(per_chat),
        "duplicates": sum(n - 1 for n in per_chat.values()),
        "missed": expected - len(per_chat),
        "limit_violations": violations,
        "seconds": round(span, 1),
        "per_s": round((len(sent_at) - 1) / span, 1) if span else None,
    }


async def bench(args: argparse.Namespace) -> JsonDict:
    groups, members = (1500, 1500) if args.quick else (args.groups, args.members)
    results: JsonDict = {}
    timeout = aiohttp.ClientTimeout(total=120)
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        postgres = args.postgresql if args.engine == "postgresql" else None
        run = Run(
            scratch / "limited", limits=True, env={}, workers=args.workers, postgres=postgres
        )
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                await wait_ready(http, f"{run.url}/_emulator/bot")
                tree = await prepare(run, http, groups, members)
                run.start_bot()
                group_chats = _groups(run)
                reminders = await theme_day(run, tree, group_chats)
                results["theme_day"] = await drain(run, http, reminders, "主题党日提醒")
                print("theme day:", results["theme_day"], file=sys.stderr)
                notice = await broadcast(run, tree, "【通知】本月主题党日请准时参加。")
                results["broadcast"] = await drain(run, http, notice, "本月主题党日请准时参加")
                print("broadcast:", results["broadcast"], file=sys.stderr)
                results["crash"] = await crash(run, http, tree)
                print("crash:", results["crash"], file=sys.stderr)
        finally:
            run.stop()
        paid = Run(
            scratch / "paid", limits=False, env={"BOT__DELIVERY__ALLOW_PAID_BROADCAST": "true"}
        )
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                await wait_ready(http, f"{paid.url}/_emulator/bot")
                tree = await prepare(paid, http, 0, members)
                paid.start_bot()
                batches = await broadcast(paid, tree, "【付费群发】测试")
                results["paid"] = await drain(paid, http, batches, "付费群发")
        finally:
            paid.stop()
    sustained = [r["per_s"] for r in (results["theme_day"], results["broadcast"]) if r["per_s"]]
    crash_run = results["crash"]
    return {
        "groups": groups,
        "members": members,
        "workers": args.workers,
        "engine": args.engine,
        "runs": results,
        "sustained_per_s": min(sustained) if sustained else None,
        "limit_violations": results["theme_day"]["limit_violations"]
        + results["broadcast"]["limit_violations"],
        "duplicates": results["theme_day"]["duplicates"] + results["broadcast"]["duplicates"],
        "missed": results["theme_day"]["missed"] + results["broadcast"]["missed"],
        "crash_missed": crash_run["missed"],
        "crash_duplicates": crash_run["duplicates"],
        "crash_in_flight": crash_run["in_flight"],
        "unthrottled_per_s": results["paid"]["per_s"],
    }


def _groups(run: Run) -> list[tuple[str, int]]:
    return [(unit, chat) for chat, unit in query(run, "SELECT chat_id, unit_id FROM group_chats")]


def query(
    run: Run,
    sql: str,
    params: Any = (),
    *,
    many: list[tuple[Any, ...]] | None = None,
    admin: bool = False,
) -> list[tuple[Any, ...]]:
    """One statement (``?`` placeholders) on the run's database, SQLite or its PostgreSQL
    schema (``admin``: on the server, outside the schema)."""
    if run.postgres is None:
        with sqlite3.connect(run.database) as db:
            if many is not None:
                db.executemany(sql, many)
                return []
            return list(db.execute(sql, params))
    parts = sql.split("?")
    numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))

    async def run_it() -> list[tuple[Any, ...]]:
        import asyncpg

        assert run.postgres is not None
        connection = await asyncpg.connect(run.postgres)
        try:
            if not admin:
                await connection.execute(f"SET search_path TO {run.schema}")
            if many is not None:
                await connection.executemany(numbered, many)
                return []
            return [tuple(row) for row in await connection.fetch(numbered, *params)]
        finally:
            await connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run_it()).result()


async def crash(run: Run, http: aiohttp.ClientSession, tree: OrgTree) -> JsonDict:
    """Kill the bot (SIGKILL) mid-broadcast, restart it, and count."""
    marker = "【演练】断电重启测试"
    batches = await broadcast(run, tree, marker)
    total = sum(outbox(run, batches).values())
    while outbox(run, batches)["sent"] < total // 3:  # noqa: ASYNC110 - another process writes
        await asyncio.sleep(0.05)
    killed = run.kill_bot()
    in_flight = outbox(run, batches)["sending"]
    killed_at = time.monotonic()
    sent = outbox(run, batches)["sent"]
    if not run.workers:
        run.start_bot()
    while outbox(run, batches)["sent"] == sent:  # noqa: ASYNC110 - another process writes
        await asyncio.sleep(0.05)
    resumed = time.monotonic() - killed_at
    run.start_bot()  # with workers, the killed one comes back once another has taken over
    result = await drain(run, http, batches, marker)
    return {
        **result,
        "in_flight": in_flight,
        "killed": killed,
        "resumed_after_s": round(resumed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=8885)
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--quick", action="store_true", help="1,500 groups and 1,500 members")
    parser.add_argument("--json", action="store_true", help="print only the final JSON line")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="0: one process (python -m bot run); N: a receiver and N workers, the sender "
        "under the outbox lease (the crash run kills the lease's holder)",
    )
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    figures = asyncio.run(bench(args))
    if not args.json:
        print(json.dumps(figures["runs"], ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

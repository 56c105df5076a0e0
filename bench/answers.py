"""Benchmark: quiz answers per second through the local Bot API emulator.

Three processes, as in production: the emulator (standing in for Telegram), the real bot
(``python -m bot run`` pointed at it) and this driver, which plays N members taking quizzes at
once. For each transport (``telegram.http``) it starts a fresh emulator, measures a bare
python-telegram-bot echo bot on that transport first (the framework's reference: what the Bot
API calls alone cost), then runs the quiz load twice, with no added latency and with 50 ms added
to every Bot API call (a realistic round trip to Telegram), counting the Bot API calls an answer
costs with the emulator's counter. Members fire the taps of one
question back to back (ticks, then 提交) without waiting, so a bot that handled one member's
taps out of order would record the wrong answer; the driver counts those as ``out_of_order``.

    python bench/answers.py --json            # the figures in docs/performance.md
    python bench/answers.py --members 50      # a quicker look
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the echo reference uses the bot's transports
TOKEN = "7000000001:AAEmulatorBranchStudyBotToken000000"
WAIT = 60.0
JsonDict = dict[str, Any]
ANSWERED = [0]
"""Answers seen by the driver so far in this run (the kill run waits for a third)."""
SHOWN_TWICE = [0]
"""Questions a member was sent twice in one quiz (a duplicate an update handled twice
would show)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a process whose output goes to ``log`` (a pipe nobody reads would block it)."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def wait_ready(http: aiohttp.ClientSession, url: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


@dataclass
class Control:
    """The emulator's control API, with one reader that hands each chat its own events."""

    http: aiohttp.ClientSession
    url: str
    queues: dict[int, asyncio.Queue[JsonDict]] = field(
        default_factory=lambda: defaultdict(asyncio.Queue)
    )
    kept: dict[int, list[JsonDict]] = field(default_factory=dict)
    position: int = 0

    async def call(self, method: str, path: str, body: JsonDict | None = None) -> Any:
        if body is None and method != "GET":
            body = {}  # the control API takes changes only as JSON
        async with self.http.request(method, f"{self.url}/_emulator{path}", json=body) as r:
            data = await r.json()
            if r.status >= 400:
                raise RuntimeError(f"{path}: {data}")
            return data

    async def read_events(self) -> None:
        while True:
            data = await self.call("GET", f"/events?after={self.position}&timeout=1&limit=5000")
            for event in data["events"]:
                self.position = event["seq"]
                if "chat_id" in event:
                    self.queues[event["chat_id"]].put_nowait(event)

    async def next(self, chat_id: int, kind: str, test: Any = None) -> JsonDict:
        """The chat's first unconsumed event of ``kind``; earlier events of other kinds are
        kept, because the bot may log a result edit before the answer to the tap."""
        kept = self.kept.setdefault(chat_id, [])
        for index, event in enumerate(kept):
            if event["type"] == kind and (test is None or test(event)):
                return kept.pop(index)
        queue = self.queues[chat_id]
        while True:
            event = await asyncio.wait_for(queue.get(), WAIT)
            if event["type"] == kind and (test is None or test(event)):
                return event
            kept.append(event)

    def drain(self, chat_id: int) -> None:
        self.queues.pop(chat_id, None)
        self.kept.pop(chat_id, None)

    async def new_user(self, name: str) -> int:
        return int((await self.call("POST", "/users", {"first_name": name}))["user"]["id"])

    async def say(self, user: int, text: str) -> None:
        await self.call("POST", "/messages", {"user_id": user, "text": text})

    async def tap(self, user: int, message_id: int, data: str) -> str:
        body = {"user_id": user, "chat_id": user, "message_id": message_id, "callback_data": data}
        return str((await self.call("POST", "/callbacks", body))["callback_query_id"])


@dataclass
class Tally:
    answers: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    out_of_order: int = 0
    timeouts: int = 0


KINDS = ("单选题", "多选题", "判断题")


async def play_member(
    control: Control, user: int, quizzes: int, rng: random.Random, tally: Tally
) -> None:
    """A member taking quizzes; one who waits in vain for the bot (a lost update, a result
    never shown) counts as a timeout and stops."""
    try:
        await _play(control, user, quizzes, rng, tally)
    except TimeoutError:
        tally.timeouts += 1


async def _play(
    control: Control, user: int, quizzes: int, rng: random.Random, tally: Tally
) -> None:
    for _ in range(quizzes):
        await control.say(user, "/quiz")
        heads: set[str] = set()
        while True:
            event = await control.next(user, "message_sent")
            message = event["message"]
            text = message["text"]
            if text.startswith("答题结束"):
                break
            head = text.split("\n", 1)[0]
            if not any(kind in head for kind in KINDS):
                continue
            if head in heads:
                SHOWN_TWICE[0] += 1
                continue
            heads.add(head)
            rows = message["reply_markup"]["inline_keyboard"]
            datas = [button["callback_data"] for row in rows for button in row]
            labels = [button["text"].removeprefix("☐ ") for row in rows for button in row]
            if "多选题" in text.split("\n", 1)[0]:
                options = datas[:-1]
                picked = sorted(rng.sample(range(len(options)), rng.randint(1, len(options))))
                taps = [options[i] for i in picked] + [datas[-1]]
            else:
                picked = [rng.randrange(len(datas))]
                taps = [datas[picked[0]]]
            intended = [labels[i] for i in picked]
            started = time.perf_counter()
            sent = [await control.tap(user, message["message_id"], data) for data in taps]
            answered = [
                (await control.next(user, "callback_answered"))["callback_query_id"] for _ in sent
            ]
            result = await control.next(
                user,
                "message_edited",
                lambda e, m=message["message_id"]: (
                    e["message_id"] == m and "正确答案" in e["message"]["text"]
                ),
            )
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            tally.answers += 1
            ANSWERED[0] += 1
            shown = result["message"]["text"]
            if answered != sent or not _recorded(shown, intended):
                tally.out_of_order += 1
            # The result stays until the member taps 下一题 (查看得分 after the last one).
            under = result["message"]["reply_markup"]["inline_keyboard"]
            following = [b["callback_data"] for row in under for b in row]
            following = [data for data in following if data.startswith("next:")]
            if following:
                await control.tap(user, message["message_id"], following[0])
                await control.next(user, "callback_answered")
    control.drain(user)


def _recorded(result: str, picked: list[str]) -> bool:
    """Whether the result message shows the answer the member meant to give: the options
    tapped (their text, or their letters where the options are listed with letters)."""
    lines = result.splitlines()
    head = "您的答案：" if any(line.startswith("您的答案：") for line in lines) else "正确答案："
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    given = [lines[start].removeprefix(head)]
    for line in lines[start + 1 :]:
        if line.startswith(("正确答案：", "解析：", "原文：", "出处：")):
            break
        given.append(line)
    given = [item for item in given if item]
    if all(len(p) == 1 for p in picked) and all(item[1:3] == ". " for item in given):
        return sorted(item[0] for item in given) == sorted(picked)
    text = "、".join(given)
    return all(p in text for p in picked) and len(text) == sum(map(len, picked)) + len(picked) - 1


async def quiz_load(control: Control, members: int, quizzes: int, latency_ms: float) -> JsonDict:
    await control.call("PUT", "/latency", {"ms": latency_ms})
    users = [await control.new_user(f"党员{i}") for i in range(members)]
    tally = Tally()
    rng = random.Random(latency_ms)
    started = time.perf_counter()
    await asyncio.gather(*(play_member(control, user, quizzes, rng, tally) for user in users))
    elapsed = time.perf_counter() - started
    latencies = sorted(tally.latencies_ms)
    return {
        "answers": tally.answers,
        "seconds": round(elapsed, 2),
        "answers_per_s": round(tally.answers / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
        "out_of_order": tally.out_of_order,
        "timeouts": tally.timeouts,
    }


async def echo_load(control: Control, members: int, messages: int) -> JsonDict:
    await control.call("PUT", "/latency", {"ms": 0})
    users = [await control.new_user(f"回声{i}") for i in range(members)]

    async def chat(user: int) -> int:
        for n in range(messages):
            await control.say(user, f"你好 {n}")
            await control.next(user, "message_sent")
        return messages

    started = time.perf_counter()
    done = sum(await asyncio.gather(*(chat(user) for user in users)))
    return {"updates": done, "updates_per_s": round(done / (time.perf_counter() - started), 1)}


def serve_echo(base_url: str, http: str) -> None:
    """A bare python-telegram-bot echo bot on the given transport, handling updates
    concurrently (256 at a time, the library's own setting): the reference for what the Bot
    API calls alone cost. The library's default sequential loop would measure round trips."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    from bot.config import Http
    from bot.transport import telegram_request

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message and update.message.text:
            await update.message.reply_text(update.message.text)

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(base_url)
        .request(telegram_request(Http(http), pool_size=256, retrying=False))
        .get_updates_request(telegram_request(Http(http), pool_size=1, retrying=False))
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0.0)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Deployment:
    """The bot as one process (``workers`` 0: ``python -m bot run``) or as a receiver and
    ``workers`` worker processes, over a fresh database, against one emulator."""

    args: argparse.Namespace
    http: aiohttp.ClientSession
    control: Control
    base_url: str
    transport: str
    workers: int
    scratch: Path
    log: Path
    label: str = ""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    health: dict[str, int] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            "BOT_TOKEN": TOKEN,
            "BOT__TELEGRAM__BASE_URL": self.base_url,
            "BOT__TELEGRAM__HTTP": self.transport,
            "BOT__DATABASE": self.database,
            "BOT__QUESTION_BANK": f"[{self.args.bank}]",
            "BOT__LOG_LEVEL": "WARNING",
        }

    @property
    def schema(self) -> str:
        return f"bench_{self.transport}_{self.workers}{self.label.replace('-', '_')}_{os.getpid()}"

    @property
    def database(self) -> str:
        """A SQLite file, or a PostgreSQL schema of this run's own (made empty at start);
        the server processes serving it carry the schema's name as application_name."""
        if self.args.engine == "postgresql":
            separator = "&" if "?" in self.args.postgresql else "?"
            return (
                f"{self.args.postgresql}{separator}search_path={self.schema}"
                f"&application_name={self.schema}"
            )
        return str(self.scratch / f"{self.transport}-{self.workers}{self.label}.sqlite3")

    async def postgres(self, sql: str, *args: object, in_schema: bool = False) -> list[Any]:
        import asyncpg

        connection = await asyncpg.connect(self.args.postgresql)
        try:
            if in_schema:
                await connection.execute(f"SET search_path TO {self.schema}")
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    async def server_cpu(self) -> float:
        """CPU seconds of the PostgreSQL server processes serving this run's connections."""
        rows = await self.postgres(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", self.schema
        )
        total = 0.0
        for row in rows:
            with contextlib.suppress(OSError):
                total += cpu_seconds(int(row[0]))
        return total

    def start(self, name: str) -> None:
        if name == "bot":
            self.processes[name] = spawn(["-m", "bot", "run"], self.log, self.env())
            return
        port = free_port()
        self.health[name] = port
        command = "receive" if name == "receiver" else "work"
        extra = ["--lease-seconds", str(self.args.lease_seconds)] if command == "work" else []
        self.processes[name] = spawn(
            ["-m", "bot", command, "--id", name, "--health-port", str(port), *extra],
            self.log,
            self.env(),
        )

    async def __aenter__(self) -> Deployment:
        if self.args.engine == "postgresql":
            await self.postgres(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            await self.postgres(f"CREATE SCHEMA {self.schema}")
        if self.workers == 0:
            self.start("bot")
        else:
            self.start("receiver")
            for n in range(1, self.workers + 1):
                self.start(f"w{n}")
        await _wait_for_commands(self.control)
        for port in self.health.values():
            await wait_ready(self.http, f"http://127.0.0.1:{port}/health")
        if self.workers:
            await self.balanced()
        return self

    async def balanced(self) -> None:
        """Until every partition is held and each worker holds some."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            shares = []
            for name, port in self.health.items():
                if name.startswith("w") and self.processes[name].poll() is None:
                    async with self.http.get(f"http://127.0.0.1:{port}/health") as response:
                        shares.append((await response.json(content_type=None))["partitions"])
            if shares and all(shares) and sum(shares) == 64:
                return
            await asyncio.sleep(0.2)
        raise TimeoutError("the workers did not share the partitions")

    def cpu(self) -> dict[str, float]:
        return {
            name: cpu_seconds(process.pid)
            for name, process in self.processes.items()
            if process.poll() is None
        }

    def kill(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(WAIT)

    async def __aexit__(self, *_: object) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.args.engine == "postgresql":
            await self.postgres(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


async def measured_load(
    deployment: Deployment, emulator_pid: int, latency_ms: float, kill_after: int | None = None
) -> JsonDict:
    """The quiz load with the CPU each component used and the Bot API calls an answer cost;
    ``kill_after``: SIGKILL worker w1 once that many answers were seen."""
    control, args = deployment.control, deployment.args
    await control.call("DELETE", "/calls")
    before = {**deployment.cpu(), "emulator": cpu_seconds(emulator_pid)}
    if args.engine == "postgresql":
        before["database"] = await deployment.server_cpu()
    driver_before = time.process_time()
    killer = None
    if kill_after is not None:
        killer = asyncio.create_task(_kill_when(deployment, kill_after))
    run = await quiz_load(control, args.members, args.quizzes, latency_ms)
    if killer is not None:
        run["killed"] = await killer
    after = {**deployment.cpu(), "emulator": cpu_seconds(emulator_pid)}
    if args.engine == "postgresql":
        after["database"] = await deployment.server_cpu()
    calls = (await control.call("DELETE", "/calls"))["calls"]
    calls.pop("getUpdates", None)
    run["calls"] = calls
    run["calls_per_answer"] = round(sum(calls.values()) / max(run["answers"], 1), 2)
    answers = max(run["answers"], 1)
    used = {name: after[name] - before[name] for name in after if name in before}
    used["driver"] = time.process_time() - driver_before
    by_role: dict[str, float] = defaultdict(float)
    for name, seconds in used.items():
        role = "worker" if name.startswith("w") else name
        by_role[role] += seconds
    run["cpu_s_per_answer"] = {role: round(s / answers, 5) for role, s in by_role.items()}
    run["cpu_s_per_answer_by_process"] = {n: round(s / answers, 5) for n, s in used.items()}
    return run


async def _kill_when(deployment: Deployment, answers: int) -> str:
    while ANSWERED[0] < answers:  # noqa: ASYNC110 - the driver's members count
        await asyncio.sleep(0.02)
    deployment.kill("w1")
    return "w1"


async def bench_transport(
    args: argparse.Namespace, http: aiohttp.ClientSession, transport: str, scratch: Path
) -> JsonDict:
    """One transport: the echo reference first, on a fresh emulator; then for each worker
    count a fresh emulator and database, the quiz load at 0 ms (and at 50 ms for the single
    process); then, with two or more workers, a run that kills a worker mid-load."""
    results: JsonDict = {}
    log = scratch / f"{transport}.log"
    async with emulator(http, log) as (control, base_url, _):
        echo_log = scratch / f"{transport}-echo.log"  # its shutdown logs an error of its own
        echo = spawn([__file__, "--serve-echo", base_url, "--http", transport], echo_log)
        try:
            results["echo"] = await echo_load(control, args.members, args.echo_messages)
        finally:
            echo.terminate()
            echo.wait(WAIT)
    counts = [int(n) for n in args.workers.split(",")]
    for workers in counts:
        latencies = (0, 50) if workers == 0 else (0,)
        async with emulator(http, log) as (control, base_url, pid):
            deployment = Deployment(
                args, http, control, base_url, transport, workers, scratch, log
            )
            async with deployment:
                for latency in latencies:
                    results[f"workers{workers}_rtt{latency}"] = await measured_load(
                        deployment, pid, latency
                    )
                    print(transport, workers, latency, _brief(results), file=sys.stderr)
    if max(counts) >= 2 and not args.no_kill:
        workers = max(counts)
        async with emulator(http, log) as (control, base_url, pid):
            deployment = Deployment(
                args, http, control, base_url, transport, workers, scratch, log, "-killed"
            )
            async with deployment:
                expected = args.members * args.quizzes * 10
                run = await measured_load(deployment, pid, 0, kill_after=expected // 3)
                run.update(await lost_and_duplicates(deployment, run))
                results[f"workers{workers}_killed"] = run
    problems = [line for line in log.read_text().splitlines() if " ERROR " in line]
    if problems and not args.json:
        print("\n".join(problems[:20]), file=sys.stderr)
    echo_run = results["echo"]
    figures: JsonDict = {
        "runs": results,
        "echo_updates_per_s": echo_run["updates_per_s"],
        "errors_logged": len(problems),
    }
    for workers in counts:
        run = results[f"workers{workers}_rtt0"]
        figures[f"answers_per_s_workers{workers}"] = run["answers_per_s"]
        figures[f"cpu_s_per_answer_workers{workers}"] = run["cpu_s_per_answer"]
    figures["out_of_order"] = sum(r["out_of_order"] for r in results.values() if "answers" in r)
    figures["timeouts"] = sum(r["timeouts"] for r in results.values() if "answers" in r)
    if 0 in counts:
        rtt0, rtt50 = results["workers0_rtt0"], results["workers0_rtt50"]
        per_answer = rtt0["calls_per_answer"]
        figures.update(
            {
                "calls_per_answer": per_answer,
                "answers_per_s_rtt0": rtt0["answers_per_s"],
                "answers_per_s_rtt50": rtt50["answers_per_s"],
                "p50_ms_rtt50": rtt50["p50_ms"],
                "p99_ms_rtt50": rtt50["p99_ms"],
                "rtt50_over_rtt0": round(rtt50["answers_per_s"] / rtt0["answers_per_s"], 2),
                # 1.0 would be a bot whose own work costs nothing beside its Bot API calls;
                # the target is 0.8 (its own work at most a quarter of what its calls cost).
                "rtt0_over_echo_per_call": round(
                    rtt0["answers_per_s"] / (echo_run["updates_per_s"] / per_answer), 2
                ),
            }
        )
    if 1 in counts and 2 in counts:
        figures["two_workers_over_one"] = round(
            figures["answers_per_s_workers2"] / figures["answers_per_s_workers1"], 2
        )
    killed = results.get(f"workers{max(counts)}_killed")
    if killed is not None:
        figures["lost_answers"] = killed["lost_answers"]
        figures["duplicate_answers"] = killed["duplicate_answers"]
        figures["questions_shown_twice"] = killed["questions_shown_twice"]
        figures["killed_out_of_order"] = killed["out_of_order"]
    return figures


def _brief(results: JsonDict) -> JsonDict:
    name, run = list(results.items())[-1]
    return {name: {k: v for k, v in run.items() if not isinstance(v, dict)}}


async def lost_and_duplicates(deployment: Deployment, run: JsonDict) -> JsonDict:
    """From the database after a run with a worker killed: answers the members gave that
    were never recorded or whose result never came (lost), answers recorded twice, and
    questions a member was sent twice."""
    import sqlite3

    queries = (
        "SELECT COUNT(*) FROM answers",
        "SELECT COUNT(*) FROM (SELECT DISTINCT session_id, position FROM answers) AS d",
        "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL",
    )
    if deployment.args.engine == "postgresql":
        recorded, distinct, pending = [
            (await deployment.postgres(query, in_schema=True))[0][0] for query in queries
        ]
    else:
        with sqlite3.connect(deployment.database) as db:
            recorded, distinct, pending = [db.execute(q).fetchone()[0] for q in queries]
    expected = deployment.args.members * deployment.args.quizzes * 10
    return {
        "expected_answers": expected,
        "recorded_answers": recorded,
        "lost_answers": expected - distinct + run["timeouts"],
        "duplicate_answers": recorded - distinct,
        # Messages whose request was on its way when the worker died go out again.
        "questions_shown_twice": SHOWN_TWICE[0],
        "inbox_left_pending": pending,
    }


@asynccontextmanager
async def emulator(
    http: aiohttp.ClientSession, log: Path
) -> AsyncIterator[tuple[Control, str, int]]:
    """A fresh emulator and the driver's reader of its events."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = spawn(["-m", "bot.sandbox.emulator", "--port", str(port)], log)
    reader = None
    try:
        await wait_ready(http, f"{url}/_emulator/bot")
        control = Control(http, url)
        reader = asyncio.create_task(control.read_events())
        ANSWERED[0] = 0
        SHOWN_TWICE[0] = 0
        yield control, f"{url}/bot", process.pid
    finally:
        if reader is not None:
            reader.cancel()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


async def bench(args: argparse.Namespace) -> JsonDict:
    figures: JsonDict = {
        "members": args.members,
        "quizzes_per_member": args.quizzes,
        "engine": args.engine,
    }
    keep = os.environ.get("BENCH_SCRATCH")  # a folder to keep the processes' logs in
    with contextlib.nullcontext(keep) if keep else tempfile.TemporaryDirectory() as scratch:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=WAIT)
        ) as http:
            for transport in args.transports.split(","):
                figures[transport] = await bench_transport(args, http, transport, Path(scratch))
    transports = args.transports.split(",")
    if len(transports) == 2 and "0" in args.workers.split(","):
        first, second = (figures[name]["answers_per_s_rtt0"] for name in transports)
        figures[f"rtt0_{transports[0]}_over_{transports[1]}"] = round(first / second, 2)
    return figures


async def _wait_for_commands(control: Control) -> None:
    """The bot sets its command menu once it is up: that is the signal to start."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if (await control.call("GET", "/commands"))["commands"]:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("the bot did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--quizzes", type=int, default=1, help="quizzes per member (10 questions)")
    parser.add_argument("--echo-messages", type=int, default=10)
    parser.add_argument("--bank", default=str(ROOT / "question_bank"))
    parser.add_argument("--json", action="store_true", help="print only the final JSON line")
    parser.add_argument(
        "--transports", default="aiohttp,httpx", help="telegram.http values, measured in turn"
    )
    parser.add_argument(
        "--workers",
        default="0",
        help="worker counts, measured in turn: 0 is one process (python -m bot run), N a "
        "receiver and N workers (python -m bot receive / work); with 2 or more, a run that "
        "SIGKILLs a worker mid-load follows",
    )
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgresql",
        default="postgresql://127.0.0.1:5432/test",
        help="the database for --engine postgresql (emptied before each run)",
    )
    parser.add_argument("--lease-seconds", type=float, default=3.0, help="workers' leases")
    parser.add_argument("--no-kill", action="store_true", help="skip the run that kills a worker")
    parser.add_argument("--serve-echo", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--http", default="aiohttp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(args.serve_echo, args.http)
        return
    figures = asyncio.run(bench(args))
    if not args.json:
        for name in args.transports.split(","):
            print(name, json.dumps(figures[name].pop("runs"), ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

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
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the echo reference uses the bot's transports
TOKEN = "7000000001:AAEmulatorBranchStudyBotToken000000"
WAIT = 60.0
JsonDict = dict[str, Any]


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
    for _ in range(quizzes):
        await control.say(user, "/quiz")
        while True:
            event = await control.next(user, "message_sent")
            message = event["message"]
            text = message["text"]
            if text.startswith("答题结束"):
                break
            if not any(kind in text.split("\n", 1)[0] for kind in KINDS):
                continue
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
            try:
                answered = [
                    (await control.next(user, "callback_answered"))["callback_query_id"]
                    for _ in sent
                ]
                result = await control.next(
                    user,
                    "message_edited",
                    lambda e, m=message["message_id"]: (
                        e["message_id"] == m and "正确答案" in e["message"]["text"]
                    ),
                )
            except TimeoutError:
                tally.timeouts += 1
                return
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            tally.answers += 1
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
    """A bare python-telegram-bot echo bot, the library's defaults but for the transport: the
    reference for what the Bot API calls alone cost."""
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
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0.0)


async def bench_transport(
    args: argparse.Namespace, http: aiohttp.ClientSession, transport: str, scratch: Path
) -> JsonDict:
    """One transport on a fresh emulator: the echo reference first (an emulator holding
    thousands of chats' history answers slower), then the bot at 0 and 50 ms round trip."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    base_url = f"{url}/bot"
    log = scratch / f"{transport}.log"
    results: JsonDict = {}
    processes = [spawn(["-m", "bot.sandbox.emulator", "--port", str(port)], log)]
    env = {
        "BOT_TOKEN": TOKEN,
        "BOT__TELEGRAM__BASE_URL": base_url,
        "BOT__TELEGRAM__HTTP": transport,
        "BOT__DATABASE": str(scratch / f"{transport}.sqlite3"),
        "BOT__QUESTION_BANK": f"[{args.bank}]",
        "BOT__LOG_LEVEL": "WARNING",
    }
    try:
        await wait_ready(http, f"{url}/_emulator/bot")
        control = Control(http, url)
        reader = asyncio.create_task(control.read_events())
        echo_log = scratch / f"{transport}-echo.log"  # its shutdown logs an error of its own
        echo = spawn([__file__, "--serve-echo", base_url, "--http", transport], echo_log)
        processes.append(echo)
        results["echo"] = await echo_load(control, args.members, args.echo_messages)
        echo.terminate()
        echo.wait(WAIT)
        bot = spawn(["-m", "bot", "run"], log, env)
        processes.append(bot)
        await _wait_for_commands(control)
        for latency in (0, 50):
            await control.call("DELETE", "/calls")
            run = await quiz_load(control, args.members, args.quizzes, latency)
            calls = (await control.call("DELETE", "/calls"))["calls"]
            calls.pop("getUpdates", None)
            run["calls"] = calls
            run["calls_per_answer"] = round(sum(calls.values()) / max(run["answers"], 1), 2)
            results[f"rtt{latency}"] = run
        reader.cancel()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    problems = [line for line in log.read_text().splitlines() if " ERROR " in line]
    if problems and not args.json:
        print("\n".join(problems[:20]), file=sys.stderr)
    rtt0, rtt50, echo_run = results["rtt0"], results["rtt50"], results["echo"]
    per_answer = rtt0["calls_per_answer"]
    return {
        "runs": results,
        "echo_updates_per_s": echo_run["updates_per_s"],
        "calls_per_answer": per_answer,
        "answers_per_s_rtt0": rtt0["answers_per_s"],
        "answers_per_s_rtt50": rtt50["answers_per_s"],
        "p50_ms_rtt50": rtt50["p50_ms"],
        "p99_ms_rtt50": rtt50["p99_ms"],
        "out_of_order": rtt0["out_of_order"] + rtt50["out_of_order"],
        "timeouts": rtt0["timeouts"] + rtt50["timeouts"],
        "errors_logged": len(problems),
        "rtt50_over_rtt0": round(rtt50["answers_per_s"] / rtt0["answers_per_s"], 2),
        # 1.0 would be a bot whose own work costs nothing beside its Bot API calls; the
        # target is 0.8 (its own work at most a quarter of what its calls cost).
        "rtt0_over_echo_per_call": round(
            rtt0["answers_per_s"] / (echo_run["updates_per_s"] / per_answer), 2
        ),
    }


async def bench(args: argparse.Namespace) -> JsonDict:
    figures: JsonDict = {"members": args.members, "quizzes_per_member": args.quizzes}
    with tempfile.TemporaryDirectory() as scratch:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=WAIT)
        ) as http:
            for transport in args.transports.split(","):
                figures[transport] = await bench_transport(args, http, transport, Path(scratch))
    transports = args.transports.split(",")
    if len(transports) == 2:
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

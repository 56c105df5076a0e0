"""Benchmark: secretaries' reports on a city-sized database (issue 3, item 9).

    python -m bench.citygen                   # data/city.sqlite3, once (about ten minutes)
    python bench/reports.py --json            # the figures in docs/performance.md
    python bench/reports.py --small --json    # a small city generated into a temp dir first
    python bench/reports.py --small --engine postgresql --json   # the same, copied to PostgreSQL

Every figure comes from the bot's real code on the database ``bench.citygen`` builds:

* ``stats_p50_ms``, ``stats_p95_ms`` — ``StatsService.report`` (what /stats shows) for
  random 党支部, for the last full month of the data (members counted at its end, from the
  membership history); ``stats_year_*`` the same for its year;
* ``stats_dangwei_p50_ms``, ``stats_dangwei_p95_ms`` — ``StatsService.report`` of the 党委 whose
  subtree is nearest a thousand 党支部 (``stats_dangwei_branches``), its figures added up and
  its child units ranked; the generated city's districts have about 450, so the largest are
  put under one more 党委 (``dw-bench``) in the tree the service reads;
* ``ranking_city_s`` — ``StatsService.ranking`` of every 党支部 under the root for that month,
  ``ranking_city_year_s`` for the year;
* ``export_year_s`` — ``ReportProcess.ledger`` (what /export sends) of the 党支部 with the
  most members, for the year, with the worker process already started by a first export
  (``export_year_cold_s``: that first one, the worker's start-up included);
* ``chart_s`` — ``ReportProcess.chart`` (what /chart sends) of the city's 25 best branches;
* ``max_loop_block_ms`` — while all of the above run, a task sleeping 5 ms at a time measures
  how late it wakes: the longest the event loop could not answer a quiz tap;
* ``rss_mb`` — the peak resident memory (``ru_maxrss``) of the process that ran them: a fresh
  process which, like the bot, holds the question bank and one ``Storage`` connection
  (``worker_rss_mb``: the report worker's, ledgers and charts);
* ``db_mb`` — the database file.

The reports run in a fresh worker process (this file with ``--worker``), so its memory is a
bot's, not the generator's. With ``--e2e N`` the driver also starts the emulator and the real
bot (``python -m bot run``) on a copy of the database, sends /stats N times, /ranking and
/export as the admin, and times each command to the bot's reply (``e2e_*``); then /help every
0.2 s for 40 s, so that whatever else keeps the bot's loop busy (its 30-second scheduler tick)
shows as ``e2e_ping_max_ms``. The bot process's own peak memory (``VmHWM``) is
``bot_rss_mb``. A report that fails is reported as
``null`` with its error under ``<figure>_error``. The final line on stdout is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import TOKEN, Control, free_port, spawn, wait_ready  # noqa: E402
from bench.citygen import ADMIN_TELEGRAM_ID  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.i18n import ZH_CN  # noqa: E402
from bot.org.tree import Level, OrgTree, Unit  # noqa: E402
from bot.quiz.bank import load_bank  # noqa: E402
from bot.stats.chart import Bar  # noqa: E402
from bot.stats.periods import Period, Span  # noqa: E402
from bot.stats.report_process import ReportProcess  # noqa: E402
from bot.stats.service import StatsService  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.storage.url import DatabaseUrl  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
"""The bot's default time zone, in which periods are calendar periods."""
TICK_S = 0.005
PING_S = 40.0
WAIT_S = 600.0
JsonDict = dict[str, Any]


# The worker: the reports inside one event loop, as in the bot.


class LoopLag:
    """A task that sleeps ``TICK_S`` again and again and records how late it wakes up, per
    phase of the benchmark: the wall-clock lateness (what a quiz tap waits) and the CPU time
    the loop's own thread spent in between. On a shared machine the first also counts time
    the process was not scheduled or waited for the GIL; the second is only work done on the
    loop without yielding, which is what the code controls."""

    def __init__(self) -> None:
        self.phase = "idle"
        self.late_ms: dict[str, list[float]] = {}
        self.busy_ms: dict[str, float] = {}

    async def run(self) -> None:
        while True:
            phase, before, cpu = self.phase, time.perf_counter(), time.thread_time()
            await asyncio.sleep(TICK_S)
            late = (time.perf_counter() - before - TICK_S) * 1000
            busy = (time.thread_time() - cpu) * 1000
            self.late_ms.setdefault(phase, []).append(late)
            self.busy_ms[phase] = max(self.busy_ms.get(phase, 0.0), busy)

    async def enter(self, phase: str) -> None:
        """Start a phase once the previous one's last tick is in: a tick is counted in the
        phase it started in, and the work that delays it ran before it could end."""
        await asyncio.sleep(0.05)
        self.phase = phase

    def figures(self) -> JsonDict:
        every = [late for lates in self.late_ms.values() for late in lates]
        return {
            "max_loop_block_ms": round(max(every), 1),
            "loop_block_p99_ms": round(percentile(every, 0.99), 1),
            "loop_block_ms_by_phase": {k: round(max(v), 1) for k, v in self.late_ms.items()},
            "loop_cpu_block_ms_by_phase": {k: round(v, 1) for k, v in self.busy_ms.items()},
        }


class GcPauses:
    """The longest pause of Python's cyclic garbage collector, per generation: it runs on
    whichever thread happens to allocate, the event loop's included."""

    def __init__(self) -> None:
        self.started = 0.0
        self.longest_ms: dict[str, float] = {}

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        key = f"gen{info['generation']}"
        pause = (time.perf_counter() - self.started) * 1000
        self.longest_ms[key] = round(max(self.longest_ms.get(key, 0.0), pause), 1)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory so far of this process, or of its largest finished child (Linux
    reports kilobytes)."""
    return resource.getrusage(who).ru_maxrss / 1024


async def timed(
    figures: JsonDict, key: str, runs: Sequence[Callable[[], Awaitable[object]]]
) -> list[float]:
    """Run each report, returning the seconds each took; a failure is recorded as
    ``<key>_error`` (the first one) and the remaining runs are skipped."""
    seconds = []
    for run in runs:
        started = time.perf_counter()
        try:
            await run()
        except Exception as error:  # a report that fails is a finding, not a crash
            figures[f"{key}_error"] = f"{type(error).__name__}: {error}"
            break
        seconds.append(time.perf_counter() - started)
    return seconds


def thousand_branch_committee(tree: OrgTree) -> tuple[str, OrgTree]:
    """The 党委 with nearest a thousand 党支部 below it, and the tree it is in. When none has
    900 or more, a 党委 is added under the root over the largest districts, each taken while
    it brings their branches nearer a thousand."""
    committees = [u.id for u in tree.units if u.level is Level.COMMITTEE and u.parent]
    size = {u: len(tree.branches_under([u])) for u in committees}
    nearest = min(committees, key=lambda u: (abs(size[u] - 1000), u))
    if size[nearest] >= 900:
        return nearest, tree
    root = next(u.id for u in tree.units if u.parent is None)
    districts = sorted(tree.children[root], key=lambda u: (-size.get(u, 0), u))
    taken: set[str] = set()
    for district in districts:
        now = sum(size.get(u, 0) for u in taken)
        if abs(now + size.get(district, 0) - 1000) < abs(now - 1000):
            taken.add(district)
    group = Unit("dw-bench", "基准测试党委", Level.COMMITTEE, parent=root)
    units = [replace(u, parent=group.id) if u.id in taken else u for u in tree.units]
    return group.id, OrgTree((*units, group))


async def measure(db: str, month: Period, year: Period, samples: int, seed: int) -> JsonDict:
    bank = load_bank([ROOT / "question_bank"]).bank
    storage = await Storage.open(db)
    # The day after the measured month: its members are counted at its end, as on any day
    # after it.
    clock = FixedClock(month.bounds(ZONE)[1] + timedelta(hours=9))
    stats = await StatsService.reading(storage, ZONE, clock)
    tree = stats.tree
    root = next(unit.id for unit in tree.units if unit.parent is None)
    branches = sorted(unit.id for unit in tree.branches)
    rng = random.Random(seed)
    sample = rng.sample(branches, min(samples, len(branches)))
    window = stats.window(month)
    counts = await storage.stats.member_counts(branches, window.at, window.start, window.end)
    biggest = max(branches, key=lambda b: (counts[b].members if b in counts else 0, b))
    reports = ReportProcess(DatabaseUrl.of(db), ZONE, "auto", clock)
    figures: JsonDict = {"month": month.key, "year": year.key, "rss_ready_mb": round(rss_mb())}
    gc.freeze()  # as the bot does once started: what is loaded now is never collected
    lag, pauses = LoopLag(), GcPauses()
    gc.callbacks.append(pauses)
    ticker = asyncio.create_task(lag.run())
    await asyncio.sleep(2)  # the idle phase: the machine's own noise, for comparison

    def report(branch: str, period: Period) -> Callable[[], Awaitable[object]]:
        return lambda: stats.report(branch, period)

    def hardest(branch: str) -> Callable[[], Awaitable[object]]:
        return lambda: stats.hardest([branch], month)

    def ranking(period: Period) -> Callable[[], Awaitable[object]]:
        return lambda: stats.ranking(root, period)

    await lag.enter("stats")
    first = await timed(figures, "stats", [report(sample[0], month)])
    took = await timed(figures, "stats", [report(b, month) for b in sample])
    figures["stats_first_ms"] = round(first[0] * 1000, 1) if first else None
    figures["stats_samples"] = len(took)
    figures["stats_p50_ms"] = round(statistics.median(took) * 1000, 1) if took else None
    figures["stats_p95_ms"] = round(percentile(took, 0.95) * 1000, 1) if took else None
    figures["stats_max_ms"] = round(max(took) * 1000, 1) if took else None

    await lag.enter("stats_year")
    took = await timed(figures, "stats_year", [report(b, year) for b in sample[:50]])
    figures["stats_year_p50_ms"] = round(statistics.median(took) * 1000, 1) if took else None
    figures["stats_year_p95_ms"] = round(percentile(took, 0.95) * 1000, 1) if took else None

    # A 党委 of about a thousand branches: its /stats adds up the whole subtree, counting each
    # branch's members at the month's end. The city's districts have about 450 each, so when
    # no 党委 comes near a thousand, the largest districts are put under one more 党委 (as a
    # smaller city's would be) in the tree the service reads; the data is the city's own.
    dangwei, grouped = thousand_branch_committee(tree)
    committee_stats = StatsService(
        storage.stats, storage.org, storage.attendance, grouped, ZONE, clock
    )
    await lag.enter("stats_dangwei")
    took = await timed(
        figures,
        "stats_dangwei",
        [lambda: committee_stats.report(dangwei, month) for _ in range(20)],
    )
    figures["stats_dangwei"] = dangwei
    figures["stats_dangwei_branches"] = len(grouped.branches_under([dangwei]))
    # The same report's CPU time (both threads: the loop's and the database's), which a
    # machine shared with other work does not inflate as it does the wall time above.
    cpu = time.process_time()
    await committee_stats.report(dangwei, month)
    figures["stats_dangwei_cpu_ms"] = round((time.process_time() - cpu) * 1000, 1)
    figures["stats_dangwei_p50_ms"] = round(statistics.median(took) * 1000, 1) if took else None
    figures["stats_dangwei_p95_ms"] = round(percentile(took, 0.95) * 1000, 1) if took else None

    await lag.enter("hardest")
    took = await timed(figures, "hardest", [hardest(b) for b in sample[:50]])
    figures["hardest_p95_ms"] = round(percentile(took, 0.95) * 1000, 1) if took else None

    for key, period in (("ranking_city_s", month), ("ranking_city_year_s", year)):
        await lag.enter(key)
        took = await timed(figures, key, [ranking(period)])
        figures[key] = round(took[0], 2) if took else None

    await lag.enter("export_year")
    sizes: list[int] = []

    async def export() -> None:
        sizes.append(len(await reports.ledger(biggest, year, bank.by_id, ZH_CN)))

    took = await timed(figures, "export_year_cold", [export])
    figures["export_year_cold_s"] = round(took[0], 2) if took else None
    took = await timed(figures, "export_year", [export])
    figures["export_year_s"] = round(took[0], 2) if took else None
    figures["export_branch"] = biggest
    figures["export_members"] = counts[biggest].members if biggest in counts else 0
    figures["export_kib"] = sizes[0] // 1024 if sizes else None

    await lag.enter("chart")
    city_month = await stats.ranking(root, month)
    bars = [Bar(tree.by_id[f.branch_id].name, f.rate, f.average) for f in city_month[:25]]

    async def chart() -> None:
        if await reports.chart("全市参学率", bars, horizontal=True, texts=ZH_CN) is None:
            raise RuntimeError("no CJK font: install fonts-noto-cjk")

    took = await timed(figures, "chart", [chart, chart])
    figures["chart_s"] = round(took[-1], 2) if took else None

    await lag.enter("idle")
    await asyncio.sleep(0.05)
    ticker.cancel()
    gc.callbacks.remove(pauses)
    await storage.close()
    await reports.close()
    figures["worker_rss_mb"] = round(rss_mb(resource.RUSAGE_CHILDREN))
    figures |= lag.figures()
    figures["gc_pause_ms"] = pauses.longest_ms
    figures["rss_mb"] = round(rss_mb())
    return figures


# Through the real bot and the emulator.


async def through_bot(db: Path, org_file: Path, month: Period, year: Period, n: int) -> JsonDict:
    """/stats, /ranking and /export sent by the admin to the real bot over the emulator."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    figures: JsonDict = {}
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / db.name
        shutil.copyfile(db, copy)
        log = Path(scratch) / "processes.log"
        emulator = spawn(["-m", "bot.sandbox.emulator", "--port", str(port)], log)
        env = {
            "BOT_TOKEN": TOKEN,
            "BOT__TELEGRAM__BASE_URL": f"{url}/bot",
            "BOT__DATABASE": str(copy),
            "BOT__ORGANISATION__FILE": str(org_file),
            "BOT__ORGANISATION__ADMINS": f"[{ADMIN_TELEGRAM_ID}]",
            "BOT__LOG_LEVEL": "WARNING",
        }
        bot: subprocess.Popen[bytes] | None = None
        timeout = aiohttp.ClientTimeout(total=WAIT_S)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            try:
                await wait_ready(http, f"{url}/_emulator/bot")
                control = Control(http, url)
                reader = asyncio.create_task(control.read_events())
                started = time.perf_counter()
                bot = spawn(["-m", "bot", "run"], log, env)
                await _wait_for_commands(control)
                figures["e2e_start_s"] = round(time.perf_counter() - started, 1)
                admin = {"first_name": "管理员", "id": ADMIN_TELEGRAM_ID}
                await control.call("POST", "/users", admin)
                units = await asyncio.to_thread(_branches, copy)
                rng = random.Random(2)
                took = []
                for _ in range(n):
                    seconds, _ = await _ask(control, f"/stats {month.key} {rng.choice(units)}")
                    took.append(round(seconds * 1000))
                figures["e2e_stats_ms"] = took
                for key, command in (
                    ("e2e_ranking_city", f"/ranking {month.key}"),
                    ("e2e_export_year", f"/export {year.key} {rng.choice(units)}"),
                ):
                    method = "sendDocument" if command.startswith("/export") else "sendMessage"
                    seconds, reply = await _ask(control, command, method)
                    figures[f"{key}_s"] = round(seconds, 2)
                    figures[f"{key}_reply"] = reply
                pings = await _ping(control, PING_S)
                figures["e2e_ping_p50_ms"] = round(statistics.median(pings))
                figures["e2e_ping_max_ms"] = round(max(pings))
                figures["bot_rss_mb"] = _peak_rss_mb(bot.pid)
                reader.cancel()
            finally:
                for process in (bot, emulator):
                    if process is not None:
                        process.terminate()
                        try:
                            process.wait(10)
                        except subprocess.TimeoutExpired:
                            process.kill()
        errors = [line for line in log.read_text().splitlines() if " ERROR " in line]
        figures["e2e_errors_logged"] = len(errors)
        if errors:
            figures["e2e_first_error"] = errors[0][-300:]
    return figures


async def _ask(control: Control, command: str, method: str = "sendMessage") -> tuple[float, str]:
    """Seconds from sending ``command`` to the bot's reply by ``method`` (an export first
    says it is working, then sends the file), and the start of the reply's text."""
    started = time.perf_counter()
    await control.say(ADMIN_TELEGRAM_ID, command)
    event = await control.next(ADMIN_TELEGRAM_ID, "message_sent", lambda e: e["method"] == method)
    message = event["message"]
    text = str(message.get("text") or message.get("caption") or "")
    return time.perf_counter() - started, text.split("\n", 1)[0][:60]


async def _ping(control: Control, seconds: float) -> list[float]:
    """/help every 0.2 s for ``seconds`` (longer than the scheduler's 30 s tick): the reply
    times show how long the bot's loop is ever kept from answering anything."""
    took = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        took.append((await _ask(control, "/help"))[0] * 1000)
        await asyncio.sleep(0.2)
    return took


async def _wait_for_commands(control: Control) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if (await control.call("GET", "/commands"))["commands"]:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("the bot did not start")


def _branches(db: Path) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT id FROM org_units WHERE level = '党支部' ORDER BY id")
        return [row[0] for row in rows]


def _peak_rss_mb(pid: int) -> float | None:
    status = Path(f"/proc/{pid}/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


# The driver.


def latest_periods(db: Path) -> tuple[Period, Period]:
    """The last full month of the data and its year: the month of the latest finished quiz
    when that quiz is on its last day, else the month before (a month that has just begun
    would flatter every figure, having a few days of quizzes)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        (last,) = connection.execute(
            "SELECT MAX(finished_at) FROM quiz_sessions WHERE status = 'finished'"
        ).fetchone()
    if last is None:
        raise SystemExit(f"{db}: no finished quizzes; generate it with python -m bench.citygen")
    moment = datetime.fromtimestamp(last / 1000, UTC).astimezone(ZONE)
    month = Period(Span.MONTH, moment.year, moment.month)
    if (moment + timedelta(days=1)).month == moment.month:
        month = month.previous()
    return month, Period(Span.YEAR, month.year)


def on_postgres(db: Path, base: str) -> str:
    """The city copied with ``db copy`` into a fresh schema ``bench_reports`` on ``base``; the
    URL of that copy."""
    import asyncpg

    from bot.storage.copy import copy_database
    from bot.storage.url import DatabaseUrl

    async def copy() -> str:
        admin = await asyncpg.connect(base)
        await admin.execute("DROP SCHEMA IF EXISTS bench_reports CASCADE")
        await admin.execute("CREATE SCHEMA bench_reports")
        await admin.close()
        url = f"{base}{'&' if '?' in base else '?'}search_path=bench_reports"
        copies = await copy_database(DatabaseUrl.of(db), DatabaseUrl.of(url))
        assert all(c.ok for c in copies), [c for c in copies if not c.ok]
        admin = await asyncpg.connect(url)
        await admin.execute("ANALYZE")  # fresh statistics, as autovacuum would soon make
        await admin.close()
        return url

    return asyncio.run(copy())


def drop_copy(base: str) -> None:
    import asyncpg

    async def drop() -> None:
        admin = await asyncpg.connect(base)
        await admin.execute("DROP SCHEMA IF EXISTS bench_reports CASCADE")
        await admin.close()

    asyncio.run(drop())


def run_worker(db: Path | str, month: Period, year: Period, samples: int, seed: int) -> JsonDict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--db", str(db)]
    command += ["--month", month.key, "--samples", str(samples), "--seed", str(seed)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed:\n{done.stderr[-3000:]}")
    figures: JsonDict = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=str(ROOT / "data" / "city.sqlite3"))
    parser.add_argument(
        "--engine",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: copy the city to --postgres first and report from there",
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--small", action="store_true", help="generate a small city first")
    parser.add_argument("--samples", type=int, default=200, help="branches for /stats")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--e2e", type=int, default=0, metavar="N", help="/stats through the bot")
    parser.add_argument("--json", action="store_true", help="print only the final JSON line")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--month", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        month = Period(Span.MONTH, *map(int, args.month.split("-")))
        year = Period(Span.YEAR, month.year)
        print(json.dumps(asyncio.run(measure(args.db, month, year, args.samples, args.seed))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(args.db)
        if args.small:
            db = Path(scratch) / "city.sqlite3"
            generate = [sys.executable, "-m", "bench.citygen", "--small", "--out", str(db)]
            subprocess.run(generate, cwd=ROOT, check=True, capture_output=args.json)
        if not db.exists():
            raise SystemExit(f"{db} does not exist; generate it with python -m bench.citygen")
        month, year = latest_periods(db)
        source: Path | str = db
        if args.engine == "postgresql":
            started = time.perf_counter()
            source = on_postgres(db, args.postgres)
            copy_s = round(time.perf_counter() - started, 1)
        try:
            figures = run_worker(source, month, year, args.samples, args.seed)
        finally:
            if args.engine == "postgresql":
                drop_copy(args.postgres)
        figures["engine"] = args.engine
        if args.engine == "postgresql":
            figures["copy_s"] = copy_s
        if args.e2e:
            org_file = db.with_name(f"{db.stem}-org.yaml")
            figures |= asyncio.run(through_bot(db, org_file, month, year, args.e2e))
        figures["db_mb"] = round(sum(
            os.path.getsize(f"{db}{suffix}") for suffix in ("", "-wal")
            if os.path.exists(f"{db}{suffix}")
        ) / 2**20)  # fmt: skip
    if not args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""A bot that cannot start says why in one line and exits non-zero, without hanging (finding
7: a corrupt database or a read-only disk gave a traceback and then a process that never
ended, because the half-open connection's thread kept it alive, so no supervisor restarted it).

Each case runs ``python -m bot run`` in a subprocess against the Bot API emulator, with a
timeout."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.sandbox.emulator.client import EmulatorClient
from bot.sandbox.emulator.server import Emulator
from bot.storage import Storage
from tests.conftest import SAMPLE_BANK
from tests.engines import postgres_schema, postgres_url

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def read_only_prefix(folder: Path) -> list[str] | None:
    """A command prefix under which ``folder`` is read-only (root ignores file modes, so it
    gets a private read-only bind mount); None when neither way is available."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        return None
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && exec "$@"'
    )
    return ["unshare", "-m", "sh", "-c", script, "sh"]


async def start(
    emulator: Emulator,
    tmp_path: Path,
    database: Path,
    *,
    token: str | None = None,
    prefix: list[str] | None = None,
) -> tuple[int, list[str]]:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {database}\nquestion_bank: [{SAMPLE_BANK}]\nchart_font: none\n",
        encoding="utf-8",
    )
    env = {**os.environ, "BOT_TOKEN": token or emulator.token}
    env = {k: v for k, v in env.items() if not k.startswith("BOT__")}
    process = await asyncio.create_subprocess_exec(
        *(prefix or []),
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        "--base-url",
        emulator.base_url,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the bot hung instead of exiting") from None
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    return process.returncode or 0, lines


def the_one_problem(lines: list[str]) -> str:
    assert not any("Traceback" in line for line in lines), lines
    problems = [line for line in lines if " ERROR " not in line and " INFO " not in line]
    assert len(problems) == 1, lines
    return problems[0]


async def test_a_corrupt_database(emulator: Emulator, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(b"this is not a database, it was overwritten by mistake " * 200)
    code, lines = await start(emulator, tmp_path, database)
    assert code != 0
    assert the_one_problem(lines) == (
        f"{database}: cannot open the database: the file is not an SQLite database "
        "(corrupt, or another kind of file)"
    )


async def test_a_locked_database(emulator: Emulator, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN EXCLUSIVE")
        code, lines = await start(emulator, tmp_path, database)
    finally:
        holder.close()
    assert code != 0
    assert the_one_problem(lines) == f"{database}: cannot open the database: database is locked"


@pytest.mark.parametrize("fresh", [True, False], ids=["new database", "existing database"])
async def test_a_read_only_folder(emulator: Emulator, tmp_path: Path, fresh: bool) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "bot.sqlite3"
    if not fresh:
        with sqlite3.connect(database) as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("CREATE TABLE t (x)")
    prefix = read_only_prefix(folder)
    if prefix is None:
        pytest.skip("no way to make a folder read-only for root here")
    code, lines = await start(emulator, tmp_path, database, prefix=prefix)
    assert code != 0
    assert the_one_problem(lines).startswith(f"{database}: cannot open the database: ")


async def test_an_unwritable_folder(emulator: Emulator, tmp_path: Path) -> None:
    parent = tmp_path / "readonly"
    parent.mkdir()
    prefix = read_only_prefix(parent)
    if prefix is None:
        pytest.skip("no way to make a folder read-only for root here")
    database = parent / "data" / "bot.sqlite3"
    code, lines = await start(emulator, tmp_path, database, prefix=prefix)
    assert code != 0
    assert the_one_problem(lines).startswith(f"{database}: cannot open the database: ")


async def test_a_wrong_token_is_named_by_the_bot_id_only(
    emulator: Emulator, tmp_path: Path
) -> None:
    wrong = "123456:AAHwrongwrongwrongwrongwrongwrong"
    code, lines = await start(emulator, tmp_path, tmp_path / "bot.sqlite3", token=wrong)
    assert code != 0
    assert the_one_problem(lines) == "BOT_TOKEN: Telegram refused the token of bot 123456"
    assert not any("AAHwrong" in line for line in lines)


async def test_a_debug_run_never_logs_the_token(emulator: Emulator, tmp_path: Path) -> None:
    """Finding 11: at log_level DEBUG the library logged "Set Bot API URL: …/bot<token>"."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {tmp_path / 'bot.sqlite3'}\nquestion_bank: [{SAMPLE_BANK}]\n"
        "chart_font: none\nlog_level: DEBUG\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    env["BOT_TOKEN"] = emulator.token
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "bot", "--config", str(config), "run"],
        *["--base-url", emulator.base_url],
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert process.stderr is not None
    lines: list[str] = []

    async def read_until(text: str) -> None:
        assert process.stderr is not None
        while not any(text in line for line in lines):
            raw = await process.stderr.readline()
            assert raw, lines
            lines.append(raw.decode(errors="replace"))

    try:
        await asyncio.wait_for(read_until(" ready: "), START_TIMEOUT)
        async with EmulatorClient(emulator.url) as client:
            user = await client.create_user("王五")
            await client.send_text(user["id"], "/start")
            await client.wait_for_message(user["id"])
    finally:
        process.terminate()
        rest, _ = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    output = "".join(lines) + (rest or b"").decode(errors="replace")
    secret = emulator.token.split(":", 1)[1]
    assert " DEBUG " in output and "Set Bot API URL" in output
    assert secret not in output
    assert f"<bot {emulator.token.split(':')[0]}>" in output


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process table from /proc")
async def test_the_report_worker_ends_with_a_killed_bot(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Finding 14: report worker processes outlived a SIGKILLed bot."""
    admin = 700_001
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {tmp_path / 'bot.sqlite3'}\nquestion_bank: [{SAMPLE_BANK}]\n"
        f"chart_font: none\norganisation:\n  admins: [{admin}]\n  units:\n"
        "    - {id: zb-1, name: 东村党支部, level: 党支部}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    env["BOT_TOKEN"] = emulator.token
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "bot", "--config", str(config), "run"],
        *["--base-url", emulator.base_url],
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        async with EmulatorClient(emulator.url) as client:
            await client.create_user("管理员", user_id=admin)
            await client.send_text(admin, "/start")
            await client.wait_for_message(admin, timeout=START_TIMEOUT)
            await client.send_text(admin, "/chart 本月 zb-1")
            for _ in range(600):
                workers = children_of(process.pid)
                if workers:
                    break
                await asyncio.sleep(0.1)
        assert workers, "no report worker was started"
        await asyncio.sleep(2)  # the worker is up and waiting for work
    finally:
        process.kill()
        await process.wait()
    for _ in range(100):
        if not any(alive(pid) for pid in workers):
            break
        await asyncio.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


@pytest.mark.postgresql
async def test_the_bot_runs_on_postgresql_named_by_database_url(
    emulator: Emulator, tmp_path: Path
) -> None:
    """``python -m bot run`` with ``DATABASE_URL``: the schema is created at start, the bot
    answers, and the log names the database without its password."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {tmp_path / 'unused.sqlite3'}\nquestion_bank: [{SAMPLE_BANK}]\n"
        "chart_font: none\n",
        encoding="utf-8",
    )
    async with postgres_schema(postgres_url(), fresh=True) as database:
        parts = urlsplit(database.url)
        host = parts.netloc.rpartition("@")[2]
        with_password = urlunsplit(parts._replace(netloc=f"{parts.username}:pw@{host}"))
        shown = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
        env |= {"BOT_TOKEN": emulator.token, "DATABASE_URL": with_password}
        process = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "bot", "--config", str(config), "run"],
            *["--base-url", emulator.base_url],
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with EmulatorClient(emulator.url) as client:
                member = await client.create_user("张三")
                await client.send_text(member["id"], "/start")
                reply = await client.wait_for_message(member["id"], timeout=START_TIMEOUT)
                assert "/quiz" in reply["text"]
        finally:
            if process.returncode is None:
                process.terminate()
            _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
            log = stderr.decode()
        assert "Traceback" not in log, log
        assert f"database {shown}" in log, log
        assert ":pw@" not in log
        assert not (tmp_path / "unused.sqlite3").exists()
        storage = await Storage.open(database)
        try:
            assert await storage.org.member_id(member["id"]) is not None
        finally:
            await storage.close()

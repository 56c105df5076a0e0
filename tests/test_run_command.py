"""``python -m bot run`` without a token: it stops with a message saying how to start the
sandbox, instead of starting it unasked (a container missing its secret must not look
healthy). ``./scripts/run`` asks for the sandbox explicitly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_run_without_a_token_or_sandbox_stops_and_says_how_to_start_the_sandbox(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, BOT__DATABASE=str(tmp_path / "db.sqlite3"))
    env.pop("BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done
    assert "no bot token" in done.stderr and "--sandbox" in done.stderr
    assert "沙盒" not in done.stdout
    assert not (tmp_path / "db.sqlite3").exists()


def test_the_run_script_asks_for_the_sandbox() -> None:
    script = (ROOT / "scripts" / "run").read_text(encoding="utf-8")
    assert "-m bot run --sandbox" in script

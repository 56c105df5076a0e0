"""The README's command-line examples, run exactly as written on a fresh install: a new
directory with the shipped config, question bank, reference texts and example files, and no
database yet."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ".venv/bin/python -m bot "


def readme_commands() -> list[str]:
    """The lines of the README's 'Command line' block, comments dropped."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line.split("  #", 1)[0].strip() for line in block[1].splitlines()]
    return [line for line in lines if line]


@pytest.fixture
def fresh_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    (tmp_path / "question_bank").symlink_to(ROOT / "question_bank")
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    (tmp_path / "docs" / "reference").symlink_to(ROOT / "docs" / "reference")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_examples_work_as_written(
    fresh_install: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = readme_commands()
    assert len(commands) >= 5 and all(c.startswith(PYTHON) for c in commands)
    assert not (fresh_install / "data").exists()
    for command in commands:
        if "|" in command:
            continue  # a pipe needs a shell: see the test below
        assert main(shlex.split(command.removeprefix(PYTHON))) == 0, command
        err = capsys.readouterr().err
        assert "Traceback" not in err, (command, err)
    ledger = openpyxl.load_workbook(fresh_install / "台账.xlsx")
    assert ledger.sheetnames
    assert (fresh_install / "总支台账.xlsx").exists()


def test_a_closed_pipe_ends_quietly(fresh_install: Path) -> None:
    (piped,) = [c for c in readme_commands() if "|" in c]
    command = piped.replace(".venv/bin/python", shlex.quote(sys.executable), 1)
    done = subprocess.run(
        command.replace("| head -20", "| head -1"),
        shell=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == ""


def test_cli_errors_are_chinese_with_row_and_column(
    fresh_install: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--branch", "zb-1", "--xlsx", "x.xlsx"]) == 1
    assert "还没有组织架构：先用 python -m bot org import 导入" in capsys.readouterr().err
    assert main(["org", "import", "docs/examples/organisation.csv"]) == 0
    assert main(["report", "--branch", "西村党支部", "--xlsx", "x.xlsx"]) == 1
    assert "没有编号或名称为“西村党支部”的组织" in capsys.readouterr().err
    roster = fresh_install / "bad.csv"
    roster.write_text("姓名,支部,入党日期\n王秀英,西村党支部,1985/10/1\n张伟,zb-2,1985年13月1日\n")
    assert main(["org", "roster", "bad.csv"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "bad.csv:2:2: 第 2 行 B 列（支部）：没有编号或名称为“西村党支部”的党支部",
        "bad.csv:3:3: 第 3 行 C 列（入党日期）：“1985年13月1日”：没有 13 月",
    ]

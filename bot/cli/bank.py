"""``python -m bot bank …``: question bank tools."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bot.config import load_settings
from bot.quiz.bank import LoadedBank, load_bank


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bank = commands.add_parser("bank", help="question bank tools")
    actions = bank.add_subparsers(metavar="ACTION", required=True)
    check = actions.add_parser("check", help="check bank files, print counts")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: config)")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    paths = list(args.paths) or load_settings(args.config).question_bank
    print(bank_report(load_bank(paths)))
    return 0


def bank_report(loaded: LoadedBank) -> str:
    """Counts by file, by type and by chapter, for a person checking a bank."""
    lines = [f"{len(loaded.bank)} questions in {len(loaded.files)} files, all valid.", ""]
    for summary in loaded.files:
        types = Counter(q.type.value for q in summary.questions)
        kinds = ", ".join(f"{name} {types[name]}" for name in ("single", "multiple", "judge"))
        lines.append(f"{summary.path}: {len(summary.questions)} ({summary.document}; {kinds})")
        chapters = Counter(q.chapter for q in summary.questions)
        lines += [f"    {chapter}: {count}" for chapter, count in chapters.items()]
    return "\n".join(lines)

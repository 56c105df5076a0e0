"""``python -m bot``: run the bot, or check the question bank.

Every command that loads config or the bank reports all problems with file and line and
exits 1 before anything starts; nothing is half-started on bad input.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bot.app import build_application, quiet_http_logs, run
from bot.config import Settings, load_settings, read_token
from bot.quiz.bank import LoadedBank, load_bank
from bot.sandbox.run import run_sandbox
from bot.yamlfile import InvalidFileError

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except InvalidFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="支部学习助手")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"), help="config file")
    commands = parser.add_subparsers(metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (without BOT_TOKEN: the local sandbox)")
    run.add_argument("--base-url", help="a self-hosted Bot API server, e.g. http://host:8081/bot")
    run.set_defaults(handler=_run)

    bank = commands.add_parser("bank", help="question bank tools")
    bank_commands = bank.add_subparsers(metavar="ACTION", required=True)
    check = bank_commands.add_parser("check", help="check bank files, print counts")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: config)")
    check.set_defaults(handler=_bank_check)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_http_logs()
    return settings


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.base_url:
        settings = settings.model_copy(
            update={"telegram": settings.telegram.model_copy(update={"base_url": args.base_url})}
        )
    loaded = load_bank(settings.question_bank)
    token = read_token(settings)
    if token is None:
        return run_sandbox(settings, loaded.bank)
    run(build_application(settings, loaded.bank, token), settings)
    return 0


def _bank_check(args: argparse.Namespace) -> int:
    paths = list(args.paths) or load_settings(args.config).question_bank
    loaded = load_bank(paths)
    print(bank_report(loaded))
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

"""``python -m bot sandbox``: the whole bot, without Telegram, in a browser."""

from __future__ import annotations

import argparse

from bot.cli.run import configured
from bot.quiz.bank import load_bank
from bot.sandbox.run import run_sandbox


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sandbox", help="the bot, the local Bot API and a chat page with a demo organisation"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--fresh", action="store_true", help="recreate sandbox/bot.sqlite3")
    parser.set_defaults(handler=_sandbox)


def _sandbox(args: argparse.Namespace) -> int:
    settings = configured(args)
    bank = load_bank(settings.question_bank).bank
    return run_sandbox(settings, bank, host=args.host, port=args.port, fresh=args.fresh)

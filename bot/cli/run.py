"""``python -m bot run``: talk to Telegram, or to the local sandbox when there is no token."""

from __future__ import annotations

import argparse
import logging

from bot.app import build_application, quiet_http_logs, run
from bot.config import Settings, load_settings, read_token
from bot.handlers.quiz_view import screen
from bot.quiz.bank import load_bank
from bot.sandbox.run import run_sandbox


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("run", help="run the bot (without BOT_TOKEN: the local sandbox)")
    parser.add_argument(
        "--base-url", help="a self-hosted Bot API server, e.g. http://host:8081/bot"
    )
    parser.set_defaults(handler=_run)


def configured(args: argparse.Namespace) -> Settings:
    """Load the settings and set up logging (never at a level that shows request URLs)."""
    settings = load_settings(args.config)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_http_logs()
    return settings


def _run(args: argparse.Namespace) -> int:
    settings = configured(args)
    if args.base_url:
        settings = settings.model_copy(
            update={"telegram": settings.telegram.model_copy(update={"base_url": args.base_url})}
        )
    loaded = load_bank(settings.question_bank, screen)
    token = read_token(settings)
    if token is None:
        return run_sandbox(settings, loaded.bank)
    run(build_application(settings, loaded.bank, token), settings)
    return 0

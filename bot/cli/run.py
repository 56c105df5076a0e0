"""``python -m bot run``: talk to Telegram; without a token, the local sandbox only when asked
for with ``--sandbox`` (a container missing its secret stops instead of looking healthy)."""

from __future__ import annotations

import argparse
import logging
import sys

from telegram.error import InvalidToken

from bot.app import build_application, quiet_http_logs, redact_token_in_logs, run
from bot.config import TOKEN_ENV, Settings, bot_id, load_settings, read_token
from bot.handlers.quiz_view import screen
from bot.quiz.bank import load_bank
from bot.sandbox.run import run_sandbox
from bot.yamlfile import InvalidFileError, Problem

NO_TOKEN = (
    "no bot token: set BOT_TOKEN (or telegram.token_file) to talk to Telegram, or start the "
    "local sandbox with ./scripts/run, python -m bot run --sandbox or python -m bot sandbox"
)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("run", help="run the bot (needs BOT_TOKEN, or --sandbox)")
    parser.add_argument(
        "--base-url", help="a self-hosted Bot API server, e.g. http://host:8081/bot"
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="without a token, start the local sandbox instead of stopping (./scripts/run)",
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
        if not args.sandbox:
            print(NO_TOKEN, file=sys.stderr)
            return 2
        return run_sandbox(settings, loaded.bank)
    redact_token_in_logs(token)
    try:
        run(build_application(settings, loaded.bank, token), settings)
    except InvalidToken as error:
        # The library's message quotes the whole token; name the bot by its id only.
        raise InvalidFileError(
            [Problem(TOKEN_ENV, 0, 0, f"Telegram refused the token of bot {bot_id(token)}")]
        ) from error
    return 0

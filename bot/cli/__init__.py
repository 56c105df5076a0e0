"""``python -m bot``: the command line. Each feature adds its own subcommands (one module
here per feature); this module only assembles them and turns bad input into messages.

Every command that loads config or data files reports all problems with file and line and
exits 1 before anything starts; nothing is half-started on bad input. Output piped into a
reader that stops early (``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import bank, db, org, report, run, sandbox, scale, schedule
from bot.yamlfile import InvalidFileError

FEATURES = (run, scale, sandbox, bank, org, report, schedule, db)


def build_parser() -> argparse.ArgumentParser:
    """Every command and its options (also read by the test that checks docker-compose.yml)."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="支部学习助手")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"), help="config file")
    commands = parser.add_subparsers(metavar="COMMAND")
    for feature in FEATURES:
        feature.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
        return code
    except InvalidFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`bank stats | head`): end quietly, as other tools do. Point
        # stdout at /dev/null so that the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1

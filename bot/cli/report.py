"""``python -m bot report``: a unit's ledger (台账) from the command line, for admins."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path

from bot.cli.run import configured
from bot.clock import SystemClock
from bot.i18n import catalogue
from bot.quiz.bank import load_bank
from bot.stats.periods import parse_period
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.yamlfile import InvalidFileError, Problem


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="write a unit's Excel ledger")
    report.add_argument("--branch", required=True, help="unit id (a branch or any unit above)")
    report.add_argument("--period", default="", help="2026-11, 2026-Q4, 2026 (default: now)")
    report.add_argument("--xlsx", type=Path, required=True, help="output file")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    settings = configured(args)
    today = datetime.now(settings.zone).date()
    period = parse_period(args.period, today)
    if period is None:
        raise InvalidFileError(
            [Problem("--period", 1, 1, f'"{args.period}": use 2026-11, 2026-Q4 or 2026')]
        )
    bank = load_bank(settings.question_bank).bank

    async def build() -> bytes:
        storage = await Storage.open(settings.database)
        try:
            stats = await StatsService.reading(
                storage, settings.zone, SystemClock(), settings.stats.min_attempts
            )
            if args.branch not in stats.tree.by_id:
                raise InvalidFileError(
                    [Problem("--branch", 1, 1, f'"{args.branch}" is not a unit in the database')]
                )
            return await stats.ledger(args.branch, period, bank.by_id, catalogue(settings.locale))
        finally:
            await storage.close()

    data = asyncio.run(build())
    args.xlsx.write_bytes(data)
    print(f"{args.xlsx}: {period.key}, {len(data) // 1024} KiB")
    return 0

"""``python -m bot report``: a unit's ledger (台账) from the command line, for admins."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path

from bot.cli.run import configured
from bot.clock import SystemClock
from bot.i18n import catalogue
from bot.org.tree import OrgTree
from bot.quiz.bank import load_bank
from bot.stats.periods import parse_period
from bot.stats.service import StatsService
from bot.storage import Storage
from bot.yamlfile import InvalidFileError, Problem


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="write a unit's Excel ledger")
    report.add_argument("--branch", required=True, help="组织编号或名称（支部或其上级）")
    report.add_argument("--period", default="", help="2026-11, 2026-Q4, 2026 (default: now)")
    report.add_argument("--xlsx", type=Path, required=True, help="output file")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    settings = configured(args)
    today = datetime.now(settings.zone).date()
    period = parse_period(args.period, today)
    if period is None:
        raise InvalidFileError(
            [Problem("--period", 0, 0, f"看不懂“{args.period}”，请写成 2026-11、2026-Q4 或 2026")]
        )
    bank = load_bank(settings.question_bank).bank

    async def build() -> bytes:
        storage = await Storage.open(settings.database)
        try:
            stats = await StatsService.reading(
                storage, settings.zone, SystemClock(), settings.stats.min_attempts
            )
            unit = stats.tree.unit_named(args.branch)
            if not isinstance(unit, str):
                problem = _unknown(args, stats.tree, unit)
                raise InvalidFileError([Problem("--branch", 0, 0, problem)])
            return await stats.ledger(unit, period, bank.by_id, catalogue(settings.locale))
        finally:
            await storage.close()

    data = asyncio.run(build())
    args.xlsx.write_bytes(data)
    print(f"{args.xlsx}: {period.key}, {len(data) // 1024} KiB")
    return 0


def _unknown(args: argparse.Namespace, tree: OrgTree, same_name: list[str] | None) -> str:
    if same_name:
        return f"有 {len(same_name)} 个组织都叫“{args.branch}”，请写编号（{'、'.join(same_name)}）"
    if not tree.units:
        return (
            f"数据库 {configured(args).database} 里还没有组织架构：先用 "
            "python -m bot org import 导入，或在 config.yaml 的 organisation 里写明"
        )
    return f"没有编号或名称为“{args.branch}”的组织"

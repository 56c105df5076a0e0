"""``python -m bot org …``: apply an organisation file, import a roster."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.run import configured
from bot.clock import SystemClock
from bot.org.importer import load_roster_file, load_units_file
from bot.org.service import apply_units
from bot.org.tree import Level
from bot.storage import Storage


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    org = commands.add_parser("org", help="组织架构和党员名册")
    actions = org.add_subparsers(metavar="ACTION", required=True)
    units = actions.add_parser("import", help="导入组织架构（YAML、CSV 或 XLSX）")
    units.add_argument("file", type=Path)
    units.set_defaults(handler=_import_units)
    roster = actions.add_parser("roster", help="导入党员名册：姓名、支部（编号或名称）、入党日期")
    roster.add_argument("file", type=Path)
    roster.set_defaults(handler=_import_roster)


def _import_units(args: argparse.Namespace) -> int:
    settings = configured(args)
    units = load_units_file(args.file)

    async def apply() -> str:
        storage = await Storage.open(settings.database)
        clock = SystemClock()
        try:
            changes = await apply_units(storage.org, units, clock)
            # Secretaries named in the file become role grants, as if given with /promote.
            for unit in units:
                for telegram_id in unit.secretaries:
                    await storage.org.grant_role(telegram_id, unit.id, 0, clock.now())
        finally:
            await storage.close()
        return (
            f"已导入 {len(units)} 个党组织：新增 {len(changes.added)} 个，改名 "
            f"{len(changes.renamed)} 个，调整上级 {len(changes.moved)} 个，删除 "
            f"{len(changes.removed)} 个。"
        )

    print(asyncio.run(apply()))
    print(
        "提示：如果 config.yaml 里写了组织架构（organisation.units 或 organisation.file），"
        "下次启动时以它为准；否则沿用刚导入的组织架构。"
    )
    return 0


def _import_roster(args: argparse.Namespace) -> int:
    settings = configured(args)

    async def apply() -> int:
        storage = await Storage.open(settings.database)
        try:
            branches = [u for u in await storage.org.units() if u.level is Level.BRANCH]
            today = SystemClock().now().astimezone(settings.zone).date()
            entries = load_roster_file(args.file, branches, today)
            return await storage.org.add_roster(entries, SystemClock().now())
        finally:
            await storage.close()

    print(f"已登记 {asyncio.run(apply())} 名党员。")
    return 0

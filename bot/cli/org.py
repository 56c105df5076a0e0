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
    org = commands.add_parser("org", help="organisation tools")
    actions = org.add_subparsers(metavar="ACTION", required=True)
    units = actions.add_parser(
        "import", help="apply an organisation file (YAML, CSV or XLSX) to the database"
    )
    units.add_argument("file", type=Path)
    units.set_defaults(handler=_import_units)
    roster = actions.add_parser("roster", help="list members by name and branch (CSV or XLSX)")
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
            f"{len(units)} units applied: added {len(changes.added)}, renamed "
            f"{len(changes.renamed)}, moved {len(changes.moved)}, removed {len(changes.removed)}"
        )

    print(asyncio.run(apply()))
    print(
        "When config.yaml names units (organisation.units or organisation.file), those win at "
        "the next start; otherwise this tree stays."
    )
    return 0


def _import_roster(args: argparse.Namespace) -> int:
    settings = configured(args)

    async def apply() -> int:
        storage = await Storage.open(settings.database)
        try:
            branches = {u.id for u in await storage.org.units() if u.level is Level.BRANCH}
            entries = load_roster_file(args.file, branches)
            return await storage.org.add_roster(entries, SystemClock().now())
        finally:
            await storage.close()

    print(f"{asyncio.run(apply())} members listed.")
    return 0

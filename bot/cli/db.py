"""``python -m bot db …``: bring the database's schema up to date, or copy it to another
engine (``db copy --from sqlite:///data/bot.sqlite3 --to postgresql://bot@db/bot``)."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.run import configured
from bot.storage import Storage
from bot.storage.copy import CopyRefused, copy_database
from bot.storage.url import DatabaseUrl
from bot.yamlfile import InvalidFileError, Problem


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="数据库：升级结构，或复制到另一种数据库")
    actions = db.add_subparsers(metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="把配置的数据库升级到当前结构")
    upgrade.set_defaults(handler=_upgrade)
    copy = actions.add_parser(
        "copy", help="把一个数据库的全部数据复制到另一个空数据库，并逐表核对行数和校验和"
    )
    copy.add_argument("--from", dest="source", required=True, help="sqlite:///路径 或 路径")
    copy.add_argument("--to", dest="target", required=True, help="postgresql://用户@主机/库名")
    copy.set_defaults(handler=_copy)


def _url(option: str, value: str) -> DatabaseUrl:
    try:
        return DatabaseUrl.of(value)
    except ValueError as error:
        raise InvalidFileError([Problem(option, 0, 0, str(error))]) from error


def _upgrade(args: argparse.Namespace) -> int:
    settings = configured(args)

    async def upgrade() -> int:
        storage = await Storage.open(settings.database)
        try:
            return await storage.schema_version()
        finally:
            await storage.close()

    version = asyncio.run(upgrade())
    print(f"数据库 {settings.database} 已是当前结构（版本 {version}）。")
    return 0


def _copy(args: argparse.Namespace) -> int:
    source, target = _url("--from", args.source), _url("--to", args.target)
    if (source.engine, source.url) == (target.engine, target.url):
        raise InvalidFileError([Problem("--to", 0, 0, "the target is the source")])
    print(f"复制 {source} → {target}")
    try:
        copies = asyncio.run(copy_database(source, target))
    except CopyRefused as error:
        raise InvalidFileError([Problem(str(target), 0, 0, str(error))]) from error
    width = max(len(c.table) for c in copies)
    print(f"{'table':<{width}}  {'rows':>9}  {'copied':>9}  checksum (sum of row SHA-256)")
    for c in copies:
        mark = "ok" if c.ok else f"MISMATCH (target {c.target_checksum})"
        rows = f"{c.source_rows:>9}  {c.target_rows:>9}"
        print(f"{c.table:<{width}}  {rows}  {c.source_checksum}  {mark}")
    bad = [c.table for c in copies if not c.ok]
    if bad:
        print(f"核对不一致：{', '.join(bad)}")
        return 1
    total = sum(c.source_rows for c in copies)
    print(f"已复制 {len(copies)} 张表、{total} 行，行数和校验和全部一致。")
    return 0

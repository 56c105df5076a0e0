"""``python -m bot bank …``: question bank tools — check, stats, import, template."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

from bot.config import load_settings
from bot.handlers.quiz_view import screen
from bot.quiz.bank import LoadedBank, bank_files, load_bank
from bot.quiz.coverage import coverage, stats_report
from bot.quiz.importer import DEFAULT_ID_PREFIX, Header, import_bank, write_template
from bot.storage import Storage

TEMPLATE = Path("docs/question-bank-template.xlsx")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bank = commands.add_parser("bank", help="question bank tools")
    actions = bank.add_subparsers(metavar="ACTION", required=True)
    check = actions.add_parser("check", help="check bank files, print counts")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: config)")
    check.set_defaults(handler=_check)

    stats = actions.add_parser(
        "stats", help="coverage: questions per document, chapter, article, type, difficulty"
    )
    stats.add_argument("paths", nargs="*", type=Path, help="files or folders (default: config)")
    stats.set_defaults(handler=_stats)

    importer = actions.add_parser(
        "import",
        help="turn an Excel, CSV or Aiken text 题库 into a bank file",
        description="Reads .xlsx, .csv or .txt (Aiken); writes the YAML only if every "
        "question is valid, otherwise lists every problem by row and column. "
        "See docs/question-bank.md.",
    )
    importer.add_argument("file", type=Path, help=".xlsx, .csv or .txt")
    importer.add_argument(
        "-o", "--output", type=Path, required=True, help="the bank file, e.g. question_bank/x.yaml"
    )
    importer.add_argument("--document", help="short name, e.g. 党章 (default: from 出处)")
    importer.add_argument("--title", help="full title (default: the document)")
    importer.add_argument("--revision", help="the revision, e.g. 2022-10-22")
    importer.add_argument(
        "--reference",
        help="reference text relative to the folder above the output's folder, e.g. "
        "docs/reference/constitution.md; 出处 and 原文 are then checked against it",
    )
    importer.add_argument(
        "--id-prefix",
        default=DEFAULT_ID_PREFIX,
        help=f"ids are PREFIX-<hash of the question's text> (default: {DEFAULT_ID_PREFIX})",
    )
    importer.set_defaults(handler=_import)

    template = actions.add_parser("template", help="write the Excel template for bank import")
    template.add_argument(
        "-o", "--output", type=Path, required=True, help=f"e.g. 题库模板.xlsx (as {TEMPLATE})"
    )
    template.set_defaults(handler=_template)


def _check(args: argparse.Namespace) -> int:
    paths = list(args.paths) or load_settings(args.config).question_bank
    print(bank_report(load_bank(paths, screen)))
    return 0


def _stats(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    loaded = load_bank(list(args.paths) or settings.question_bank)
    # 答题纠错: questions with open reports are flagged; without a database yet, no claim.
    open_reports = (
        asyncio.run(_open_reports(settings.database)) if settings.database.exists() else None
    )
    print(stats_report(coverage(loaded, open_reports)))
    return 0


async def _open_reports(database: Path) -> dict[str, int]:
    storage = await Storage.open(database)
    try:
        return await storage.open_correction_counts()
    finally:
        await storage.close()


def _import(args: argparse.Namespace) -> int:
    # The configured bank is loaded with the new file, so an id it already uses (the same
    # question imported twice) is refused now rather than at the next start.
    existing = bank_files(load_settings(args.config).question_bank)
    header = Header(args.document, args.title, args.revision, args.reference)
    result = import_bank(
        args.file, args.output, header, existing=existing, id_prefix=args.id_prefix
    )
    kinds = ", ".join(f"{kind} {count}" for kind, count in result.counts.items())
    total = sum(result.counts.values())
    for note in result.notes:
        print(f"note: {note}")
    print(f"{total} questions ({kinds}) written to {result.output}")
    return 0


def _template(args: argparse.Namespace) -> int:
    try:
        write_template(args.output)
    except OSError as error:
        print(f"cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"template written to {args.output}")
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

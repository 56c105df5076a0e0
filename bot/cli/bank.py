"""``python -m bot bank …``: question bank tools — check, stats, import, template, reference,
review."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections import Counter
from pathlib import Path

from bot.config import load_settings
from bot.handlers.quiz_view import screen
from bot.quiz import bank_texts as say
from bot.quiz.bank import LoadedBank, bank_files, load_bank
from bot.quiz.coverage import coverage, stats_report
from bot.quiz.importer import DEFAULT_ID_PREFIX, Header, import_bank, write_template
from bot.quiz.importer.normalising import DEFAULT_CHAPTER
from bot.quiz.importer.writing import change_lines
from bot.quiz.reference import add_reference, registered
from bot.quiz.review import review_sample, review_text, write_review
from bot.storage import Storage
from bot.storage.url import DatabaseUrl

TEMPLATE = Path("docs/question-bank-template.xlsx")
REFERENCES = Path("docs/reference")


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
    importer.add_argument("--title", help="full title (default: the reference's, or the document)")
    importer.add_argument("--revision", help="the revision, e.g. 2022-10-22")
    importer.add_argument(
        "--reference",
        help="reference text relative to the folder above the output's folder, e.g. "
        "docs/reference/constitution.md; 出处 and 原文 are then checked against it",
    )
    importer.add_argument(
        "--chapter", help=f"章节 of rows that leave it empty (default: {DEFAULT_CHAPTER})"
    )
    importer.add_argument(
        "--check", action="store_true", help="check only: report problems, write nothing"
    )
    importer.add_argument(
        "--allow-similar",
        action="store_true",
        help="keep questions and options that differ only in spaces and punctuation",
    )
    importer.add_argument(
        "--id-prefix",
        default=DEFAULT_ID_PREFIX,
        help=f"ids are PREFIX-<hash of the question's text> (default: {DEFAULT_ID_PREFIX})",
    )
    importer.set_defaults(handler=_import)

    reference = actions.add_parser("reference", help="reference texts: register a document")
    references = reference.add_subparsers(metavar="ACTION", required=True)
    add = references.add_parser(
        "add",
        help="check a reference text and register it (copy it into the reference folder)",
        description="The file needs a header (title, short_name, version between --- lines); "
        "see docs/question-bank.md, Reference texts.",
    )
    add.add_argument("file", type=Path, help="the document as Markdown, e.g. 二十大报告.md")
    add.add_argument(
        "--into", type=Path, default=REFERENCES, help=f"reference folder (default: {REFERENCES})"
    )
    add.add_argument("--replace", action="store_true", help="replace a file of the same name")
    add.set_defaults(handler=_reference_add)

    review = actions.add_parser(
        "review",
        help="a random sample with quote, key and reference line side by side, for reviewers",
    )
    review.add_argument("paths", nargs="*", type=Path, help="files or folders (default: config)")
    review.add_argument("--sample", type=int, default=40, help="questions (default: 40)")
    review.add_argument(
        "--seed", type=int, help="the same seed draws the same sample (default: a new one)"
    )
    review.add_argument("-o", "--output", type=Path, help="also write the sample as .xlsx")
    review.set_defaults(handler=_review)

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
    # Documents registered but not yet quoted are listed for the whole configured bank only.
    documents = [] if args.paths else registered(_reference_folders(settings.question_bank))
    print(stats_report(coverage(loaded, open_reports, documents)))
    return 0


def _reference_folders(paths: list[Path]) -> list[Path]:
    """Where registered documents live for these bank paths: the docs/reference folder beside
    the bank folder, as a bank file's ``reference`` is resolved."""
    folders = [(p if p.is_dir() else p.parent).parent / REFERENCES for p in paths]
    return list(dict.fromkeys(folders))


def _reference_add(args: argparse.Namespace) -> int:
    added = add_reference(args.file, args.into, replace=args.replace)
    relative = os.path.relpath(added.path)
    message = say.REFERENCE_ADDED.format(
        title=added.title,
        short=added.short_name,
        version=added.version,
        path=added.path,
        chapters=len(added.chapters),
        paragraphs=len(added.body),
        unverified=len(added.unverified),
        relative=relative,
    )
    print(message)
    return 0


async def _open_reports(database: DatabaseUrl) -> dict[str, int]:
    storage = await Storage.open(database)
    try:
        return await storage.corrections.open_correction_counts()
    finally:
        await storage.close()


def _import(args: argparse.Namespace) -> int:
    # The configured bank is read with the new file, so an id it already uses (the same
    # question imported twice) is refused now rather than at the next start.
    existing = bank_files(load_settings(args.config).question_bank)
    header = Header(args.document, args.title, args.revision, args.reference, args.chapter)
    result = import_bank(
        args.file,
        args.output,
        header,
        existing=existing,
        id_prefix=args.id_prefix,
        check_only=args.check,
        allow_similar=args.allow_similar,
    )
    for note in result.notes:
        print(say.IMPORT_NOTE.format(note=note))
    if result.changes.changed or result.changes.removed or result.changes.same:
        print("\n".join(change_lines(result.changes, result.output)))
    counts = {kind: result.counts.get(kind, 0) for kind in ("single", "multiple", "judge")}
    total = sum(counts.values())
    done = say.IMPORTED if result.written else say.CHECKED
    print(done.format(total=total, output=result.output, **counts))
    return 0


def _review(args: argparse.Namespace) -> int:
    loaded = load_bank(list(args.paths) or load_settings(args.config).question_bank)
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    items = review_sample(loaded, max(args.sample, 0), seed)
    print(review_text(items, len(loaded.bank), seed))
    if args.output:
        try:
            write_review(items, args.output)
        except OSError as error:
            print(say.CANNOT_WRITE.format(path=args.output, error=error.strerror), file=sys.stderr)
            return 1
        print(say.REVIEW_WRITTEN.format(path=args.output))
    return 0


def _template(args: argparse.Namespace) -> int:
    try:
        write_template(args.output)
    except OSError as error:
        print(say.CANNOT_WRITE.format(path=args.output, error=error.strerror), file=sys.stderr)
        return 1
    print(say.TEMPLATE_WRITTEN.format(path=args.output))
    return 0


def bank_report(loaded: LoadedBank) -> str:
    """Counts by file, by type and by chapter, for a person checking a bank."""
    lines = [say.CHECK_SUMMARY.format(total=len(loaded.bank), files=len(loaded.files)), ""]
    for summary in loaded.files:
        types = Counter(q.type.value for q in summary.questions)
        kinds = say.TYPES.format(**{kind: types[kind] for kind in ("single", "multiple", "judge")})
        lines.append(
            say.CHECK_FILE.format(
                path=summary.path,
                count=len(summary.questions),
                document=summary.document,
                types=kinds,
            )
        )
        chapters = Counter(q.chapter for q in summary.questions)
        lines += [say.CHECK_CHAPTER.format(chapter=c, count=n) for c, n in chapters.items()]
    return "\n".join(lines)

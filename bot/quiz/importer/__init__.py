"""``bank import``: question banks kept in Excel, CSV or Aiken text, turned into bank YAML.

Three steps, one module each: ``reading`` finds the header and the questions and remembers the
cell of every value; ``normalising`` turns what people type into the bank's fields and finds
copies; ``writing`` keeps ids stable across re-imports, reports what changed and writes the
file. Between the last two, every draft goes through the bank loader's own checks
(``check_question``), whose structured findings are placed back on the cells they concern:
every problem of every row is listed in one run, and nothing is written unless all is well
(nor at all with ``check_only``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.quiz import bank_texts as say
from bot.quiz.bank import Finding, bank_files, check_question, reference_path
from bot.quiz.importer.normalising import (
    DEFAULT_CHAPTER,
    DEFAULT_DIFFICULTY,
    Defaults,
    Draft,
    Normalised,
    document_from_sources,
    normalise,
)
from bot.quiz.importer.normalising import (
    id_prefix as clean_prefix,
)
from bot.quiz.importer.reading import FIELDS, ImportProblem, file_problem, read_records
from bot.quiz.importer.template import write_template
from bot.quiz.importer.writing import (
    Changes,
    assign_ids,
    bank_questions,
    bank_yaml,
    changes,
    previous_questions,
    write_atomically,
)
from bot.quiz.questions import QuestionType
from bot.quiz.reference import Reference, load_reference
from bot.yamlfile import InvalidFileError, Problem

DEFAULT_ID_PREFIX = "q"


@dataclass(frozen=True)
class Header:
    """The bank file's header and the sheet's defaults; ``None`` fields are filled from the
    input, the reference or defaults."""

    document: str | None = None
    title: str | None = None
    revision: str | None = None
    reference: str | None = None
    chapter: str | None = None


@dataclass(frozen=True)
class ImportResult:
    output: Path
    counts: Mapping[str, int]
    """Questions by type."""
    notes: tuple[str, ...]
    """Things the operator should know: ignored columns and sheets, defaults used."""
    changes: Changes
    written: bool


def import_bank(
    source: Path,
    output: Path,
    header: Header | None = None,
    *,
    existing: Sequence[Path] = (),
    id_prefix: str = DEFAULT_ID_PREFIX,
    check_only: bool = False,
    allow_similar: bool = False,
) -> ImportResult:
    """Read ``source`` and write ``output`` atomically (not at all with ``check_only``); raise
    ``InvalidFileError`` with every problem, positioned in ``source``, if any question is
    invalid.

    ``existing`` are the other bank files the output will be loaded with, so that an id
    already used there is caught now."""
    header = header or Header()
    name = str(source)
    if output.suffix not in (".yaml", ".yml"):
        raise InvalidFileError([file_problem(name, say.OUTPUT_NOT_YAML.format(output=output))])
    if not output.parent.is_dir():
        message = say.OUTPUT_FOLDER_MISSING.format(folder=output.parent)
        raise InvalidFileError([file_problem(name, message)])
    reading = read_records(source)
    if not reading.records:
        raise InvalidFileError([file_problem(name, say.NO_QUESTIONS)])
    reference = _reference(output, header.reference, name)
    document = header.document or (reference.short_name if reference else None)
    if not document:
        document, why = document_from_sources(reading.records)
        if document is None:
            raise InvalidFileError([file_problem(name, why or say.NO_DOCUMENT)])
    title = header.title or (reference.title if reference else None) or document
    defaults = Defaults(document, title, header.chapter or DEFAULT_CHAPTER, reference)
    normalised = normalise(reading.records, defaults, allow_similar=allow_similar)
    drafts = normalised.drafts
    previous = previous_questions(output)
    assign_ids(drafts, previous, clean_prefix(id_prefix), document)
    problems: list[Problem] = list(normalised.problems)
    used = _ids_in_use(existing, output)
    first_row: dict[str, str] = {}
    for draft in drafts:
        _, findings = check_question(draft.data, document, reference)
        for finding in findings:
            if finding.field not in draft.flagged:
                problems.append(_placed(draft, finding))
        identifier = draft.data["id"]
        spot = draft.spot("id")
        if identifier in used:
            problems.append(
                spot.problem(say.ID_USED.format(id=identifier, place=used[identifier]))
            )
        elif identifier in first_row:
            message = say.ID_FROM_SHEET_TWICE.format(id=identifier, row=first_row[identifier])
            problems.append(spot.problem(message))
        first_row.setdefault(identifier, draft.record.spot.row)
    if problems:
        raise InvalidFileError(problems)
    revision = header.revision or (reference.version if reference else "") or ""
    text = bank_yaml(
        source,
        document,
        title,
        revision or say.UNSTATED_REVISION,
        header.reference,
        [d.data for d in drafts],
    )
    if not check_only:
        write_atomically(output, text)
    counts = Counter(d.data["type"] for d in drafts)
    return ImportResult(
        output,
        {t.value: counts[t.value] for t in QuestionType},
        tuple(_notes(reading.notes, normalised, drafts, revision, header)),
        changes(drafts, previous),
        not check_only,
    )


def _notes(
    notes: list[str],
    normalised: Normalised,
    drafts: Sequence[Draft],
    revision: str,
    header: Header,
) -> list[str]:
    found = list(notes)
    if normalised.defaulted_difficulty:
        count = normalised.defaulted_difficulty
        found.append(say.NOTE_NO_DIFFICULTY.format(count=count, level=DEFAULT_DIFFICULTY))
    if normalised.defaulted_chapter:
        chapter = header.chapter or DEFAULT_CHAPTER
        found.append(
            say.NOTE_DEFAULT_CHAPTER.format(count=normalised.defaulted_chapter, chapter=chapter)
        )
    unexplained = sum(1 for d in drafts if "explanation" not in d.data)
    if unexplained:
        found.append(say.NOTE_NO_EXPLANATION.format(count=unexplained))
    if normalised.similar_kept:
        found.append(say.NOTE_SIMILAR_KEPT.format(count=normalised.similar_kept))
    if not revision:
        found.append(say.NOTE_NO_REVISION.format(revision=say.UNSTATED_REVISION))
    return found


def _placed(draft: Draft, finding: Finding) -> Problem:
    """A loader's finding at the cell it concerns; one about a field the sheet has no cell
    for (no 答案 line in Aiken text, say) at the row, naming the field."""
    spot = draft.spot(finding.field, finding.index)
    message = finding.message
    if spot is draft.record.spot and finding.field != "options":
        label = FIELDS[finding.field][0] if finding.field in FIELDS else finding.field
        if message == say.REQUIRED:
            message = say.NO_FIELD.format(label=label)
        elif not message.startswith(label):
            message = say.FIELD_WITHOUT_CELL.format(label=label, message=message)
    return spot.problem(message)


def _reference(output: Path, reference: str | None, name: str) -> Reference | None:
    """The reference text ``--reference`` names, relative to the folder above the output's."""
    if not reference:
        return None
    path = reference_path(output, reference)
    if not path.is_file():
        raise InvalidFileError([file_problem(name, say.REFERENCE_NOT_FOUND.format(path=path))])
    return load_reference(path)


def _ids_in_use(existing: Sequence[Path], output: Path) -> dict[str, str]:
    """Question id → file, over the other bank files (a broken one is skipped: ``bank check``
    names its problems)."""
    used: dict[str, str] = {}
    for path in bank_files(existing):
        if path.resolve() != output.resolve():
            for question in bank_questions(path):
                used.setdefault(question["id"], str(path))
    return used


__all__ = [
    "DEFAULT_ID_PREFIX",
    "Header",
    "ImportProblem",
    "ImportResult",
    "import_bank",
    "write_template",
]

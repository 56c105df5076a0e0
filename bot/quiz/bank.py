"""Loading and checking the question bank.

Every problem in every file is collected before anything is reported, so that a committee
fixing a bank sees the whole list at once, each with ``file:line:column``. The same checks run
for ``python -m bot bank check`` and at start-up, where a broken bank stops the bot.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.quiz import bank_texts as say
from bot.quiz.questions import (
    JUDGE_OPTIONS,
    OPTION_LETTERS,
    Bank,
    Question,
    QuestionType,
)
from bot.quiz.reference import Reference, ReferenceCache
from bot.yamlfile import InvalidFileError, Located, Problem, load_located, validation_problems

BANK_FILE_MAX_BYTES = 8 << 20
"""One bank file: the whole Party Constitution bank is a few hundred kilobytes."""

MAX_OPTION_LENGTH = 300
"""Characters an option may hold. An option too long for a button is listed in the question's
text with a letter button (``bot/handlers/quiz_view.py``); whether the rendered messages fit
Telegram is the ``screen`` check's to say."""

Screen = Callable[[Question], list[str]]
"""Why a valid question cannot be shown in a chat, in the bank tools' words (empty if it can)."""

MIN_OPTIONS, MAX_OPTIONS = 2, 8

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _QuestionModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    type: QuestionType
    chapter: Text
    stem: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    options: (
        list[
            Annotated[
                str,
                StringConstraints(
                    strip_whitespace=True, min_length=1, max_length=MAX_OPTION_LENGTH
                ),
            ]
        ]
        | None
    ) = None
    answer: Text
    explanation: str = ""
    """Optional: public banks have none. Members then see the quote and source only."""
    source: Text
    quote: str = ""
    difficulty: Annotated[int, Field(ge=1, le=3)]
    tags: list[Text] = []


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: Text
    title: Text
    revision: date | Text
    reference: str | None = None
    questions: list[Any]


@dataclass(frozen=True)
class FileSummary:
    """What one bank file holds, for ``bank check``'s report."""

    path: str
    document: str
    questions: tuple[Question, ...]
    reference: str | None = None
    """The file's ``reference`` as written (see ``reference_path``)."""


@dataclass(frozen=True)
class LoadedBank:
    bank: Bank
    files: tuple[FileSummary, ...]


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, directories expanded in sorted order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def load_bank(paths: Sequence[Path], screen: Screen | None = None) -> LoadedBank:
    """Load and check every file; raise ``InvalidFileError`` listing all problems. With
    ``screen``, a question that cannot be shown in a chat is a problem too."""
    problems: list[Problem] = []
    files: list[FileSummary] = []
    first_seen: dict[str, str] = {}
    references = ReferenceCache()
    digest = hashlib.sha256()
    names = bank_files(paths)
    if not names:
        shown = ", ".join(str(p) for p in paths) or "(none)"
        raise InvalidFileError([Problem(shown, 1, 1, say.NO_BANK_FILES)])
    for path in names:
        name = _display(path)
        try:
            located = load_located(path, name, max_bytes=BANK_FILE_MAX_BYTES)
        except InvalidFileError as exc:
            problems.extend(exc.problems)
            continue
        digest.update(path.read_bytes())
        summary = _check_file(path, located, problems, first_seen, references, screen)
        if summary is not None:
            files.append(summary)
    if problems:
        raise InvalidFileError(problems)
    questions = tuple(q for f in files for q in f.questions)
    return LoadedBank(Bank(questions, version=digest.hexdigest()[:12]), tuple(files))


def _display(path: Path) -> str:
    """Paths below the working directory are shown relative to it, others as given."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def reference_path(bank_file: Path, reference: str) -> Path:
    """Where a bank file's ``reference`` points: relative to the folder above its folder."""
    return bank_file.parent.parent / reference


def _check_file(
    path: Path,
    located: Located,
    problems: list[Problem],
    first_seen: dict[str, str],
    references: ReferenceCache,
    screen: Screen | None = None,
) -> FileSummary | None:
    if not isinstance(located.data, dict):
        problems.append(located.problem((), say.BANK_NOT_MAPPING))
        return None
    try:
        header = _FileModel.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(validation_problems(located, exc))
        return None
    reference = None
    if header.reference:
        try:
            reference = references.get(reference_path(path, header.reference))
        except InvalidFileError as error:
            problems.extend(error.problems)
        else:
            if reference is None:
                message = say.REFERENCE_NOT_FOUND.format(path=header.reference)
                problems.append(located.problem(("reference",), f"reference: {message}"))
    questions: list[Question] = []
    for index, raw in enumerate(header.questions):
        base = ("questions", index)
        if not isinstance(raw, dict):
            problems.append(located.problem(base, say.QUESTION_NOT_MAPPING.format(index=index)))
            continue
        question, findings = check_question(raw, header.document, reference)
        identifier = raw.get("id")
        if isinstance(identifier, str) and identifier in first_seen:
            place = first_seen[identifier]
            findings.append(Finding("id", say.ID_USED.format(id=identifier, place=place)))
        elif isinstance(identifier, str):
            line, column = located.where((*base, "id"))
            first_seen[identifier] = f"{located.file}:{line}:{column}"
        problems.extend(_placed(finding, located, base, raw) for finding in findings)
        if question is not None and not findings:  # not a second time under another id
            unshown = screen(question) if screen is not None else []
            problems.extend(located.problem(base, why) for why in unshown)
            if not unshown:
                questions.append(question)
    return FileSummary(located.file, header.document, tuple(questions), header.reference)


@dataclass(frozen=True)
class Finding:
    """One problem with one question, at one field (an option by its index).

    Structured, so that each reader puts it where its user looks: the loader at the YAML key's
    ``file:line:column``, the importer at the spreadsheet cell, with the cell's own text. The
    message names no value; ``value`` is the offending value as the check saw it, which the
    loader shows and the importer replaces with what the cell holds."""

    field: str
    message: str
    index: int | None = None
    value: str | None = None


def _placed(
    finding: Finding, located: Located, base: tuple[str | int, ...], raw: dict[str, Any]
) -> Problem:
    path: tuple[str | int, ...] = (*base, finding.field)
    key = finding.field
    if finding.index is not None:
        path = (*path, finding.index)
        key = f"{key}[{finding.index}]"
    was = say.VALUE_WAS.format(value=finding.value) if finding.value is not None else ""
    on_key = finding.message == say.UNKNOWN_KEY
    return located.problem(path, f"{key}: {finding.message}{was}", key=on_key)


def check_question(
    raw: dict[str, Any], document: str, reference: Reference | None
) -> tuple[Question | None, list[Finding]]:
    """Every check of one question mapping, as a bank file holds it: the question if it is
    valid, and what is wrong with it. The importer calls this on each row it read."""
    try:
        model = _QuestionModel.model_validate(raw)
    except ValidationError as exc:
        return None, [_schema_finding(item) for item in exc.errors(include_url=False)]
    found = _check_choices(model)
    if reference is not None:
        found.extend(_check_reference(model, document, reference))
    return (None if found else _to_question(model, document)), found


def _schema_finding(item: Any) -> Finding:
    """A pydantic error on a question as a finding, in the bank tools' words."""
    location = item["loc"]
    field = str(location[0]) if location else "id"
    index = location[1] if len(location) > 1 and isinstance(location[1], int) else None
    kind = item["type"]
    if kind == "missing":
        return Finding(field, say.REQUIRED, index)
    if kind == "extra_forbidden":
        return Finding(field, say.UNKNOWN_KEY, index)
    got = item.get("input")
    value = str(got) if got is not None and not isinstance(got, dict | list) else None
    if kind == "string_too_long":
        return Finding(field, say.TOO_LONG.format(limit=item["ctx"]["max_length"]), index)
    if kind == "string_too_short":
        return Finding(field, say.REQUIRED, index)
    if kind == "string_pattern_mismatch" and field == "id":
        return Finding(field, say.ID_PATTERN, index, value)
    return Finding(field, say.INVALID.format(detail=item["msg"]), index, value)


def _check_choices(model: _QuestionModel) -> list[Finding]:
    found: list[Finding] = []
    if model.type is QuestionType.JUDGE:
        if model.options is not None:
            found.append(Finding("options", say.JUDGE_HAS_OPTIONS))
        if model.answer not in JUDGE_OPTIONS:
            found.append(Finding("answer", say.JUDGE_ANSWER, value=model.answer))
        return found
    options = model.options or []
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        message = say.OPTION_COUNT.format(low=MIN_OPTIONS, high=MAX_OPTIONS, count=len(options))
        return [Finding("options", message)]
    first: dict[str, int] = {}
    for index, option in enumerate(options):
        if option in first:
            letter = OPTION_LETTERS[first[option]]
            found.append(Finding("options", say.OPTION_SAME.format(letter=letter), index))
        else:
            first[option] = index
    letters = model.answer.replace(" ", "").replace(",", "").replace("，", "")
    valid = OPTION_LETTERS[: len(options)]
    bad = "".join(ch for ch in letters if ch not in valid)
    if bad:
        message = say.ANSWER_NOT_AMONG.format(letters=bad, last=valid[-1])
        found.append(Finding("answer", message, value=letters))
    elif len(set(letters)) != len(letters):
        found.append(Finding("answer", say.ANSWER_REPEATED, value=letters))
    elif model.type is QuestionType.SINGLE and len(letters) != 1:
        found.append(Finding("answer", say.SINGLE_ONE_ANSWER, value=letters))
    elif model.type is QuestionType.MULTIPLE and len(letters) < 2:
        found.append(Finding("answer", say.MULTIPLE_TWO_ANSWERS, value=letters))
    return found


def _check_reference(model: _QuestionModel, document: str, reference: Reference) -> list[Finding]:
    found: list[Finding] = []
    article = model.source.removeprefix(document).strip()
    if not model.source.startswith(document) or not article:
        message = say.SOURCE_FORM.format(document=document)
        found.append(Finding("source", message, value=model.source))
    elif not reference.has_heading(article):
        found.append(Finding("source", say.SOURCE_NOT_IN_REFERENCE.format(article=article)))
    if not model.quote.strip():
        found.append(Finding("quote", say.QUOTE_REQUIRED))
        return found
    lines = reference.lines_quoting(model.quote)
    if not lines:
        found.append(Finding("quote", say.QUOTE_NOT_FOUND))
    elif not any(line.verified for line in lines):
        found.append(Finding("quote", say.QUOTE_UNVERIFIED))
    return found


def _to_question(model: _QuestionModel, document: str) -> Question:
    if model.type is QuestionType.JUDGE:
        options: tuple[str, ...] = JUDGE_OPTIONS
        answer = frozenset({JUDGE_OPTIONS.index(model.answer)})
    else:
        options = tuple(model.options or ())
        answer = frozenset(OPTION_LETTERS.index(ch) for ch in model.answer if ch in OPTION_LETTERS)
    return Question(
        id=model.id,
        type=model.type,
        document=document,
        chapter=model.chapter,
        stem=model.stem,
        options=options,
        answer=answer,
        explanation=model.explanation.strip(),
        source=model.source,
        difficulty=model.difficulty,
        quote=model.quote.strip(),
        tags=tuple(model.tags),
    )

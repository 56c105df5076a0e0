"""Loading and checking the question bank.

Every problem in every file is collected before anything is reported, so that a committee
fixing a bank sees the whole list at once, each with ``file:line:column``. The same checks run
for ``python -m bot bank check`` and at start-up, where a broken bank stops the bot.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.quiz.questions import (
    JUDGE_OPTIONS,
    OPTION_LETTERS,
    Bank,
    Question,
    QuestionType,
)
from bot.yamlfile import InvalidFileError, Located, Problem, load_located, validation_problems

MAX_OPTION_LENGTH = 300
"""Characters an option may have. A long option is listed in the question's text with a letter
button (``bot/handlers/quiz_view.py``); the rendered messages are checked by ``screen``."""

Screen = Callable[[Question], list[str]]
"""Why a loaded question cannot be shown in a chat (empty when it can)."""

MIN_OPTIONS, MAX_OPTIONS = 2, 8
UNVERIFIED_MARK = "【未核对】"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _QuestionModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    type: QuestionType
    chapter: Text
    stem: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    options: list[Text] | None = None
    answer: Text
    explanation: Text
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
        raise InvalidFileError([Problem(shown, 1, 1, "no question bank files (*.yaml) found")])
    for path in names:
        name = _display(path)
        try:
            located = load_located(path, name)
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


def _check_file(
    path: Path,
    located: Located,
    problems: list[Problem],
    first_seen: dict[str, str],
    references: ReferenceCache,
    screen: Screen | None,
) -> FileSummary | None:
    if not isinstance(located.data, dict):
        problems.append(located.problem((), "a bank file is a mapping with document, questions…"))
        return None
    try:
        header = _FileModel.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(validation_problems(located, exc))
        return None
    reference = None
    if header.reference:
        reference = references.get(path.parent.parent / header.reference)
        if reference is None:
            problems.append(
                located.problem(("reference",), f"reference: file not found: {header.reference}")
            )
    questions: list[Question] = []
    for index, raw in enumerate(header.questions):
        base = ("questions", index)
        if not isinstance(raw, dict):
            problems.append(located.problem(base, f"questions[{index}]: must be a mapping"))
            continue
        try:
            model = _QuestionModel.model_validate(raw)
        except ValidationError as exc:
            problems.extend(validation_problems(located, exc, base))
            continue
        found = _check_question(model, located, base)
        if model.id in first_seen:
            found.append(
                located.problem(
                    (*base, "id"), f'id: "{model.id}" is already used at {first_seen[model.id]}'
                )
            )
        else:
            line, column = located.where((*base, "id"))
            first_seen[model.id] = f"{located.file}:{line}:{column}"
        if reference is not None:
            found.extend(_check_reference(model, header.document, reference, located, base))
        problems.extend(found)
        if not found:
            question = _to_question(model, header.document)
            unshown = screen(question) if screen is not None else []
            problems.extend(located.problem(base, f"cannot be shown: {why}") for why in unshown)
            if not unshown:
                questions.append(question)
    return FileSummary(located.file, header.document, tuple(questions))


def _check_question(
    model: _QuestionModel, located: Located, base: tuple[str | int, ...]
) -> list[Problem]:
    found: list[Problem] = []

    def problem(key: str, message: str) -> None:
        found.append(located.problem((*base, key), f"{key}: {message}"))

    if model.type is QuestionType.JUDGE:
        if model.options is not None:
            problem("options", "judge questions have no options (the answer is 正确 or 错误)")
        if model.answer not in JUDGE_OPTIONS:
            problem("answer", f'judge answers are 正确 or 错误 (got "{model.answer}")')
        return found
    options = model.options or []
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        problem("options", f"must have {MIN_OPTIONS}..{MAX_OPTIONS} options (got {len(options)})")
        return found
    for index, option in enumerate(options):
        if len(option) > MAX_OPTION_LENGTH:
            found.append(
                located.problem(
                    (*base, "options", index),
                    f"options[{index}]: too long ({len(option)} characters, "
                    f"at most {MAX_OPTION_LENGTH})",
                )
            )
    if len(set(options)) != len(options):
        problem("options", "two options are the same")
    letters = model.answer.replace(" ", "").replace(",", "").replace("，", "")
    valid = OPTION_LETTERS[: len(options)]
    bad = [ch for ch in letters if ch not in valid]
    if bad:
        got = "" if "".join(bad) == letters else f' (got "{letters}")'
        problem("answer", f'"{"".join(bad)}" is not among the options A–{valid[-1]}{got}')
    elif len(set(letters)) != len(letters):
        problem("answer", f'a letter is repeated (got "{letters}")')
    elif model.type is QuestionType.SINGLE and len(letters) != 1:
        problem("answer", f'a single-choice question has exactly one answer (got "{letters}")')
    elif model.type is QuestionType.MULTIPLE and len(letters) < 2:
        problem("answer", f'a multiple-choice question has two or more answers (got "{letters}")')
    return found


def _check_reference(
    model: _QuestionModel,
    document: str,
    reference: list[str],
    located: Located,
    base: tuple[str | int, ...],
) -> list[Problem]:
    found: list[Problem] = []
    article = model.source.removeprefix(document).strip()
    if not model.source.startswith(document) or not article:
        found.append(
            located.problem(
                (*base, "source"), f'source: must be "{document} <article>" (got "{model.source}")'
            )
        )
    elif not any(heading(line).startswith(article) for line in reference):
        found.append(
            located.problem((*base, "source"), f'source: "{article}" is not in the reference text')
        )
    if not model.quote.strip():
        found.append(
            located.problem((*base, "quote"), "quote: required when the file names a reference")
        )
        return found
    lines = [line for line in reference if model.quote in line]
    if not lines:
        found.append(
            located.problem(
                (*base, "quote"), "quote: not found word for word in the reference text"
            )
        )
    elif all(line.startswith(UNVERIFIED_MARK) for line in lines):
        found.append(
            located.problem((*base, "quote"), "quote: rests on a passage marked 【未核对】")
        )
    return found


def heading(line: str) -> str:
    """A reference line without its 【未核对】 mark and Markdown heading hashes: what a
    ``source`` names (第三条, 总纲, 四、…)."""
    return re.sub(r"^#+\s*", "", line.removeprefix(UNVERIFIED_MARK))


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
        explanation=model.explanation,
        source=model.source,
        difficulty=model.difficulty,
        quote=model.quote.strip(),
        tags=tuple(model.tags),
    )


class ReferenceCache:
    """Reference texts, read once per run however many files cite them."""

    def __init__(self) -> None:
        self._texts: dict[Path, list[str] | None] = {}

    def get(self, path: Path) -> list[str] | None:
        key = path.resolve()
        if key not in self._texts:
            try:
                text = key.read_text(encoding="utf-8")
            except OSError:
                self._texts[key] = None
            else:
                self._texts[key] = [line.strip() for line in text.splitlines() if line.strip()]
        return self._texts[key]

"""Reference texts: the documents questions quote, as data (docs/question-bank.md, "Reference
texts").

A reference is a Markdown file a person can read and diff: a ``# title`` line, a few ``- 来源：``
/ ``- 修订：`` / ``- 核对：`` notes, ``##`` chapter headings, and one paragraph (or article,
``第X条　…``) per line. A line that has not been compared with a published copy starts with
``【未核对】``; questions may not rest on it. A line may end with ``〔核对：…〕`` naming where
that very line was checked; otherwise the file's 核对/来源 notes are its source.

An optional YAML header between ``---`` lines names the document (``title``, ``short_name``,
``version``, ``source``), so that ``bank reference add`` can register a new document (the 二十大
report, say) and ``bank stats`` can count coverage of documents nobody has written questions on
yet. Files without the header load as before: title from the ``#`` line, version from 修订.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from bot.quiz import bank_texts as say
from bot.yamlfile import InvalidFileError, Problem, parse_located, validation_problems

UNVERIFIED_MARK = "【未核对】"
MAX_REFERENCE_BYTES = 4_000_000
"""A long document (the 二十大 report is about 100 KB) fits many times over; a larger file is
not a reference text."""

_FRONT = "---"
_NOTE = re.compile(r"^-\s*([^：:]{1,8})[：:]\s*(.*)$")
_LINE_SOURCE = re.compile(r"\s*〔核对[：:]([^〔〕]+)〕$")
_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千\d]+条")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _HeaderModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    short_name: Text
    version: Text
    source: Text | None = None


@dataclass(frozen=True)
class Line:
    """One non-empty line of the text, as questions are matched against it."""

    number: int
    """1-based line number in the file, for messages and reviewers."""
    text: str
    """The line without its 【未核对】 mark and 〔核对：…〕 note: what a quote must be found in."""
    verified: bool
    source: str
    """Where this line was checked: its own note, else the file's 核对 or 来源 note."""
    chapter: str
    """The ``##`` heading above it ("" before the first)."""
    kind: str
    """``title``, ``note``, ``chapter`` (a ``#`` heading) or ``body``."""

    @property
    def heading(self) -> str:
        """What a question's ``source`` names: the line without Markdown hashes."""
        return self.text.lstrip("#").strip()


@dataclass(frozen=True)
class Reference:
    path: Path
    title: str
    short_name: str
    """"" when the file has no header (the bank file's ``document`` names it then)."""
    version: str
    lines: tuple[Line, ...]

    @property
    def body(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "body")

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(line.heading for line in self.lines if line.kind == "chapter")

    @property
    def unverified(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.verified)

    def lines_quoting(self, quote: str) -> tuple[Line, ...]:
        """The lines a quote is found in word for word."""
        return tuple(line for line in self.lines if quote in line.text)

    def has_heading(self, article: str) -> bool:
        """Whether ``article`` (第三条, 总纲, 四、…) starts a line: what a source may name."""
        return any(line.heading.startswith(article) for line in self.lines)

    def article_of(self, line: Line) -> str:
        """The 第X条 a body line belongs to (the last one at or above it), else its chapter."""
        found = ""
        for candidate in self.lines:
            if candidate.kind == "chapter":
                found = ""
            elif match := _ARTICLE.match(candidate.text):
                found = match.group(0)
            if candidate is line:
                break
        return found or line.chapter


def parse_reference(text: str, path: Path, name: str | None = None) -> Reference:
    """Read a reference text; raise ``InvalidFileError`` for a bad header."""
    shown = name or str(path)
    lines = text.splitlines()
    offset = 0
    header: _HeaderModel | None = None
    if lines and lines[0].strip() == _FRONT:
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == _FRONT), None)
        if end is None:
            raise InvalidFileError([Problem(shown, 1, 1, say.REFERENCE_HEADER_UNCLOSED)])
        header = _header("\n".join(lines[1:end]), shown)
        offset = end + 1
    parsed: list[Line] = []
    notes: dict[str, str] = {}
    title = ""
    chapter = ""
    for number, raw in enumerate(lines[offset:], start=offset + 1):
        stripped = raw.strip()
        if not stripped:
            continue
        verified = not _unmarked(stripped)[1]
        text, _ = _unmarked(stripped)
        own = _LINE_SOURCE.search(text)
        if own:
            text = text[: own.start()]
        note = _NOTE.match(text)
        if text.startswith("# "):
            kind, title = "title", title or text[2:].strip()
        elif text.startswith("#"):
            kind = "chapter"
            chapter = _unmarked(text.lstrip("#").strip())[0]
            text = "#" * (len(text) - len(text.lstrip("#"))) + " " + chapter
        elif note and not any(line.kind in ("chapter", "body") for line in parsed):
            kind = "note"
            notes.setdefault(note.group(1).strip(), note.group(2).strip())
        else:
            kind = "body"
        parsed.append(
            Line(number, text, verified, own.group(1).strip() if own else "", chapter, kind)
        )
    source = notes.get("核对") or notes.get("来源") or (header.source if header else "") or ""
    with_sources = tuple(
        line if line.source or not line.verified else _with_source(line, source) for line in parsed
    )
    if header is not None:
        return Reference(path, header.title, header.short_name, header.version, with_sources)
    return Reference(path, title, "", notes.get("修订", ""), with_sources)


def _unmarked(text: str) -> tuple[str, bool]:
    """The text without a leading 【未核对】 (after any heading hashes), and whether it had one."""
    hashes = text[: len(text) - len(text.lstrip("#"))]
    rest = text[len(hashes) :].lstrip()
    if rest.startswith(UNVERIFIED_MARK):
        rest = rest.removeprefix(UNVERIFIED_MARK).lstrip()
        return (f"{hashes} {rest}" if hashes else rest), True
    return text, False


def _with_source(line: Line, source: str) -> Line:
    return Line(line.number, line.text, line.verified, source, line.chapter, line.kind)


def _header(text: str, name: str) -> _HeaderModel:
    located = parse_located(text, name)
    # The header starts on the file's second line: move positions down by one.
    located.values = {k: (line + 1, col) for k, (line, col) in located.values.items()}
    located.keys = {k: (line + 1, col) for k, (line, col) in located.keys.items()}
    if not isinstance(located.data, dict):
        raise InvalidFileError([Problem(name, 2, 1, say.REFERENCE_HEADER_NOT_MAPPING)])
    data = {key: str(value) if value is not None else None for key, value in located.data.items()}
    try:
        return _HeaderModel.model_validate(data)
    except ValidationError as exc:
        raise InvalidFileError(validation_problems(located, exc)) from exc


def load_reference(path: Path, name: str | None = None) -> Reference:
    """Read and parse a reference file; ``InvalidFileError`` if it cannot be read."""
    shown = name or str(path)
    try:
        if path.stat().st_size > MAX_REFERENCE_BYTES:
            raise InvalidFileError([Problem(shown, 0, 0, say.REFERENCE_TOO_LARGE)])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFileError([Problem(shown, 0, 0, say.CANNOT_READ.format(error=exc))]) from exc
    return parse_reference(text, path, shown)


def check_new_reference(reference: Reference, name: str) -> list[Problem]:
    """What a document must have to be registered: a header, a body, no article twice."""
    problems: list[Problem] = []
    if not reference.short_name:
        problems.append(Problem(name, 1, 1, say.REFERENCE_NEEDS_HEADER))
    if not reference.body:
        problems.append(Problem(name, 0, 0, say.REFERENCE_EMPTY))
    seen: dict[str, int] = {}
    for line in reference.body:
        match = _ARTICLE.match(line.text)
        if match is None:
            continue
        article = match.group(0)
        if article in seen:
            message = say.REFERENCE_ARTICLE_TWICE.format(article=article, first=seen[article])
            problems.append(Problem(name, line.number, 1, message))
        else:
            seen[article] = line.number
    return problems


def add_reference(source: Path, folder: Path, *, replace: bool = False) -> Reference:
    """Register a document: check ``source`` as a new reference text and copy it into
    ``folder`` under its own name; return it as registered. Raise ``InvalidFileError`` with
    every problem, copying nothing, if it lacks a header or a body, repeats an article, would
    overwrite a different file (unless ``replace``) or takes another document's short name."""
    name = str(source)
    reference = load_reference(source, name)
    problems = check_new_reference(reference, name)
    target = folder / source.name
    elsewhere = target.exists() and target.resolve() != source.resolve()
    if elsewhere and not replace and target.read_bytes() != source.read_bytes():
        problems.append(Problem(name, 0, 0, say.REFERENCE_EXISTS.format(path=target)))
    for other in registered([folder]):
        if other.short_name == reference.short_name and other.path.name != source.name:
            message = say.REFERENCE_SHORT_NAME_USED.format(name=other.short_name, path=other.path)
            problems.append(Problem(name, 1, 1, message))
    if problems:
        raise InvalidFileError(problems)
    folder.mkdir(parents=True, exist_ok=True)
    if target.resolve() != source.resolve():
        target.write_bytes(source.read_bytes())
    return load_reference(target)


def shown_path(path: Path) -> str:
    """A path below the working directory relative to it, as the loader shows bank files."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ReferenceCache:
    """Reference texts, read once per run however many files cite them."""

    def __init__(self) -> None:
        self._texts: dict[Path, Reference | InvalidFileError | None] = {}

    def get(self, path: Path) -> Reference | None:
        """The reference at ``path``; None if there is no such file. A file that exists but
        is broken raises its problems."""
        key = path.resolve()
        if key not in self._texts:
            try:
                self._texts[key] = load_reference(key, str(path)) if key.is_file() else None
            except InvalidFileError as error:
                self._texts[key] = error
        found = self._texts[key]
        if isinstance(found, InvalidFileError):
            raise found
        return found


def registered(folders: Sequence[Path]) -> list[Reference]:
    """The documents in reference folders that carry a header (``bank reference add``)."""
    found: list[Reference] = []
    for folder in folders:
        for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
            try:
                reference = load_reference(path)
            except InvalidFileError:
                continue  # bank check reports a broken reference where a bank names it
            if reference.short_name:
                found.append(reference)
    return found

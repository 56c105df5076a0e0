"""``bank import``: question banks kept in Excel, CSV or Aiken text, turned into bank YAML.

Committees keep their 题库 in spreadsheets in a common Chinese layout (题型, 题目, 选项A…选项H,
答案, 解析, 出处, 难度, 章节) or as Aiken text. This module reads those, normalises what people
actually type (full-width letters, ``A,C,D``, 对/错/√/×, 易/中/难, header synonyms), and writes
one bank file in the format of docs/question-bank.md.

The bank's own rules (answer letters among the options, option width, quotes found in the
reference, unique ids…) are not repeated here: the YAML is written to a temporary file beside
the output and loaded with ``load_bank``; every problem it reports is translated back to the
row (or line) and column of the input. Nothing is written unless the whole input is valid.

Ids are a short hash of the document, stem and options, so importing a corrected spreadsheet
again keeps the ids of unchanged questions: recorded answers and correction reports stay
attached to them.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import os
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.quiz.bank import MAX_OPTIONS, load_bank
from bot.quiz.questions import JUDGE_OPTIONS, OPTION_LETTERS, QuestionType
from bot.spreadsheets import read_text, workbook_sheets
from bot.yamlfile import InvalidFileError, Problem, parse_located

FIELDS: dict[str, tuple[str, ...]] = {
    "type": ("题型", "类型", "试题类型", "题目类型", "type"),
    "stem": ("题目", "试题", "题干", "问题", "题目内容", "试题内容", "stem", "question"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案", "answer"),
    "explanation": ("解析", "答案解析", "试题解析", "解释", "explanation"),
    "source": ("出处", "来源", "依据", "出处条款", "source"),
    "quote": ("原文", "引文", "原文依据", "原文摘录", "quote"),
    "difficulty": ("难度", "难易度", "难易程度", "difficulty"),
    "chapter": ("章节", "章", "所属章节", "chapter"),
    "tags": ("标签", "知识点", "tags"),
}
"""Field → accepted column names (compared after ``_header_key``); the first is canonical."""

REQUIRED_COLUMNS = ("stem", "answer", "explanation", "source", "chapter")
"""Columns a spreadsheet must have. 题型 is inferred from the answer, 难度 defaults to 2, and
选项 may be absent in a file of judge questions only."""

DEFAULT_DIFFICULTY = 2
DEFAULT_ID_PREFIX = "q"
UNSTATED_REVISION = "未注明"

TYPE_WORDS: dict[str, QuestionType] = {
    **dict.fromkeys(("单选", "单选题", "单项选择", "单项选择题", "single"), QuestionType.SINGLE),
    **dict.fromkeys(
        ("多选", "多选题", "多项选择", "多项选择题", "multiple"), QuestionType.MULTIPLE
    ),
    **dict.fromkeys(("判断", "判断题", "是非题", "对错题", "judge"), QuestionType.JUDGE),
}
TRUE_WORDS = frozenset({"正确", "对", "√", "✓", "✔", "是", "true", "t", "y", "yes"})
FALSE_WORDS = frozenset({"错误", "错", "×", "✗", "✘", "否", "false", "f", "n", "no"})
DIFFICULTY_WORDS = {
    **dict.fromkeys(("1", "易", "容易", "简单", "低"), 1),
    **dict.fromkeys(("2", "中", "中等", "一般", "适中"), 2),
    **dict.fromkeys(("3", "难", "困难", "较难", "高"), 3),
}

_OPTION_HEADER = re.compile(r"^(?:选项|option)?([a-h1-8])(?:选项|项)?$")
_OPTION_PREFIX = re.compile(r"^\s*([A-HＡ-Ｈ])\s*[.、．)）:：]\s*")
_AIKEN_OPTION = re.compile(r"^([A-HＡ-Ｈ])\s*[.、．)）]\s*(.*)$")
_AIKEN_FIELD = re.compile(r"^([^:：]{1,12})\s*[:：]\s*(.*)$")
_AIKEN_NUMBER = re.compile(
    r"^(?:\d+[.、．](?!\d)|[（(]\d+[)）])\s*"
)  # "1." "2、" "（3）", not "1.5亿"
_LOADER_KEY = re.compile(r"^([A-Za-z_][\w.\[\]]*): ", re.ASCII)
_SPLIT_TAGS = re.compile(r"[,，、;；\s]+")
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True, order=True)
class ImportProblem(Problem):
    """A problem in an input file, shown as ``bank.xlsx: row 7, column 答案: message``.

    ``line`` is the row (or text line) and ``column`` the spreadsheet column, so that problems
    sort in reading order; ``place`` is what a person looks for."""

    place: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class _Spot:
    """Where one value came from: a spreadsheet cell, a text line, or a whole row."""

    file: str
    line: int
    column: int
    place: str

    def problem(self, message: str) -> ImportProblem:
        return ImportProblem(self.file, self.line, self.column, message, self.place)


@dataclass(frozen=True)
class _Cell:
    value: Any
    spot: _Spot


@dataclass
class _Record:
    """One question as read, before any interpretation: raw values by field."""

    spot: _Spot
    cells: dict[str, _Cell] = field(default_factory=dict)
    options: list[_Cell | None] = field(default_factory=list)
    """选项A… in order; ``None`` where the spreadsheet has no column for that letter."""
    default_type: str = ""
    """题型 for rows that leave it empty: the sheet's name, when it names a type."""


@dataclass
class _Draft:
    """One question as it will be written, with the spot of every field for messages."""

    record: _Record
    data: dict[str, Any]
    spots: dict[str, _Spot]
    option_spots: list[_Spot]


@dataclass(frozen=True)
class Header:
    """The bank file's header; ``None`` fields are filled from the input or defaults."""

    document: str | None = None
    title: str | None = None
    revision: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class ImportResult:
    output: Path
    counts: Mapping[str, int]
    """Questions written, by type."""
    notes: tuple[str, ...]
    """Things the operator should know: ignored columns and sheets, defaults used."""


def import_bank(
    source: Path,
    output: Path,
    header: Header | None = None,
    *,
    existing: Sequence[Path] = (),
    id_prefix: str = DEFAULT_ID_PREFIX,
) -> ImportResult:
    """Read ``source``, write ``output`` atomically; raise ``InvalidFileError`` with every
    problem, positioned in ``source``, and write nothing, if any question is invalid.

    ``existing`` are the other bank files the output will be loaded with, so that an id
    already used there is caught now. Ids are ``id_prefix`` and a hash of the question's
    text; with one prefix for every import, the same question imported into two files gets
    the same id there, and the loader refuses the second."""
    header = header or Header()
    name = str(source)
    if output.suffix not in (".yaml", ".yml"):
        raise InvalidFileError([_file_problem(name, f"the output must be a .yaml file: {output}")])
    if not output.parent.is_dir():
        message = f"the output folder does not exist: {output.parent}"
        raise InvalidFileError([_file_problem(name, message)])
    records, notes = _read_records(source)
    if not records:
        raise InvalidFileError([_file_problem(name, "no questions found")])
    problems: list[Problem] = []
    document = header.document or _document_from_sources(records, problems, name)
    if document is None:
        raise InvalidFileError(problems)
    title = header.title or document
    prefix = _id_prefix(id_prefix)
    drafts = _drafts(records, document, title, prefix, problems)
    defaulted = sum(1 for r in records if not _value(r, "difficulty"))
    if defaulted:
        notes.append(f"{defaulted} question(s) without 难度 get difficulty {DEFAULT_DIFFICULTY}")
    if not header.revision:
        notes.append(f"no --revision given: written as {UNSTATED_REVISION}; edit the file")
    revision = header.revision or UNSTATED_REVISION
    text = _bank_yaml(source, document, title, revision, header.reference, drafts)
    temporary = _write_temporary(output, text)
    try:
        problems.extend(_loader_problems(name, temporary, text, existing, output, drafts))
        if problems:
            raise InvalidFileError(problems)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    counts = Counter(d.data["type"] for d in drafts)
    return ImportResult(output, {t.value: counts[t.value] for t in QuestionType}, tuple(notes))


def _file_problem(name: str, message: str) -> ImportProblem:
    """A problem with the file as a whole (sorted first, shown without a place)."""
    return ImportProblem(name, 0, 0, message)


# Reading -------------------------------------------------------------------------------------


def _read_records(path: Path) -> tuple[list[_Record], list[str]]:
    """The questions of a spreadsheet or Aiken file, uninterpreted, and notes for the
    operator; raise ``InvalidFileError`` if the file cannot be read or has no usable header."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _table_records(name, workbook_sheets(path, name))
    if suffix == ".csv":
        return _table_records(name, [(name, "", _csv_rows(read_text(path, name), name))])
    if suffix == ".txt":
        return _aiken_records(read_text(path, name), name), []
    hint = "; save it as .xlsx" if suffix == ".xls" else ""
    raise InvalidFileError([_file_problem(name, f"not a .xlsx, .csv or .txt (Aiken) file{hint}")])


def _csv_rows(text: str, name: str) -> list[list[Any]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        problem = ImportProblem(name, reader.line_num, 0, str(exc), f"line {reader.line_num}")
        raise InvalidFileError([problem]) from exc


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as YYYY-MM-DD, line breaks
    unified, surrounding spaces (full-width too) gone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "正确" if value else "错误"  # TRUE or FALSE typed into Excel
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return "\n".join(line.strip() for line in text.strip().splitlines())


def _header_key(cell: Any) -> str:
    """A header cell compared loosely: full-width folded, spaces and marks like * or ：
    dropped, a remark in brackets ignored (``答案（必填）`` is 答案)."""
    text = unicodedata.normalize("NFKC", _text(cell)).casefold()
    text = re.sub(r"[\s*※:]+", "", text)
    return text.split("(")[0]


_FIELD_BY_KEY = {_header_key(name): key for key, names in FIELDS.items() for name in names}


def _option_index(key: str) -> int | None:
    match = _OPTION_HEADER.match(key)
    if match is None:
        return None
    letter = match.group(1)
    return int(letter) - 1 if letter.isdigit() else "abcdefgh".index(letter)


def _table_records(
    name: str, sheets: list[tuple[str, str, list[list[Any]]]]
) -> tuple[list[_Record], list[str]]:
    records: list[_Record] = []
    notes: list[str] = []
    problems: list[Problem] = []
    found_header = False
    for label, sheet, rows in sheets:
        header_row = next(
            (
                number
                for number, row in enumerate(rows[:_HEADER_SEARCH_ROWS])
                if any(_FIELD_BY_KEY.get(_header_key(c)) == "stem" for c in row)
            ),
            None,
        )
        if header_row is None:
            if any(_text(c) for row in rows for c in row):
                notes.append(f"{label}: no 题目 column in the first rows, skipped")
            continue
        found_header = True
        columns, options, ignored = _columns(rows[header_row])
        if ignored:
            notes.append(f"{label}: ignored columns {', '.join(ignored)}")
        missing = [f for f in REQUIRED_COLUMNS if f not in columns]
        if missing:
            wanted = ", ".join(FIELDS[f][0] for f in missing)
            spot = _Spot(label, header_row + 1, 0, f"row {header_row + 1}")
            problems.append(spot.problem(f"no column for {wanted}"))
            continue
        default_type = sheet if _type_word(sheet) is not None else ""
        # A row is a question if any column read here is filled: templates often come with
        # 序号 numbered far below the last question.
        used = [index for index, _ in [*columns.values(), *filter(None, options)]]
        for number, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
            if any(_text(row[i]) for i in used if i < len(row)):
                records.append(_row_record(label, number, row, columns, options, default_type))
    if problems:
        raise InvalidFileError(problems)
    if not found_header:
        accepted = ", ".join(FIELDS["stem"])
        raise InvalidFileError(
            [_file_problem(name, f"no header row with a 题目 column (accepted: {accepted})")]
        )
    return records, notes


def _row_record(
    label: str,
    number: int,
    row: list[Any],
    columns: dict[str, tuple[int, str]],
    options: list[tuple[int, str] | None],
    default_type: str,
) -> _Record:
    def cell(index: int, heading: str) -> _Cell:
        value = row[index] if index < len(row) else None
        return _Cell(value, _Spot(label, number, index + 1, f"row {number}, column {heading}"))

    record = _Record(_Spot(label, number, 0, f"row {number}"), default_type=default_type)
    record.cells = {key: cell(*place) for key, place in columns.items()}
    record.options = [cell(*place) if place else None for place in options]
    return record


def _columns(
    header: list[Any],
) -> tuple[dict[str, tuple[int, str]], list[tuple[int, str] | None], list[str]]:
    """Field → (index, heading); option columns A..H in order (None where absent); the
    headings that mean nothing here."""
    columns: dict[str, tuple[int, str]] = {}
    options: list[tuple[int, str] | None] = [None] * MAX_OPTIONS
    ignored: list[str] = []
    for index, cell in enumerate(header):
        heading = _text(cell)
        key = _header_key(cell)
        field_name = _FIELD_BY_KEY.get(key)
        option = _option_index(key)
        if field_name is not None and field_name not in columns:
            columns[field_name] = (index, heading)
        elif option is not None and options[option] is None:
            options[option] = (index, heading)
        elif heading:
            ignored.append(heading)
    last = max((i for i, o in enumerate(options) if o is not None), default=-1)
    return columns, options[: last + 1], ignored


def _aiken_records(text: str, name: str) -> list[_Record]:
    """Aiken: a question line, option lines ``A.``/``A、``/``A)``, ``ANSWER: X`` or ``答案：X``,
    a blank line between questions. Lines such as ``解析：…`` or ``出处：…`` (any column name
    above) give the other fields; a plain line continues the stem, the 解析 or the 原文."""
    records: list[_Record] = []
    problems: list[Problem] = []
    record: _Record | None = None
    continued: str | None = None  # the text field a plain line would continue
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            record, continued = None, None
            continue

        def spot(label: str = "", number: int = number) -> _Spot:
            return _Spot(name, number, 0, f"line {number}, {label}" if label else f"line {number}")

        keyed = _AIKEN_FIELD.match(line)
        key = _FIELD_BY_KEY.get(_header_key(keyed.group(1))) if keyed else None
        option = _AIKEN_OPTION.match(line)
        if record is None:
            record = _Record(spot())
            records.append(record)
            if key is None:
                stem = _AIKEN_NUMBER.sub("", line, count=1)
                record.cells["stem"] = _Cell(stem, spot(FIELDS["stem"][0]))
                continued = "stem"
                continue
        if keyed is not None and key is not None:
            label = FIELDS[key][0]
            if key in record.cells:
                problems.append(spot().problem(f"a second {label} line in one question"))
            else:
                record.cells[key] = _Cell(keyed.group(2), spot(label))
            continued = key if key in ("stem", "explanation", "quote") else None
        elif option is not None:
            letter = unicodedata.normalize("NFKC", option.group(1))
            count = len(record.options)
            if "answer" in record.cells:
                problems.append(spot().problem(f"option {letter} after the answer line"))
            elif count == MAX_OPTIONS or letter != OPTION_LETTERS[count]:
                wanted = OPTION_LETTERS[count] if count < MAX_OPTIONS else "no more options"
                problems.append(
                    spot().problem(f"option {letter} out of order (expected {wanted})")
                )
            else:
                record.options.append(_Cell(option.group(2), spot(f"选项{letter}")))
            continued = None
        elif continued is not None:
            before = record.cells[continued]
            record.cells[continued] = _Cell(f"{_text(before.value)}\n{line}", before.spot)
        else:
            problems.append(
                spot().problem(
                    "expected an option (A. …), ANSWER: or a field such as 解析：…; "
                    "put a blank line between questions"
                )
            )
    if problems:
        raise InvalidFileError(problems)
    return records


# Interpreting --------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Answer-like text compared loosely: full-width folded, case and spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _type_word(text: str) -> QuestionType | None:
    return TYPE_WORDS.get(_fold(text))


def _judge_word(text: str) -> str | None:
    folded = _fold(text).rstrip("。.")
    if folded in TRUE_WORDS:
        return JUDGE_OPTIONS[0]
    if folded in FALSE_WORDS:
        return JUDGE_OPTIONS[1]
    return None


def _letters(text: str) -> str:
    """``A,C,D``, ``Ａ、Ｃ``, ``acd`` → ``ACD``; anything else is kept for the loader to name."""
    folded = re.sub(r"[\s,、;/|]+", "", unicodedata.normalize("NFKC", text)).upper()
    return "".join(sorted(folded)) if folded.isascii() and folded.isalpha() else folded


def _document_from_sources(
    records: list[_Record], problems: list[Problem], name: str
) -> str | None:
    """The document named before the article in every 出处 (``党章 第三条``), when all agree."""
    documents = {
        _text(r.cells["source"].value).split()[0]
        for r in records
        if "source" in r.cells and len(_text(r.cells["source"].value).split()) > 1
    }
    if len(documents) == 1:
        return documents.pop()
    named = f" (出处 names {len(documents)} different ones)" if documents else ""
    problems.append(_file_problem(name, f"give the document with --document{named}"))
    return None


def _source(text: str, document: str, title: str) -> str:
    """``党章第三条``, ``《中国共产党章程》第三条`` or ``第三条`` → ``党章 第三条``."""
    for name in (document, f"《{title}》", title):
        if text.startswith(name):
            rest = text.removeprefix(name).strip()
            return f"{document} {rest}" if rest else document
    return f"{document} {text}"


def _id_prefix(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-_")
    return cleaned[:21] or "q"


def _question_id(prefix: str, document: str, stem: str, options: Sequence[str]) -> str:
    """``prefix-`` and ten hex digits of a hash of the document, stem and options (spacing and
    full-width forms ignored), at most 32 characters: the same question gets the same id in
    every import, and 40 bits keep collisions unlikely in banks of many thousand questions."""
    digest = hashlib.sha256("\x1f".join(_fold(p) for p in (document, stem, *options)).encode())
    return f"{prefix}-{digest.hexdigest()[:10]}"


def _value(record: _Record, key: str) -> str:
    return _text(record.cells[key].value) if key in record.cells else ""


def _drafts(
    records: list[_Record], document: str, title: str, prefix: str, problems: list[Problem]
) -> list[_Draft]:
    drafts: list[_Draft] = []
    seen: dict[str, _Spot] = {}
    for record in records:
        draft = _draft(record, document, title, problems)
        if draft is None:
            continue
        options = draft.data.get("options", [])
        identifier = _question_id(prefix, document, draft.data.get("stem", ""), options)
        if identifier in seen:
            first = seen[identifier]
            where = first.place.split(",")[0]
            if first.file != record.spot.file:
                where += f" of {first.file}"
            problems.append(record.spot.problem(f"the same stem and options as {where}"))
            continue
        seen[identifier] = record.spot
        draft.data = {"id": identifier, **draft.data}
        drafts.append(draft)
    return drafts


def _draft(record: _Record, document: str, title: str, problems: list[Problem]) -> _Draft | None:
    """The YAML mapping of one record. Only what the loader cannot judge is checked here:
    the words for type and difficulty, and gaps among the options."""
    found: list[Problem] = []
    spots = {key: cell.spot for key, cell in record.cells.items()}

    def value(key: str) -> str:
        return _value(record, key)

    kind: QuestionType | None = None
    typed = value("type") or record.default_type
    if typed:
        kind = _type_word(typed)
        if kind is None:
            spot = spots.get("type", record.spot)
            found.append(spot.problem(f'"{typed}" is not a question type (单选, 多选 or 判断)'))

    options: list[str] = []
    option_spots: list[_Spot] = []
    texts = [_text(cell.value) if cell else "" for cell in record.options]
    filled = max((i for i, text in enumerate(texts) if text), default=-1)
    for index, cell in enumerate(record.options[: filled + 1]):
        letter = OPTION_LETTERS[index]
        if cell is None:
            found.append(
                record.spot.problem(f"no 选项{letter} column, but a later option is filled")
            )
            break
        if not texts[index]:
            found.append(cell.spot.problem("empty, but a later option is filled"))
            break
        text = texts[index]
        numbered = _OPTION_PREFIX.match(text)
        if numbered and unicodedata.normalize("NFKC", numbered.group(1)) == letter:
            text = text[numbered.end() :]  # "A. 十八岁" in the 选项A column
        options.append(text)
        option_spots.append(cell.spot)

    answer = value("answer")
    words = [_judge_word(option) for option in options]
    # A judge question written as a choice between 正确 and 错误 (a common spreadsheet habit):
    # keep its meaning, drop the options the bank format has no place for.
    true_or_false = len(options) == 2 and set(words) == set(JUDGE_OPTIONS)
    if kind is None and (true_or_false or (not options and _judge_word(answer))):
        kind = QuestionType.JUDGE
    if kind is QuestionType.JUDGE:
        if true_or_false:
            letter = _letters(answer)
            if letter in ("A", "B"):
                answer = words[OPTION_LETTERS.index(letter)] or answer
            options, option_spots = [], []
        answer = _judge_word(answer) or answer
    else:
        answer = _letters(answer)
        if kind is None:
            kind = QuestionType.MULTIPLE if len(answer) > 1 else QuestionType.SINGLE

    difficulty = DEFAULT_DIFFICULTY
    if value("difficulty"):
        level = DIFFICULTY_WORDS.get(_fold(value("difficulty")))
        if level is None:
            message = f'"{value("difficulty")}" is not 1, 2, 3 or 易, 中, 难'
            found.append(spots["difficulty"].problem(message))
        difficulty = level or DEFAULT_DIFFICULTY
    if found:
        problems.extend(found)
        return None

    values: dict[str, Any] = {
        "type": kind.value,
        "chapter": value("chapter"),
        "stem": value("stem"),
        "options": options,
        "answer": answer,
        "explanation": value("explanation"),
        "source": value("source") and _source(value("source"), document, title),
        "quote": value("quote"),
        "difficulty": difficulty,
        "tags": [tag for tag in _SPLIT_TAGS.split(value("tags")) if tag],
    }
    # Empty values are left out, so that the loader names a required one as missing.
    data = {key: item for key, item in values.items() if item}
    return _Draft(record, data, spots, option_spots)


# Writing and checking ------------------------------------------------------------------------


def _bank_yaml(
    source: Path,
    document: str,
    title: str,
    revision: str,
    reference: str | None,
    drafts: list[_Draft],
) -> str:
    try:
        revised: date | str = date.fromisoformat(revision)
    except ValueError:
        revised = revision
    head: dict[str, Any] = {"document": document, "title": title, "revision": revised}
    if reference:
        head["reference"] = reference
    head["questions"] = [d.data for d in drafts]
    # libyaml's dumper, when present, writes the same text four times faster.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(
        head,
        Dumper=dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )
    # A blank line between questions, as in the hand-written files.
    body = body.replace("\n- id: ", "\n\n- id: ")
    comment = (
        f"# Imported from {source.name} with `python -m bot bank import`; ids are made from each\n"
        "# question's text, so re-importing keeps them. Edit here or in the spreadsheet.\n"
    )
    return comment + body


def _write_temporary(output: Path, text: str) -> Path:
    """Beside the output, so the reference resolves as it will for the real file, and so that
    ``os.replace`` is atomic; not *.yaml, so a bot starting meanwhile does not read it."""
    # Created with open(), not mkstemp, so the file gets the usual permissions (umask).
    temporary = output.parent / f".{output.name}.{secrets.token_hex(4)}.importing"
    with temporary.open("x", encoding="utf-8") as file:
        file.write(text)
    return temporary


def _loader_problems(
    name: str,
    temporary: Path,
    text: str,
    existing: Sequence[Path],
    output: Path,
    drafts: list[_Draft],
) -> list[Problem]:
    """Load the new file after the rest of the bank; translate the problems in it."""
    others = [p for p in existing if p.resolve() != output.resolve()]
    try:
        load_bank([*others, temporary])
    except InvalidFileError as error:
        ours = [p for p in error.problems if Path(p.file).resolve() == temporary.resolve()]
        return _translate(name, ours, text, drafts)
    return []


def _translate(
    name: str, problems: Sequence[Problem], text: str, drafts: list[_Draft]
) -> list[Problem]:
    """Move the loader's ``file:line:column`` in the generated YAML to the input's row and
    column: the question from the line (the same YAML parsed by the same reader), the field
    from the ``key:`` or ``questions[3].key:`` the loader starts each message with."""
    located = parse_located(text, name)
    starts = [located.values[("questions", i)][0] for i in range(len(drafts))]
    translated: list[Problem] = []
    for problem in problems:
        index = bisect.bisect_right(starts, problem.line) - 1
        if index < 0:  # the header: --document, --title, --revision or --reference
            translated.append(_file_problem(name, problem.message))
            continue
        draft = drafts[index]
        prefix = _LOADER_KEY.match(problem.message)
        message = problem.message[prefix.end() :] if prefix else problem.message
        key, option = "", None
        if prefix:
            last = prefix.group(1).split(".")[-1]
            key, _, rest = last.partition("[")
            option = int(rest.rstrip("]")) if rest and key == "options" else None
        if option is not None and option < len(draft.option_spots):
            spot = draft.option_spots[option]
        elif key == "options" and draft.option_spots:
            spot = draft.option_spots[0]
        else:
            spot = draft.spots.get(key, draft.record.spot)
        if message == "required key is missing":
            label = FIELDS[key][0] if key in FIELDS else key
            message = "empty" if key in draft.spots else f"no {label}"
        elif key == "id":
            message = f"generated id {message}"
        translated.append(spot.problem(message))
    return translated


# The template --------------------------------------------------------------------------------

TEMPLATE_ROWS: tuple[tuple[Any, ...], ...] = (
    (
        "单选",
        "年满多少岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，可以申请加入中国共产党？",
        "十六岁",
        "十八岁",
        "二十岁",
        "二十二岁",
        "B",
        "党章第一条规定，申请入党须年满十八岁。",
        "党章 第一条",
        "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子",
        1,
        "第一章 党员",
    ),
    (
        "多选",
        "党章总纲规定，中国共产党是哪些群体的先锋队？",
        "中国工人阶级",
        "中国人民",
        "中华民族",
        "全世界无产阶级",
        "ABC",
        "总纲第一段：党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队。",
        "党章 总纲",
        "中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队",
        2,
        "总纲",
    ),
    (
        "判断",
        "预备党员的预备期为一年。",
        None,
        None,
        None,
        None,
        "正确",
        "党章第七条规定，预备党员的预备期为一年。",
        "党章 第七条",
        "预备党员的预备期为一年。",
        1,
        "第一章 党员",
    ),
    (
        "判断",
        "党员要求退党，由党小组讨论后宣布除名。",
        None,
        None,
        None,
        None,
        "错误",
        "党章第九条规定，党员要求退党，应当经支部大会讨论后宣布除名。",
        "党章 第九条",
        "党员要求退党，应当经支部大会讨论后宣布除名",
        2,
        "第一章 党员",
    ),
)
TEMPLATE_HEADER = (
    FIELDS["type"][0],
    FIELDS["stem"][0],
    *(f"选项{letter}" for letter in OPTION_LETTERS[:4]),
    FIELDS["answer"][0],
    FIELDS["explanation"][0],
    FIELDS["source"][0],
    FIELDS["quote"][0],
    FIELDS["difficulty"][0],
    FIELDS["chapter"][0],
)
_TEMPLATE_NOTES = {
    "题型": "单选 / 多选 / 判断（也可写 单选题、多选题、判断题）",
    "选项A": "选项A 至 选项H，按需增减列；判断题留空",
    "答案": "单选一个字母；多选两个以上字母，如 ACD 或 A,C,D；判断题写 正确/错误（或 对/错、√/×）",
    "出处": "文件简称 + 条款，如：党章 第三条、党章 总纲",
    "原文": "选填：答案所依据的原文，须与参考文本逐字一致",
    "难度": "1 易、2 中、3 难（也可写 易/中/难）；留空按 2",
    "章节": "所属章节，如：第一章 党员",
}


def write_template(path: Path) -> None:
    """The spreadsheet committees fill in (docs/question-bank-template.xlsx)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "题库"
    sheet.append(TEMPLATE_HEADER)
    for row in TEMPLATE_ROWS:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        note = _TEMPLATE_NOTES.get(str(cell.value))
        if note:
            cell.comment = Comment(note, "支部学习助手")
    widths = {"B": 60, "H": 40, "J": 40}
    for index in range(1, len(TEMPLATE_HEADER) + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(letter, 14)
    sheet.freeze_panes = "A2"
    types = DataValidation(type="list", formula1='"单选,多选,判断"', allow_blank=True)
    levels = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    sheet.add_data_validation(types)
    sheet.add_data_validation(levels)
    types.add("A2:A1000")
    levels.add("K2:K1000")
    book.save(path)

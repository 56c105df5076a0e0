"""Reading a 题库 as it is kept: Excel workbooks, CSV and Aiken text, into uninterpreted records.

Nothing is judged here but the shape of the file: which row is the header, which column is
which field, where each question starts. Every value keeps the place it came from (row and
column heading, or text line), so that any later problem names the cell and shows what the
cell holds. Files are read through ``bot.spreadsheets`` so that its limits apply.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.quiz import bank_texts as say
from bot.quiz.bank import MAX_OPTIONS
from bot.quiz.questions import OPTION_LETTERS
from bot.spreadsheets import Sheet, read_text, workbook_sheets
from bot.yamlfile import InvalidFileError, Problem

FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "试题编号", "题目编号", "id"),
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
"""Field → accepted column names (compared after ``header_key``); the first is canonical."""

REQUIRED_COLUMNS = ("stem", "answer")
"""What a sheet cannot do without. 题型 is inferred from the answer, 解析 is optional, 出处 and
章节 have defaults (``--document``, ``--chapter``), and 选项 may be absent in a file of judge
questions only."""

_OPTION_HEADER = re.compile(r"^(?:选项|option)?([a-h1-8])(?:选项|项)?$")
_AIKEN_OPTION = re.compile(r"^([A-HＡ-Ｈ])\s*[.、．)）]\s*(.*)$")
_AIKEN_FIELD = re.compile(r"^([^:：]{1,12})\s*[:：]\s*(.*)$")
_AIKEN_NUMBER = re.compile(r"^(?:\d+[.、．](?!\d)|[（(]\d+[)）])\s*")  # "1." "（3）", not "1.5亿"
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True, order=True)
class ImportProblem(Problem):
    """A problem in an input file: ``bank.xlsx：第 7 行“正确答案”列（填的是“（E）”）：…``.

    ``line`` is the row (or text line) and ``column`` the spreadsheet column, so that problems
    sort in reading order; ``place`` is what a person looks for, with the cell's own text."""

    place: str = ""

    def __str__(self) -> str:
        if not self.place:
            return f"{self.file}：{self.message}"
        return say.WHERE.format(file=self.file, place=self.place, message=self.message)


def file_problem(name: str, message: str) -> ImportProblem:
    """A problem with the file as a whole (sorted first, shown without a place)."""
    return ImportProblem(name, 0, 0, message)


@dataclass(frozen=True)
class Spot:
    """Where one value came from: a spreadsheet cell, a text line, or a whole row."""

    file: str
    line: int
    column: int
    place: str
    text: str | None = None
    """The cell's own text, shown with every problem about it; None for a whole row."""

    def problem(self, message: str) -> ImportProblem:
        shown = self.place
        if self.text is not None:
            shown += say.CELL_TEXT.format(text=self.text) if self.text else say.CELL_EMPTY
        return ImportProblem(self.file, self.line, self.column, message, shown)

    @property
    def row(self) -> str:
        """The row (or line) alone, for "the same as 第 2 行" messages."""
        return str(self.line)


@dataclass(frozen=True)
class Cell:
    value: Any
    spot: Spot

    @property
    def text(self) -> str:
        return cell_text(self.value)


@dataclass
class Record:
    """One question as read, before any interpretation: raw values by field."""

    spot: Spot
    cells: dict[str, Cell] = field(default_factory=dict)
    options: list[Cell | None] = field(default_factory=list)
    """选项A… in order; ``None`` where the spreadsheet has no column for that letter."""
    sheet: str = ""
    """The sheet's name: it gives the 题型 of rows that leave it empty when it names a type
    (a workbook with sheets 单选题, 多选题, 判断题)."""

    def value(self, key: str) -> str:
        return self.cells[key].text if key in self.cells else ""

    def spot_of(self, key: str) -> Spot:
        return self.cells[key].spot if key in self.cells else self.spot


@dataclass(frozen=True)
class Reading:
    records: list[Record]
    notes: list[str]
    columns: frozenset[str]
    """The fields some sheet has a column for (so a default can say what it replaced)."""


def read_records(path: Path) -> Reading:
    """The questions of a spreadsheet or Aiken file, uninterpreted, and notes for the
    operator; raise ``InvalidFileError`` if the file cannot be read or has no usable header."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _table_records(name, workbook_sheets(path, name))
    if suffix == ".csv":
        return _table_records(name, [(name, "", _csv_rows(read_text(path, name), name))])
    if suffix == ".txt":
        records = _aiken_records(read_text(path, name), name)
        return Reading(records, [], frozenset(k for r in records for k in r.cells))
    hint = say.SAVE_AS_XLSX if suffix == ".xls" else ""
    raise InvalidFileError([file_problem(name, say.NOT_A_BANK_SOURCE.format(hint=hint))])


def _csv_rows(text: str, name: str) -> list[list[Any]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        place = say.PLACE_LINE.format(line=reader.line_num)
        message = say.CSV_ERROR.format(error=exc)
        raise InvalidFileError([ImportProblem(name, reader.line_num, 0, message, place)]) from exc


def cell_text(value: Any) -> str:
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


def header_key(cell: Any) -> str:
    """A header cell compared loosely: full-width folded, spaces and marks like * or ：
    dropped, a remark in brackets ignored (``答案（必填）`` is 答案)."""
    text = unicodedata.normalize("NFKC", cell_text(cell)).casefold()
    text = re.sub(r"[\s*※:]+", "", text)
    return text.split("(")[0]


FIELD_BY_KEY = {header_key(name): key for key, names in FIELDS.items() for name in names}


def _option_index(key: str) -> int | None:
    match = _OPTION_HEADER.match(key)
    if match is None:
        return None
    letter = match.group(1)
    return int(letter) - 1 if letter.isdigit() else "abcdefgh".index(letter)


def _table_records(name: str, sheets: list[Sheet]) -> Reading:
    records: list[Record] = []
    notes: list[str] = []
    problems: list[Problem] = []
    found: set[str] = set()
    found_header = False
    for label, sheet, rows in sheets:
        header_row = next(
            (
                number
                for number, row in enumerate(rows[:_HEADER_SEARCH_ROWS])
                if any(FIELD_BY_KEY.get(header_key(c)) == "stem" for c in row)
            ),
            None,
        )
        if header_row is None:
            if any(cell_text(c) for row in rows for c in row):
                notes.append(say.NOTE_SKIPPED_SHEET.format(sheet=label))
            continue
        found_header = True
        columns, options, ignored = _columns(rows[header_row])
        if ignored:
            notes.append(say.NOTE_IGNORED_COLUMNS.format(sheet=label, columns="、".join(ignored)))
        missing = [f for f in REQUIRED_COLUMNS if f not in columns]
        if missing:
            wanted = "、".join(FIELDS[f][0] for f in missing)
            place = say.PLACE_ROW.format(row=header_row + 1)
            spot = Spot(label, header_row + 1, 0, place)
            problems.append(spot.problem(say.NO_COLUMN.format(columns=wanted)))
            continue
        found.update(columns)
        # A row is a question if any column read here is filled: templates often come with
        # 序号 numbered far below the last question.
        used = [index for index, _ in [*columns.values(), *filter(None, options)]]
        for number, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
            if any(cell_text(row[i]) for i in used if i < len(row)):
                records.append(_row_record(label, number, row, columns, options, sheet))
    if problems:
        raise InvalidFileError(problems)
    if not found_header:
        accepted = "、".join(FIELDS["stem"])
        raise InvalidFileError([file_problem(name, say.NO_HEADER.format(accepted=accepted))])
    return Reading(records, notes, frozenset(found))


def _row_record(
    label: str,
    number: int,
    row: list[Any],
    columns: dict[str, tuple[int, str]],
    options: list[tuple[int, str] | None],
    sheet: str,
) -> Record:
    def cell(index: int, heading: str) -> Cell:
        value = row[index] if index < len(row) else None
        place = say.PLACE_CELL.format(row=number, column=heading)
        return Cell(value, Spot(label, number, index + 1, place, cell_text(value)))

    record = Record(Spot(label, number, 0, say.PLACE_ROW.format(row=number)), sheet=sheet)
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
        heading = cell_text(cell)
        key = header_key(cell)
        field_name = FIELD_BY_KEY.get(key)
        option = _option_index(key)
        if field_name is not None and field_name not in columns:
            columns[field_name] = (index, heading)
        elif option is not None and options[option] is None:
            options[option] = (index, heading)
        elif heading:
            ignored.append(heading)
    last = max((i for i, o in enumerate(options) if o is not None), default=-1)
    return columns, options[: last + 1], ignored


def _aiken_records(text: str, name: str) -> list[Record]:
    """Aiken: a question line, option lines ``A.``/``A、``/``A)``, ``ANSWER: X`` or ``答案：X``,
    a blank line between questions. Lines such as ``解析：…`` or ``出处：…`` (any column name
    above) give the other fields; a plain line continues the stem, the 解析 or the 原文."""
    records: list[Record] = []
    problems: list[Problem] = []
    record: Record | None = None
    continued: str | None = None  # the text field a plain line would continue
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            record, continued = None, None
            continue

        def spot(label: str = "", value: str | None = None, number: int = number) -> Spot:
            place = (
                say.PLACE_LINE_FIELD.format(line=number, label=label)
                if label
                else say.PLACE_LINE.format(line=number)
            )
            return Spot(name, number, 0, place, value)

        keyed = _AIKEN_FIELD.match(line)
        key = FIELD_BY_KEY.get(header_key(keyed.group(1))) if keyed else None
        option = _AIKEN_OPTION.match(line)
        if record is None:
            record = Record(spot())
            records.append(record)
            if key is None:
                stem = _AIKEN_NUMBER.sub("", line, count=1)
                record.cells["stem"] = Cell(stem, spot(FIELDS["stem"][0], stem))
                continued = "stem"
                continue
        if keyed is not None and key is not None:
            label = FIELDS[key][0]
            if key in record.cells:
                problems.append(spot().problem(say.AIKEN_SECOND_FIELD.format(label=label)))
            else:
                record.cells[key] = Cell(keyed.group(2), spot(label, keyed.group(2).strip()))
            continued = key if key in ("stem", "explanation", "quote") else None
        elif option is not None:
            letter = unicodedata.normalize("NFKC", option.group(1))
            count = len(record.options)
            if "answer" in record.cells:
                problems.append(
                    spot().problem(say.AIKEN_OPTION_AFTER_ANSWER.format(letter=letter))
                )
            elif count == MAX_OPTIONS or letter != OPTION_LETTERS[count]:
                wanted = (
                    OPTION_LETTERS[count] if count < MAX_OPTIONS else say.AIKEN_NO_MORE_OPTIONS
                )
                message = say.AIKEN_OPTION_ORDER.format(letter=letter, wanted=wanted)
                problems.append(spot().problem(message))
            else:
                value = option.group(2)
                record.options.append(Cell(value, spot(f"选项{letter}", value.strip())))
            continued = None
        elif continued is not None:
            before = record.cells[continued]
            joined = f"{cell_text(before.value)}\n{line}"
            spot_before = before.spot
            record.cells[continued] = Cell(
                joined,
                Spot(spot_before.file, spot_before.line, 0, spot_before.place, joined),
            )
        else:
            problems.append(spot().problem(say.AIKEN_EXPECTED))
    if problems:
        raise InvalidFileError(problems)
    return records

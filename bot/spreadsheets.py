"""Reading the files committees keep: Excel workbooks and CSV or text saved by Excel or WPS.

Shared by the question-bank import and the organisation and roster imports, so that both
accept the same encodings and refuse an unreadable file with the same clear message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from bot.yamlfile import InvalidFileError, Problem, read_capped

Sheet = tuple[str, str, list[list[Any]]]
"""(label for messages, sheet name, rows)."""


TEXT_MAX_BYTES = 16 << 20
"""A CSV or Aiken file: a city's roster is a few megabytes."""
XLSX_MAX_BYTES = 16 << 20
XLSX_MAX_UNCOMPRESSED = 128 << 20
"""What a workbook may unpack to: a few kilobytes of zip can claim gigabytes."""
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
MAX_CELLS = 4_000_000
"""Rows, columns and cells read from all sheets together. A workbook's declared dimension
(``A1:XFD1048576``) is ignored: only cells that are there count."""


def read_text(path: Path, name: str, max_bytes: int = TEXT_MAX_BYTES) -> str:
    """UTF-8 (with or without BOM), else GB18030: what Excel and WPS save on Chinese Windows."""
    raw = read_capped(path, name, max_bytes)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidFileError([Problem(name, 0, 0, "the text is neither UTF-8 nor GB18030")])


def workbook_sheets(path: Path, name: str) -> list[Sheet]:
    """Every sheet of a workbook, values only (formulas as last computed), within the caps
    above; a workbook beyond them is refused with the row or sheet where it went over."""
    read_capped_zip(path, name)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to zipfile errors
        message = f"cannot read as an Excel workbook ({type(exc).__name__}: {exc})"
        raise InvalidFileError([Problem(name, 0, 0, message)]) from exc
    try:
        several = len(book.worksheets) > 1
        cells = 0
        sheets = []
        for sheet in book.worksheets:
            label = f"{name} [{sheet.title}]" if several else name
            if isinstance(sheet, ReadOnlyWorksheet):
                sheet.reset_dimensions()  # the cells that are there, not the claimed range
            rows = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells += len(row)
                if number > MAX_ROWS or len(row) > MAX_COLUMNS or cells > MAX_CELLS:
                    message = (
                        f"too large: at most {MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns and "
                        f"{MAX_CELLS:,} cells are read"
                    )
                    raise InvalidFileError([Problem(label, number, 1, message)])
                rows.append(list(row))
            width = max((len(row) for row in rows), default=0)
            sheets.append(
                (label, sheet.title, [row + [None] * (width - len(row)) for row in rows])
            )
        return sheets
    finally:
        book.close()


def read_capped_zip(path: Path, name: str) -> None:
    """Refuse a workbook over ``XLSX_MAX_BYTES``, or whose parts unpack to more than
    ``XLSX_MAX_UNCOMPRESSED``, before anything unpacks it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidFileError([Problem(name, 0, 0, f"cannot read file: {exc}")]) from exc
    if size > XLSX_MAX_BYTES:
        message = f"the file is {size:,} bytes; at most {XLSX_MAX_BYTES:,} are read"
        raise InvalidFileError([Problem(name, 0, 0, message)])
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl says so in its own words
    if unpacked > XLSX_MAX_UNCOMPRESSED:
        message = (
            f"the workbook unpacks to {unpacked:,} bytes; at most "
            f"{XLSX_MAX_UNCOMPRESSED:,} are read"
        )
        raise InvalidFileError([Problem(name, 0, 0, message)])

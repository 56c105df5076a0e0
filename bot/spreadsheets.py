"""Reading the files committees keep: Excel workbooks and CSV or text saved by Excel or WPS.

Shared by the question-bank import and the organisation and roster imports, so that both
accept the same encodings and refuse an unreadable file with the same clear message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from bot.yamlfile import InvalidFileError, Problem

Sheet = tuple[str, str, list[list[Any]]]
"""(label for messages, sheet name, rows)."""


def read_text(path: Path, name: str) -> str:
    """UTF-8 (with or without BOM), else GB18030: what Excel and WPS save on Chinese Windows."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidFileError([Problem(name, 0, 0, f"cannot read file: {exc}")]) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidFileError([Problem(name, 0, 0, "the text is neither UTF-8 nor GB18030")])


def workbook_sheets(path: Path, name: str) -> list[Sheet]:
    """Every sheet of a workbook, values only (formulas as last computed)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to zipfile errors
        message = f"cannot read as an Excel workbook ({type(exc).__name__}: {exc})"
        raise InvalidFileError([Problem(name, 0, 0, message)]) from exc
    try:
        several = len(book.worksheets) > 1
        return [
            (
                f"{name} [{sheet.title}]" if several else name,
                sheet.title,
                [list(row) for row in sheet.iter_rows(values_only=True)],
            )
            for sheet in book.worksheets
        ]
    finally:
        book.close()

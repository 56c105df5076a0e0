"""Reading organisation and roster files: YAML, CSV or XLSX, checked as a whole.

Committees keep their 组织架构 and 党员名册 in Excel, so the spreadsheet forms matter most.
Every problem is reported with its row and column and nothing is applied unless the whole file
is valid.

Organisation columns: 编号 (id), 名称 (name), 层级 (党委/党总支/党支部), 类型 (机关/村/企业/
学校/社区/其他), 上级 (parent id), 书记 (Telegram ids, separated by commas), 学习榜 (是/否,
optional: the branch's leaderboard). Roster columns:
姓名, 支部 (branch id), 入党日期 (optional, YYYY-MM-DD).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.org.config import UnitSettings
from bot.org.members import RosterEntry
from bot.org.tree import tree_problems
from bot.spreadsheets import read_text, workbook_sheets
from bot.yamlfile import InvalidFileError, Problem, load_located, validation_problems

ORG_FILE_MAX_BYTES = 32 << 20
"""An organisation file: a city's 8,885 units take about 2 MB."""

UNIT_COLUMNS = {
    "id": ("编号", "id", "代码", "组织编号"),
    "name": ("名称", "name", "组织名称", "党组织名称"),
    "level": ("层级", "level", "级别", "组织类别"),
    "kind": ("类型", "kind", "单位类型"),
    "parent": ("上级", "parent", "上级编号", "上级组织"),
    "secretaries": ("书记", "secretaries", "书记id", "书记telegram"),
    "leaderboard": ("学习榜", "leaderboard", "排行榜"),
}
SWITCH_WORDS = {"是": True, "开": True, "开启": True, "否": False, "关": False, "关闭": False}
"""Spreadsheet words for a yes/no column; pydantic reads true/false, yes/no, 1/0 itself."""
ROSTER_COLUMNS = {
    "real_name": ("姓名", "name", "real_name"),
    "branch_id": ("支部", "支部编号", "branch", "branch_id"),
    "party_joined_on": ("入党日期", "入党时间", "party_joined_on"),
}


def _rows(path: Path) -> list[list[Any]]:
    """The cells of a CSV or of the first sheet of an XLSX, header row first."""
    name = str(path)
    if path.suffix.lower() == ".xlsx":
        return workbook_sheets(path, name)[0][2]
    return [list(row) for row in csv.reader(io.StringIO(read_text(path, name)))]


def _normalise(header: Any) -> str:
    return str(header or "").strip().lower().replace(" ", "").replace("（", "(").split("(")[0]


def _table(
    path: Path, columns: dict[str, tuple[str, ...]], required: Sequence[str]
) -> list[dict[str, Any]]:
    """Data rows as dicts keyed by field, each with its spreadsheet row number in ``_row``."""
    rows = _rows(path)
    name = str(path)
    if not rows:
        raise InvalidFileError([Problem(name, 1, 1, "the file is empty")])
    header = [_normalise(cell) for cell in rows[0]]
    where: dict[str, int] = {}
    for field_name, synonyms in columns.items():
        for index, cell in enumerate(header):
            if cell in {_normalise(s) for s in synonyms}:
                where[field_name] = index
                break
    missing = [f for f in required if f not in where]
    if missing:
        wanted = "、".join(columns[f][0] for f in missing)
        raise InvalidFileError([Problem(name, 1, 1, f"row 1: missing column(s) {wanted}")])
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if all(cell in (None, "") for cell in row):
            continue
        record: dict[str, Any] = {"_row": number}
        for field_name, index in where.items():
            value = row[index] if index < len(row) else None
            if value not in (None, ""):
                record[field_name] = value.strip() if isinstance(value, str) else value
        records.append(record)
    return records


def load_units_file(path: Path) -> list[UnitSettings]:
    """Units from a YAML list (as under ``organisation.units``), a CSV or an XLSX."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return _units_from_yaml(path)
    records = _table(path, UNIT_COLUMNS, ("id", "name", "level"))
    units: list[UnitSettings] = []
    unit_rows: list[int] = []
    problems: list[Problem] = []
    for record in records:
        row = record.pop("_row")
        if "secretaries" in record:
            record["secretaries"] = [
                part.strip()
                for part in str(record["secretaries"]).replace("，", ",").split(",")
                if part.strip()
            ]
        if "leaderboard" in record:
            word = str(record["leaderboard"]).strip()
            record["leaderboard"] = SWITCH_WORDS.get(word, word)
        for key in ("id", "parent"):
            if key in record:
                record[key] = str(record[key])
        try:
            units.append(UnitSettings.model_validate(record))
            unit_rows.append(row)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                column = UNIT_COLUMNS[str(item["loc"][0])][0] if item["loc"] else "?"
                message = item["msg"].removeprefix("Value error, ")
                problems.append(
                    Problem(str(path), row, 1, f"row {row}, column {column}: {message}")
                )
    for index, message in tree_problems([u.unit() for u in units]):
        row = unit_rows[index]
        problems.append(Problem(str(path), row, 1, f"row {row}: {message}"))
    if problems:
        raise InvalidFileError(problems)
    return units


def _units_from_yaml(path: Path) -> list[UnitSettings]:
    located = load_located(path, max_bytes=ORG_FILE_MAX_BYTES)
    data = located.data
    if isinstance(data, dict):
        data = data.get("units", data.get("organisation", {}).get("units"))
    if not isinstance(data, list):
        raise InvalidFileError([located.problem((), "expected a list of units")])
    units: list[UnitSettings] = []
    problems: list[Problem] = []
    for index, item in enumerate(data):
        try:
            units.append(UnitSettings.model_validate(item))
        except ValidationError as error:
            problems.extend(validation_problems(located, error, (index,)))
    for index, message in tree_problems([u.unit() for u in units]):
        problems.append(located.problem((index,), f"[{index}]: {message}"))
    if problems:
        raise InvalidFileError(problems)
    return units


def load_roster_file(path: Path, branches: set[str]) -> list[RosterEntry]:
    """Roster entries from a CSV or XLSX; every branch must exist."""
    records = _table(path, ROSTER_COLUMNS, ("real_name", "branch_id"))
    entries: list[RosterEntry] = []
    problems: list[Problem] = []
    for record in records:
        row = record["_row"]

        def problem(column: str, message: str, row: int = row) -> None:
            problems.append(Problem(str(path), row, 1, f"row {row}, column {column}: {message}"))

        name = str(record.get("real_name", "")).strip()
        branch = str(record.get("branch_id", "")).strip()
        joined = record.get("party_joined_on")
        if not name:
            problem("姓名", "empty")
        if branch not in branches:
            problem("支部", f'"{branch}" is not a 党支部 id')
        joined_on: date | None = None
        if isinstance(joined, datetime):
            joined_on = joined.date()
        elif isinstance(joined, date):
            joined_on = joined
        elif joined is not None:
            try:
                joined_on = date.fromisoformat(str(joined).strip())
            except ValueError:
                problem("入党日期", f'"{joined}" is not a date (YYYY-MM-DD)')
        entries.append(RosterEntry(name, branch, joined_on))
    if problems:
        raise InvalidFileError(problems)
    return entries

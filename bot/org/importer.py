"""Reading organisation and roster files: YAML, CSV or XLSX, checked as a whole.

Committees keep their 组织架构 and 党员名册 in Excel, so the spreadsheet forms matter most.
Every problem is reported with its row and column and nothing is applied unless the whole file
is valid.

Organisation columns: 编号 (id), 名称 (name), 层级 (党委/党总支/党支部), 类型 (机关/村/企业/
学校/社区/其他), 上级 (the parent's id or name), 书记 (Telegram ids, separated by commas), 学习榜
(是/否, optional: the branch's leaderboard). Roster columns: 姓名, 支部 (the branch's id or
name), 入党日期 (optional; 1985-10-01, 1985/10/1, 1985.10.1, 1985年10月1日 or an Excel date).

The people who keep these sheets read Chinese, so every problem is said in Chinese with the
file, the row and the column (as a letter, the way Excel shows it) — never pydantic's English.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.dates import DateProblem, DateRefusal, parse_date
from bot.org.config import UnitSettings
from bot.org.members import RosterEntry
from bot.org.tree import Kind, Level, OrgTree, Unit, tree_problems
from bot.spreadsheets import read_text, workbook_sheets
from bot.yamlfile import InvalidFileError, Problem, load_located

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


def column_letter(index: int) -> str:
    """Excel's name of the 0-based column ``index``: A … Z, AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class _Sheet:
    """Where each field's column is, so that a problem can name row and column."""

    def __init__(self, path: Path, columns: dict[str, tuple[str, ...]], where: dict[str, int]):
        self.path = str(path)
        self._columns = columns
        self._where = where

    def problem(self, row: int, field: str | None, message: str) -> Problem:
        if field is None:
            return Problem(self.path, row, 1, f"第 {row} 行：{message}")
        index = self._where.get(field, 0)
        heading = self._columns[field][0]
        return Problem(
            self.path,
            row,
            index + 1,
            f"第 {row} 行 {column_letter(index)} 列（{heading}）：{message}",
        )


def _table(
    path: Path, columns: dict[str, tuple[str, ...]], required: Sequence[str]
) -> tuple[_Sheet, list[dict[str, Any]]]:
    """Data rows as dicts keyed by field, each with its spreadsheet row number in ``_row``."""
    rows = _rows(path)
    name = str(path)
    if not rows:
        raise InvalidFileError([Problem(name, 1, 1, "文件是空的：第 1 行应为表头")])
    header = [_normalise(cell) for cell in rows[0]]
    where: dict[str, int] = {}
    for field_name, synonyms in columns.items():
        for index, cell in enumerate(header):
            if cell in {_normalise(s) for s in synonyms}:
                where[field_name] = index
                break
    missing = [f for f in required if f not in where]
    if missing:
        wanted = "、".join(f"“{columns[f][0]}”" for f in missing)
        raise InvalidFileError([Problem(name, 1, 1, f"第 1 行（表头）：缺少 {wanted} 列")])
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
    return _Sheet(path, columns, where), records


def _explain(error: ErrorDetails) -> str:
    """One pydantic error as the person who keeps the sheet would say it."""
    field = str(error["loc"][0]) if error["loc"] else ""
    given = error.get("input")
    shown = f"（现为“{given}”）" if isinstance(given, str | int) and given != "" else ""
    kind = error["type"]
    if kind in ("missing", "string_too_short"):
        return "不能为空"
    if field == "level":
        return "应为 " + "、".join(level.value for level in Level) + " 之一" + shown
    if field == "kind":
        return "应为 " + "、".join(k.value for k in Kind) + " 之一" + shown
    if field in ("id", "parent") and kind == "string_pattern_mismatch":
        return "编号只能由字母、数字、- 和 _ 组成，最长 32 个字符" + shown
    if kind == "string_too_long":
        return f"太长了，最多 {error.get('ctx', {}).get('max_length', '')} 个字"
    if field == "secretaries":
        return "应为书记的 Telegram 用户 ID（数字），多个用逗号分开" + shown
    if field == "leaderboard":
        return "应为 是 或 否" + shown
    return "无法识别" + shown


def _date_problem(typed: object, refusal: DateRefusal) -> str:
    return {
        DateProblem.FORM: f"“{typed}”不是日期，请写成 1985-10-01、1985/10/1 或 1985年10月1日",
        DateProblem.MONTH: f"“{typed}”：没有 {refusal.month} 月",
        DateProblem.DAY: (
            f"“{typed}”：{refusal.year}年{refusal.month}月只有 {refusal.days_in_month} 天"
        ),
        DateProblem.FUTURE: f"“{typed}”在今天之后，入党日期不能晚于今天",
    }[refusal.problem]


def load_units_file(path: Path) -> list[UnitSettings]:
    """Units from a YAML list (as under ``organisation.units``), a CSV or an XLSX."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return _units_from_yaml(path)
    sheet, records = _table(path, UNIT_COLUMNS, ("id", "name", "level"))
    names = {str(r["name"]).strip(): str(r["id"]) for r in records if "name" in r and "id" in r}
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
        ids = set(names.values())
        if "parent" in record and record["parent"] not in ids and record["parent"] in names:
            # The parent written by name, as people do (上级: 示范镇党委).
            record["parent"] = names[record["parent"]]
        try:
            units.append(UnitSettings.model_validate(record))
            unit_rows.append(row)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                field = str(item["loc"][0]) if item["loc"] else None
                problems.append(sheet.problem(row, field, _explain(item)))
    for index, message in tree_problems([u.unit() for u in units]):
        problems.append(sheet.problem(unit_rows[index], None, message))
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
            for detail in error.errors(include_url=False):
                where = (index, *detail["loc"])
                field = UNIT_COLUMNS.get(str(detail["loc"][0]), ("",))[0] if detail["loc"] else ""
                message = f"第 {index + 1} 个组织的{field or '设置'}：{_explain(detail)}"
                problems.append(located.problem(where, message))
    for index, message in tree_problems([u.unit() for u in units]):
        problems.append(located.problem((index,), f"第 {index + 1} 个组织：{message}"))
    if problems:
        raise InvalidFileError(problems)
    return units


def load_roster_file(path: Path, branches: Sequence[Unit], today: date) -> list[RosterEntry]:
    """Roster entries from a CSV or XLSX; every branch (by id or name) must exist."""
    sheet, records = _table(path, ROSTER_COLUMNS, ("real_name", "branch_id"))
    entries: list[RosterEntry] = []
    problems: list[Problem] = []
    for record in records:
        row = record["_row"]
        name = str(record.get("real_name", "")).strip()
        branch = str(record.get("branch_id", "")).strip()
        joined = record.get("party_joined_on")
        if not name:
            problems.append(sheet.problem(row, "real_name", "不能为空"))
        found = OrgTree(tuple(branches)).unit_named(branch) if branch else None
        if not branch:
            problems.append(sheet.problem(row, "branch_id", "不能为空"))
        elif found is None:
            message = f"没有编号或名称为“{branch}”的党支部"
            problems.append(sheet.problem(row, "branch_id", message))
        elif isinstance(found, list):
            message = f"有 {len(found)} 个党支部都叫“{branch}”，请写编号（{'、'.join(found)}）"
            problems.append(sheet.problem(row, "branch_id", message))
        joined_on: date | None = None
        if isinstance(joined, datetime):
            joined_on = joined.date()
        elif isinstance(joined, date):
            joined_on = joined
        elif joined is not None:
            parsed = parse_date(str(joined), today)
            if isinstance(parsed, DateRefusal):
                problems.append(
                    sheet.problem(row, "party_joined_on", _date_problem(joined, parsed))
                )
            else:
                joined_on = parsed
        entries.append(RosterEntry(name, found if isinstance(found, str) else branch, joined_on))
    if problems:
        raise InvalidFileError(problems)
    return entries

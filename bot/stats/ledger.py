"""The 台账: an Excel ledger of a unit's study for a period, as the level above checks it.

Four sheets — 汇总 (per branch), 党员明细 (per member), 答题明细 (per answer), 题目分析 (per
question, with facility and discrimination) — Chinese headers, a frozen header row, widths
that fit. Written in openpyxl's write-only mode, row by row, so a large unit's year does not
sit in memory; Excel's row limit is respected and any cut is stated in the sheet.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.quiz.questions import Question
from bot.stats.figures import AnswerDetail, BranchFigures, ItemFigures, MemberTotals, ranked

EXCEL_ROWS = 1_048_576

SUMMARY = (
    ("支部编号", 12), ("支部名称", 24), ("上级组织", 20), ("党员数", 8), ("参学人数", 10),
    ("参学率", 9), ("答题次数", 10), ("平均分", 8), ("中位数", 8), ("失联人数", 10),
    ("主题党日次数", 12), ("出席率", 9),
)  # fmt: skip
MEMBERS = (
    ("支部", 22), ("姓名", 12), ("党员编号", 10), ("答题次数", 10), ("最好成绩", 10),
    ("平均成绩", 10), ("最近答题", 18), ("状态", 10),
)  # fmt: skip
ANSWERS = (
    ("答题时间", 18), ("支部", 22), ("姓名", 12), ("题目编号", 14), ("出处", 22),
    ("是否正确", 10), ("用时（秒）", 10),
)  # fmt: skip
ITEMS = (
    ("题目编号", 14), ("出处", 22), ("题干", 60), ("作答次数", 10), ("答对次数", 10),
    ("正确率", 9), ("区分度", 9),
)  # fmt: skip


@dataclass(frozen=True)
class LedgerData:
    """Everything the ledger shows; gathered by the caller so this module needs no I/O
    except the streamed answers."""

    title: str
    period_label: str
    tree: OrgTree
    figures: Sequence[BranchFigures]
    members: Sequence[Member]
    member_totals: Mapping[int, MemberTotals]
    items: Sequence[ItemFigures]
    questions: Mapping[str, Question]
    zone: ZoneInfo
    made_on: date
    """The day the ledger is made (制表日期): the only moment written into the file, so the
    same period's ledger made twice that day is the same bytes."""


class Ledger:
    """Builds the workbook; ``add_answer`` streams the 答题明细 rows in between."""

    def __init__(self, data: LedgerData) -> None:
        self._data = data
        self._book = openpyxl.Workbook(write_only=True)
        self._answers_sheet: WriteOnlyWorksheet | None = None
        self._answer_rows = 0
        self._names = {m.id: m.name for m in data.members}
        self._header_font = Font(bold=True, color="FFFFFF")
        self._header_fill = PatternFill("solid", fgColor="B22222")
        self._summary()
        self._member_sheet()
        self._answers_sheet = self._sheet("答题明细", ANSWERS)

    def _sheet(self, title: str, columns: Sequence[tuple[str, int]]) -> WriteOnlyWorksheet:
        sheet: WriteOnlyWorksheet = self._book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, (_, width) in enumerate(columns):
            # Write-only sheets do take column widths (before the first row); the type stubs
            # do not list the attribute.
            dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
            dimensions[get_column_letter(index + 1)].width = width
        header = []
        for name, _ in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = self._header_font
            cell.fill = self._header_fill
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        sheet.append(header)
        return sheet

    def _summary(self) -> None:
        data = self._data
        sheet = self._sheet("汇总", SUMMARY)
        for f in ranked(data.figures):
            unit = data.tree.by_id.get(f.branch_id)
            parent = data.tree.by_id.get(unit.parent) if unit and unit.parent else None
            sheet.append(
                [
                    f.branch_id,
                    unit.name if unit else f.branch_id,
                    parent.name if parent else "",
                    f.members,
                    f.participants,
                    _percent(f.rate),
                    f.quizzes,
                    _round(f.average),
                    _round(f.median),
                    f.unreachable,
                    f.theme_days,
                    _percent(f.attendance) if f.attendance is not None else None,
                ]
            )
        sheet.append([])
        sheet.append(
            [
                f"{data.title} · {data.period_label}；党员数 = 期末（本期未结束时为制表时）"
                "在册的党员；参学率 = 其中完成至少一次答题的党员 ÷ 党员数；"
                "答题按答题时所在支部统计"
            ]
        )

    def _member_sheet(self) -> None:
        data = self._data
        sheet = self._sheet("党员明细", MEMBERS)
        for member in sorted(data.members, key=lambda m: (m.branch_id or "", m.name)):
            totals = data.member_totals.get(member.id)
            unit = data.tree.by_id.get(member.branch_id or "")
            sheet.append(
                [
                    unit.name if unit else "",
                    member.name,
                    member.id,
                    totals.quizzes if totals else 0,
                    _round(totals.best) if totals else None,
                    _round(totals.average) if totals else None,
                    totals.last.astimezone(data.zone).strftime("%Y-%m-%d %H:%M") if totals else "",
                    "正常" if member.reachable else "失联",
                ]
            )

    def add_answers(self, answers: Iterable[AnswerDetail]) -> None:
        for answer in answers:
            self.add_answer(answer)

    def add_answer(self, answer: AnswerDetail) -> None:
        assert self._answers_sheet is not None
        self._answer_rows += 1
        if self._answer_rows == EXCEL_ROWS - 2:
            self._answers_sheet.append(["超过 Excel 行数上限，以下从略；请按支部或按月分别导出。"])
        if self._answer_rows >= EXCEL_ROWS - 2:
            return
        data = self._data
        question = data.questions.get(answer.question_id)
        unit = data.tree.by_id.get(answer.branch_id)
        self._answers_sheet.append(
            [
                answer.answered_at.astimezone(data.zone).strftime("%Y-%m-%d %H:%M:%S"),
                unit.name if unit else answer.branch_id,
                self._names.get(answer.member_id, str(answer.member_id)),
                answer.question_id,
                question.source if question else "",
                "正确" if answer.correct else "错误",
                round(answer.ms_taken / 1000, 1),
            ]
        )

    def finish(self) -> bytes:
        data = self._data
        sheet = self._sheet("题目分析", ITEMS)
        for item in data.items:
            question = data.questions.get(item.question_id)
            sheet.append(
                [
                    item.question_id,
                    question.source if question else "（已不在题库）",
                    question.stem if question else "",
                    item.attempts,
                    item.correct,
                    _percent(item.facility),
                    _round(item.discrimination, 2),
                ]
            )
        made = datetime.combine(self._data.made_on, time())
        self._book.properties.created = self._book.properties.modified = made
        buffer = io.BytesIO()
        with _PinnedZip(buffer, made) as archive:
            ExcelWriter(self._book, archive).save()
        return buffer.getvalue()


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _round(value: float | None, digits: int = 1) -> Any:
    return None if value is None else round(value, digits)


class _PinnedZip(ZipFile):
    """A zip archive whose entries all carry one timestamp instead of the moment each was
    written, so that a ledger's bytes depend only on its content and its day."""

    def __init__(self, file: IO[bytes], moment: datetime) -> None:
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True)
        self._moment = moment.timetuple()[:6]

    def writestr(  # type: ignore[override]
        self, name: str | ZipInfo, data: bytes | str, *args: Any, **kwargs: Any
    ) -> None:
        if isinstance(name, str):
            name = ZipInfo(name, self._moment)
            name.compress_type = ZIP_DEFLATED
        super().writestr(name, data, *args, **kwargs)

    def write(  # type: ignore[override]
        self, filename: str, arcname: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        """A sheet openpyxl streamed to a temporary file, copied without reading it whole."""
        info = ZipInfo.from_file(filename, arcname)
        info.date_time = self._moment
        info.compress_type = ZIP_DEFLATED
        with open(filename, "rb") as source, self.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1 << 20)

"""The 台账: an Excel ledger of a unit's study for a period, as the level above checks it.

Four sheets — 汇总 (per branch), 党员明细 (per member), 答题明细 (per answer), 题目分析 (per
question, with facility and discrimination) — headers and notes from the catalogue, a frozen
header row, widths that fit. Written in openpyxl's write-only mode, row by row, so a large
unit's year does not sit in memory; Excel's row limit is respected and any cut is stated in
the sheet.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.i18n import Texts
from bot.org.members import Member
from bot.org.tree import OrgTree
from bot.quiz.questions import Question
from bot.stats.figures import AnswerDetail, BranchFigures, ItemFigures, MemberTotals, ranked
from bot.stats.periods import Period

EXCEL_ROWS = 1_048_576

Columns = tuple[tuple[Callable[[Texts], str], int], ...]
"""Each column's header (a catalogue entry) and width."""

SUMMARY: Columns = (
    (lambda t: t.ledger_branch_id, 12), (lambda t: t.ledger_branch_name, 24),
    (lambda t: t.ledger_parent, 20), (lambda t: t.ledger_members, 8),
    (lambda t: t.ledger_participants, 10), (lambda t: t.ledger_rate, 9),
    (lambda t: t.ledger_quizzes, 10), (lambda t: t.ledger_average, 8),
    (lambda t: t.ledger_median, 8), (lambda t: t.ledger_unreachable, 12),
    (lambda t: t.ledger_theme_days, 12), (lambda t: t.ledger_attendance, 9),
)  # fmt: skip
MEMBERS: Columns = (
    (lambda t: t.ledger_branch, 22), (lambda t: t.ledger_name, 12),
    (lambda t: t.ledger_member_id, 10), (lambda t: t.ledger_quizzes, 10),
    (lambda t: t.ledger_best, 10), (lambda t: t.ledger_member_average, 10),
    (lambda t: t.ledger_last_quiz, 18), (lambda t: t.ledger_status, 10),
)  # fmt: skip
ANSWERS: Columns = (
    (lambda t: t.ledger_answered_at, 18), (lambda t: t.ledger_branch, 22),
    (lambda t: t.ledger_name, 12), (lambda t: t.ledger_question_id, 14),
    (lambda t: t.ledger_source, 22), (lambda t: t.ledger_correct, 10),
    (lambda t: t.ledger_seconds, 10),
)  # fmt: skip
ITEMS: Columns = (
    (lambda t: t.ledger_question_id, 14), (lambda t: t.ledger_source, 22),
    (lambda t: t.ledger_stem, 60), (lambda t: t.ledger_attempts, 10),
    (lambda t: t.ledger_right, 10), (lambda t: t.ledger_facility, 9),
    (lambda t: t.ledger_discrimination, 9),
)  # fmt: skip


@dataclass(frozen=True)
class LedgerData:
    """Everything the ledger shows; gathered by the caller so this module needs no I/O
    except the streamed answers."""

    title: str
    period: Period
    texts: Texts
    tree: OrgTree
    figures: Sequence[BranchFigures]
    members: Sequence[Member]
    member_totals: Mapping[int, MemberTotals]
    items: Sequence[ItemFigures]
    questions: Mapping[str, Question]
    zone: ZoneInfo


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
        self._answers_sheet = self._sheet(data.texts.ledger_sheet_answers, ANSWERS)

    def _sheet(self, title: str, columns: Columns) -> WriteOnlyWorksheet:
        sheet: WriteOnlyWorksheet = self._book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, (_, width) in enumerate(columns):
            # Write-only sheets do take column widths (before the first row); the type stubs
            # do not list the attribute.
            dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
            dimensions[get_column_letter(index + 1)].width = width
        header = []
        for name, _ in columns:
            cell = WriteOnlyCell(sheet, value=name(self._data.texts))
            cell.font = self._header_font
            cell.fill = self._header_fill
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        sheet.append(header)
        return sheet

    def _summary(self) -> None:
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_summary, SUMMARY)
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
            [texts.ledger_summary_note.format(unit=data.title, period=texts.period(data.period))]
        )
        sheet.append([texts.ledger_items_note])

    def _member_sheet(self) -> None:
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_members, MEMBERS)
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
                    _status(texts, member),
                ]
            )

    def add_answers(self, answers: Iterable[AnswerDetail]) -> None:
        for answer in answers:
            self.add_answer(answer)

    def add_answer(self, answer: AnswerDetail) -> None:
        assert self._answers_sheet is not None
        self._answer_rows += 1
        if self._answer_rows == EXCEL_ROWS - 2:
            self._answers_sheet.append([self._data.texts.ledger_truncated])
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
                data.texts.ledger_yes if answer.correct else data.texts.ledger_no,
                round(answer.ms_taken / 1000, 1),
            ]
        )

    def finish(self) -> bytes:
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_items, ITEMS)
        for item in data.items:
            question = data.questions.get(item.question_id)
            sheet.append(
                [
                    item.question_id,
                    question.source if question else texts.corrections_gone,
                    question.stem if question else "",
                    item.attempts,
                    item.correct,
                    _percent(item.facility),
                    _round(item.discrimination, 2),
                ]
            )
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def _status(texts: Texts, member: Member) -> str:
    """正常, 未启用 (never opened the bot) or 未联系上 (blocked it, or cannot be written to)."""
    if member.reachable:
        return texts.ledger_status_ok
    return texts.ledger_status_never if member.telegram_id is None else texts.ledger_status_blocked


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _round(value: float | None, digits: int = 1) -> Any:
    return None if value is None else round(value, digits)

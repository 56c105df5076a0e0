"""The 台账: an Excel ledger of a unit's study for a period, as the level above checks it.

Six sheets — 汇总 (per branch, with a 合计 row), 党员明细 (per member, in 拼音 order), 会议记录
(per meeting held: 三会一课 and theme days with 应到/实到/请假/缺席, 补课 done and the minutes),
答题明细 (per answer), 题目分析 (per question, with facility and discrimination), 选项分布 (per
question and option) — ready to print and file: a title, the unit and period, the header
repeated on every page, A4 landscape fitted to the width, a footer with 制表人/审核人/制表日期
lines and the page number. Numbers, shares and dates are typed cells with number formats, so
Excel can sum, sort and filter them. Written in openpyxl's write-only mode, row by row, so a
large unit's year does not sit in memory; Excel's row limit is respected and any cut is stated
in the sheet. Every header, note and word comes from the catalogue.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, cast
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from bot.i18n import Texts
from bot.meetings.events import HeldMeeting, kind_name
from bot.org.tree import OrgTree
from bot.quiz.questions import OPTION_LETTERS, Question
from bot.stats.figures import (
    AnswerDetail,
    BranchFigures,
    Enrolment,
    ItemFigures,
    MemberTotals,
    places,
    ranked,
)
from bot.stats.periods import Period
from bot.stats.pinyin import PinyinOrder

EXCEL_ROWS = 1_048_576
HEAD_ROWS = 3
"""Title, unit and period, column headers: repeated at the top of every printed page."""
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
MOMENT = "yyyy-mm-dd hh:mm"
SECOND = "yyyy-mm-dd hh:mm:ss"
A4 = 9
"""openpyxl's paperSize for A4."""

Columns = tuple[tuple[Callable[[Texts], str], int], ...]
"""Each column's header (a catalogue entry) and width."""

SUMMARY: Columns = (
    (lambda t: t.ledger_branch_id, 12), (lambda t: t.ledger_branch_name, 24),
    (lambda t: t.ledger_parent, 20), (lambda t: t.ledger_members, 8),
    (lambda t: t.ledger_participants, 10), (lambda t: t.ledger_rate, 9),
    (lambda t: t.ledger_quizzes, 10), (lambda t: t.ledger_average, 11),
    (lambda t: t.ledger_median, 11), (lambda t: t.ledger_unreachable, 16),
    (lambda t: t.ledger_theme_days, 12), (lambda t: t.ledger_attendance, 9),
    (lambda t: t.ledger_rank, 8),
)  # fmt: skip
MEMBERS: Columns = (
    (lambda t: t.ledger_branch, 22), (lambda t: t.ledger_name, 12),
    (lambda t: t.ledger_pinyin, 16), (lambda t: t.ledger_member_id, 10),
    (lambda t: t.ledger_joined, 12), (lambda t: t.ledger_quizzes, 10),
    (lambda t: t.ledger_best, 11), (lambda t: t.ledger_average, 11),
    (lambda t: t.ledger_last_quiz, 17), (lambda t: t.ledger_studied, 10),
    (lambda t: t.ledger_status, 14),
)  # fmt: skip
ANSWERS: Columns = (
    (lambda t: t.ledger_answered_at, 20), (lambda t: t.ledger_branch, 22),
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
OPTIONS: Columns = (
    (lambda t: t.ledger_question_id, 14), (lambda t: t.ledger_source, 22),
    (lambda t: t.ledger_stem, 50), (lambda t: t.ledger_option, 6),
    (lambda t: t.ledger_option_text, 40), (lambda t: t.ledger_key, 9),
    (lambda t: t.ledger_chosen, 10), (lambda t: t.ledger_share, 9),
    (lambda t: t.ledger_remark, 20),
)  # fmt: skip
MEETINGS: Columns = (
    (lambda t: t.ledger_meeting_time, 17), (lambda t: t.ledger_branch, 22),
    (lambda t: t.ledger_meeting_kind, 12), (lambda t: t.ledger_meeting_topic, 30),
    (lambda t: t.ledger_meeting_place, 16), (lambda t: t.ledger_expected, 7),
    (lambda t: t.ledger_present, 7), (lambda t: t.ledger_leave, 7),
    (lambda t: t.ledger_absent, 7), (lambda t: t.ledger_makeup, 9),
    (lambda t: t.ledger_photos, 7), (lambda t: t.ledger_minutes, 60),
)  # fmt: skip
PINYIN_COLUMN = "C"
"""党员明细's 拼音 column: the sort key, hidden on screen and in print."""


@dataclass(frozen=True)
class LedgerData:
    """Everything the ledger shows; gathered by the caller so this module needs no I/O
    except the streamed answers."""

    unit_name: str
    period: Period
    texts: Texts
    period_range: str
    """The days covered, e.g. 2026-11-01 至 2026-11-30 (截至 the report's day while the
    period lasts)."""
    tree: OrgTree
    figures: Sequence[BranchFigures]
    total: BranchFigures
    members: Sequence[Enrolment]
    member_totals: Mapping[int, MemberTotals]
    names: Mapping[int, str]
    """Everyone who answered in the period, including those who have since moved on."""
    items: Sequence[ItemFigures]
    options: Mapping[str, Mapping[frozenset[int], int]]
    """Per question, how many answers chose each set of options."""
    questions: Mapping[str, Question]
    zone: ZoneInfo
    made_on: date
    """The day the ledger is made (制表日期): the only moment written into the file, so the
    same period's ledger made twice that day is the same bytes."""
    min_attempts: int
    meetings: Sequence[HeldMeeting] = ()
    """The meetings held in the period, for 会议记录."""

    @property
    def title(self) -> str:
        return self.texts.ledger_title.format(
            unit=self.unit_name, period=self.texts.period(self.period)
        )


class Ledger:
    """Builds the workbook; ``add_answers`` streams the 答题明细 rows in between."""

    def __init__(self, data: LedgerData) -> None:
        self._data = data
        self._book = openpyxl.Workbook(write_only=True)
        self._answer_rows = 0
        self._header_font = Font(bold=True, color="FFFFFF")
        self._header_fill = PatternFill("solid", fgColor="B22222")
        self._title_font = Font(bold=True, size=14)
        self._summary()
        self._member_sheet()
        self._meetings_sheet()
        self._answers_sheet = self._sheet(data.texts.ledger_sheet_answers, ANSWERS)

    def _cell(
        self, sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None
    ) -> Cell:
        cell = WriteOnlyCell(sheet, value=value)
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def _sheet(self, name: str, columns: Columns, hidden: str | None = None) -> WriteOnlyWorksheet:
        """A sheet with the title, the unit and period, and the header row, set up to print
        on A4 landscape, fitted to the page width, with those rows repeated on every page
        and a footer with lines to sign and the page number."""
        data = self._data
        sheet: WriteOnlyWorksheet = self._book.create_sheet(name)
        sheet.freeze_panes = f"A{HEAD_ROWS + 1}"
        for index, (_, width) in enumerate(columns):
            # Write-only sheets do take column widths (before the first row); the type stubs
            # do not list the attribute.
            dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
            dimensions[get_column_letter(index + 1)].width = width
        if hidden is not None:
            dimensions[hidden].hidden = True
        # A write-only sheet has an ordinary sheet's print settings; the type stubs list them
        # on Worksheet only.
        printed = cast(Worksheet, sheet)
        printed.print_title_rows = f"1:{HEAD_ROWS}"
        printed.page_setup.orientation = "landscape"
        printed.page_setup.paperSize = A4
        printed.page_setup.fitToWidth = 1
        printed.page_setup.fitToHeight = 0
        fit = printed.sheet_properties.pageSetUpPr
        assert fit is not None
        fit.fitToPage = True
        printed.print_options.horizontalCentered = True
        texts = data.texts
        footer = printed.oddFooter
        assert footer is not None and footer.left is not None and footer.right is not None
        footer.left.text = texts.ledger_footer.format(date=texts.long_date(data.made_on))
        footer.right.text = texts.ledger_page
        title = self._cell(sheet, data.title)
        title.font = self._title_font
        sheet.append([title])
        sheet.append(
            [
                texts.ledger_heading.format(
                    unit=data.unit_name, period=texts.period(data.period), days=data.period_range
                )
            ]
        )
        header = []
        for column, _ in columns:
            cell = self._cell(sheet, column(texts))
            cell.font = self._header_font
            cell.fill = self._header_fill
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
            header.append(cell)
        sheet.append(header)
        return sheet

    def _figures_row(
        self, sheet: WriteOnlyWorksheet, f: BranchFigures, head: list[Any], rank: Any
    ) -> list[Any]:
        return [
            *head,
            f.members,
            f.participants,
            self._cell(sheet, f.rate, PERCENT),
            f.quizzes,
            self._cell(sheet, _share(f.average), PERCENT),
            self._cell(sheet, _share(f.median), PERCENT),
            f.unreachable,
            f.theme_days,
            self._cell(sheet, f.attendance, PERCENT),
            rank,
        ]

    def _summary(self) -> None:
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_summary, SUMMARY)
        order = ranked(data.figures)
        for place, f in zip(places(order), order, strict=True):
            unit = data.tree.by_id.get(f.branch_id)
            parent = data.tree.by_id.get(unit.parent) if unit and unit.parent else None
            head = [f.branch_id, unit.name if unit else f.branch_id, parent.name if parent else ""]
            sheet.append(
                self._figures_row(sheet, f, head, place if place else texts.ledger_unranked)
            )
        total = self._figures_row(
            sheet,
            data.total,
            [texts.ledger_total, texts.ledger_total_branches.format(count=len(order)), ""],
            None,
        )
        bold = Font(bold=True)
        cells = [v if isinstance(v, Cell) else self._cell(sheet, v) for v in total]
        for cell in cells:
            cell.font = bold
        sheet.append(cells)
        sheet.append([])
        for note in texts.ledger_summary_note.splitlines():
            sheet.append([note])

    def _member_sheet(self) -> None:
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_members, MEMBERS, hidden=PINYIN_COLUMN)
        order = PinyinOrder()
        rows = sorted(
            ((e.member.branch_id or "", order.key(e.member.name), e) for e in data.members),
            key=lambda row: (row[0], row[1], row[2].member.id),
        )
        for branch_id, key, e in rows:
            totals = data.member_totals.get(e.member.id)
            unit = data.tree.by_id.get(branch_id)
            sheet.append(
                [
                    unit.name if unit else branch_id,
                    e.member.name,
                    " ".join(key),
                    e.member.id,
                    self._cell(sheet, _local(e.joined_at, data.zone).date(), DATE),
                    totals.quizzes if totals else 0,
                    self._cell(sheet, _share(totals.best if totals else None), PERCENT),
                    self._cell(sheet, _share(totals.average if totals else None), PERCENT),
                    self._cell(sheet, _local(totals.last, data.zone) if totals else None, MOMENT),
                    texts.ledger_studied_yes if e.studied else texts.ledger_studied_no,
                    _status(texts, e),
                ]
            )
        sheet.append([])
        sheet.append([texts.ledger_pinyin_note])

    def _meetings_sheet(self) -> None:
        """会议记录: every meeting held, in order, with its attendance in figures."""
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_meetings, MEETINGS)
        for held in data.meetings:
            event = held.event
            unit = data.tree.by_id.get(event.branch_id)
            minutes = self._cell(sheet, event.minutes)
            minutes.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.append(
                [
                    self._cell(sheet, _local(event.occurs_at, data.zone), MOMENT),
                    unit.name if unit else event.branch_id,
                    kind_name(texts, event.kind, event.title),
                    event.topic,
                    event.place,
                    held.expected,
                    held.present,
                    held.leave,
                    held.absent,
                    held.makeup_done,
                    held.photos,
                    minutes,
                ]
            )
        sheet.append([])
        for note in texts.ledger_meetings_note.splitlines():
            sheet.append([note])

    def add_answers(self, answers: Iterable[AnswerDetail]) -> None:
        for answer in answers:
            self.add_answer(answer)

    def add_answer(self, answer: AnswerDetail) -> None:
        self._answer_rows += 1
        if self._answer_rows == EXCEL_ROWS - HEAD_ROWS - 1:
            self._answers_sheet.append([self._data.texts.ledger_truncated])
        if self._answer_rows >= EXCEL_ROWS - HEAD_ROWS - 1:
            return
        data = self._data
        question = data.questions.get(answer.question_id)
        unit = data.tree.by_id.get(answer.branch_id)
        sheet = self._answers_sheet
        sheet.append(
            [
                self._cell(sheet, _local(answer.answered_at, data.zone), SECOND),
                unit.name if unit else answer.branch_id,
                data.names.get(answer.member_id, str(answer.member_id)),
                answer.question_id,
                question.source if question else "",
                data.texts.ledger_yes if answer.correct else data.texts.ledger_no,
                round(answer.ms_taken / 1000, 1),
            ]
        )

    def _item_sheet(self) -> None:
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_items, ITEMS)
        for item in data.items:
            question = data.questions.get(item.question_id)
            enough = item.attempts >= data.min_attempts
            sheet.append(
                [
                    item.question_id,
                    question.source if question else texts.corrections_gone,
                    question.stem if question else "",
                    item.attempts,
                    item.correct,
                    self._cell(sheet, item.facility, PERCENT),
                    self._cell(
                        sheet,
                        round(item.discrimination, 2)
                        if enough and item.discrimination is not None
                        else None,
                        "0.00",
                    ),
                ]
            )
        sheet.append([])
        for note in texts.ledger_items_note.format(count=data.min_attempts).splitlines():
            sheet.append([note])

    def _option_sheet(self) -> None:
        """选项分布: per question, how many answers chose each option — the wrong option
        most chosen shows what was misunderstood."""
        data = self._data
        texts = data.texts
        sheet = self._sheet(texts.ledger_sheet_options, OPTIONS)
        for item in data.items:
            question = data.questions.get(item.question_id)
            chosen = data.options.get(item.question_id, {})
            if question is None:
                continue
            counts = [0] * len(question.options)
            for options, answers in chosen.items():
                for index in options:
                    if 0 <= index < len(counts):
                        counts[index] += answers
            wrong = [i for i in range(len(counts)) if i not in question.answer and counts[i]]
            worst = max(wrong, key=lambda i: (counts[i], -i)) if wrong else None
            for index, text in enumerate(question.options):
                sheet.append(
                    [
                        question.id,
                        question.source,
                        question.stem if index == 0 else "",
                        OPTION_LETTERS[index],
                        text,
                        "✓" if index in question.answer else "",
                        counts[index],
                        self._cell(
                            sheet,
                            counts[index] / item.attempts if item.attempts else None,
                            PERCENT,
                        ),
                        texts.ledger_worst if index == worst else "",
                    ]
                )
        sheet.append([])
        sheet.append([texts.ledger_options_note])

    def finish(self) -> bytes:
        self._item_sheet()
        self._option_sheet()
        made = datetime.combine(self._data.made_on, time())
        self._book.properties.created = self._book.properties.modified = made
        self._book.properties.title = self._data.title
        buffer = io.BytesIO()
        with _PinnedZip(buffer, made) as archive:
            ExcelWriter(self._book, archive).save()
        return buffer.getvalue()


def _share(percent: float | None) -> float | None:
    """A 0–100 score as the fraction a percent-formatted cell holds."""
    return None if percent is None else round(percent / 100, 4)


def _status(texts: Texts, enrolment: Enrolment) -> str:
    """正常, 未启用 (never opened the bot) or 未联系上 (blocked it, or cannot be written to)."""
    if enrolment.reachable:
        return texts.ledger_status_ok
    if enrolment.member.telegram_id is None:
        return texts.ledger_status_never
    return texts.ledger_status_blocked


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """Excel has no time zones: the local time, without one."""
    return moment.astimezone(zone).replace(tzinfo=None)


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

"""``bank review``: a random sample of questions set beside the reference lines they quote,
for a 党委's own reviewers (issue 15: a 40-question spot check found two flawed stems).

Each question is shown with its key written out (letter and option text), its quote, and the
full reference line the quote is found in with that line's verification status and source, so
a reviewer checks the stem and the key against the text without opening any other file. The
same sample is written as a workbook with a column for the verdict and one for remarks. The
sample is drawn with a seed, so that a review can be repeated and cited.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.quiz import bank_texts as say
from bot.quiz.bank import LoadedBank, reference_path
from bot.quiz.questions import OPTION_LETTERS, Question, QuestionType, display_width
from bot.quiz.reference import Line, Reference, ReferenceCache, shown_path


@dataclass(frozen=True)
class ReviewItem:
    question: Question
    file: str
    reference: Reference | None
    """The reference text the question's file names; None when it names none."""
    lines: tuple[Line, ...]
    """The reference lines the quote is found in (verified ones first)."""

    @property
    def key(self) -> str:
        """The answer as a reviewer reads it: ``B 十八岁``, ``A 甲；C 丙``, or ``正确``."""
        question = self.question
        if question.type is QuestionType.JUDGE:
            return question.options[min(question.answer)]
        return "；".join(
            f"{OPTION_LETTERS[i]} {question.options[i]}" for i in sorted(question.answer)
        )

    @property
    def options(self) -> str:
        if self.question.type is QuestionType.JUDGE:
            return ""
        return "  ".join(f"{OPTION_LETTERS[i]}. {o}" for i, o in enumerate(self.question.options))


def review_sample(loaded: LoadedBank, size: int, seed: int) -> list[ReviewItem]:
    """``size`` questions drawn with ``seed`` (all of them if the bank is smaller), in bank
    order, each with the reference lines its quote rests on."""
    references = ReferenceCache()
    placed: list[tuple[Question, str, Reference | None]] = []
    for summary in loaded.files:
        reference = None
        if summary.reference:
            reference = references.get(reference_path(Path(summary.path), summary.reference))
        placed += [(q, summary.path, reference) for q in summary.questions]
    chosen = sorted(random.Random(seed).sample(range(len(placed)), min(size, len(placed))))
    items = []
    for index in chosen:
        question, file, reference = placed[index]
        found = reference.lines_quoting(question.quote) if reference and question.quote else ()
        lines = tuple(sorted(found, key=lambda line: not line.verified))
        items.append(ReviewItem(question, file, reference, lines))
    return items


def _status(line: Line, width: int = 60) -> str:
    """已核对 and where (the file's long 核对 note cut to ``width`` columns), or 未核对."""
    if not line.verified:
        return say.REVIEW_UNVERIFIED
    source = ""
    for character in line.source:
        if display_width(source + character) > width:
            source += "…"
            break
        source += character
    return say.REVIEW_VERIFIED.format(source=source)


def _where(item: ReviewItem, line: Line) -> str:
    return f"{shown_path(item.reference.path) if item.reference else ''}:{line.number}"


def review_text(items: Sequence[ReviewItem], total: int, seed: int) -> str:
    """The sample as ``bank review`` prints it: quote, key and reference line together."""
    out = [say.REVIEW_HEADER.format(count=len(items), total=total, seed=seed)]
    for number, item in enumerate(items, start=1):
        question = item.question
        out += [
            "",
            say.REVIEW_ITEM.format(
                number=number,
                count=len(items),
                id=question.id,
                source=question.source,
                file=item.file,
            ),
            say.REVIEW_STEM.format(text=question.stem),
        ]
        if item.options:
            out.append(say.REVIEW_OPTIONS.format(text=item.options))
        out.append(say.REVIEW_KEY.format(text=item.key))
        if question.explanation:
            out.append(say.REVIEW_EXPLANATION.format(text=question.explanation))
        out.append(
            say.REVIEW_QUOTE.format(text=question.quote) if question.quote else say.REVIEW_NO_QUOTE
        )
        if item.reference is None:
            out.append(say.REVIEW_NO_LINE)
        for line in item.lines:
            status = _status(line)
            out.append(
                say.REVIEW_LINE.format(where=_where(item, line), status=status, text=line.text)
            )
    return "\n".join(out)


def write_review(items: Sequence[ReviewItem], path: Path) -> None:
    """The sample as a workbook for reviewers: one row per question, a verdict column."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "抽查"
    sheet.append(say.REVIEW_COLUMNS)
    for number, item in enumerate(items, start=1):
        question = item.question
        lines = item.lines
        sheet.append(
            (
                number,
                question.id,
                item.file,
                question.source,
                say.TYPE_NAMES[question.type.value],
                question.stem,
                item.options.replace("  ", "\n"),
                item.key,
                question.explanation,
                question.quote,
                "\n".join(line.text for line in lines),
                "\n".join(_where(item, line) for line in lines),
                "\n".join(_status(line, 400) for line in lines),
                None,
                None,
            )
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"F": 40, "G": 30, "H": 20, "I": 30, "J": 40, "K": 60, "L": 24, "M": 24, "O": 30}
    for index in range(1, len(say.REVIEW_COLUMNS) + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(letter, 12)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    book.save(path)

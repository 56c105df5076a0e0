"""How a quiz looks in a chat: question messages, their keyboards, results and summaries.

A phone shows about 24 Chinese characters across a button. When every option fits, the options
are the buttons and appear nowhere else; when one does not, all are listed in the text with
letters and the buttons carry the letters. Either way each option is shown once. The header
names the document and article (《支部工作条例》第二十二条), so a stem that says 本条例 or
第二十二条 reads right in a quiz that mixes documents. A result spells out the answers in the
document's order (``document_order``), not the shuffled order shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.callbacks import FIX, MAX_CALLBACK_BYTES, NEXT, QUIZ, FixTap, NextTap
from bot.handlers.pages import MESSAGE_LIMIT, length
from bot.i18n import LOCALES, Texts
from bot.quiz import bank_texts as say
from bot.quiz.questions import (
    OPTION_LETTERS,
    Question,
    QuestionType,
    article,
    display_width,
    document_order,
)
from bot.quiz.rules import Verdict, max_points, passed
from bot.quiz.session import MemberOverview, QuizSession, QuizSummary, Tap, TapAction

BUTTON_WIDTH = 48
"""Columns one full-width inline button shows on a phone (a Chinese character takes 2)."""

LETTERS_PER_ROW = 4
MAX_MESSAGE = 4096
"""Telegram's limit on a message's text, in UTF-16 code units."""


def kind(texts: Texts, question: Question) -> str:
    return {
        QuestionType.SINGLE: texts.type_single,
        QuestionType.MULTIPLE: texts.type_multiple,
        QuestionType.JUDGE: texts.type_judge,
    }[question.type]


def options_on_buttons(question: Question) -> bool:
    """Whether every option fits a button; otherwise the text lists them, buttons are letters."""
    return all(display_width(option) <= BUTTON_WIDTH for option in question.options)


def citation(texts: Texts, question: Question) -> str:
    """The document's short name (the bank file's ``document``) and the article."""
    return texts.citation.format(document=question.document, article=article(question))


def option_text(texts: Texts, question: Question, index: int) -> str:
    """An option as shown: a judge question's 正确/错误 in the locale's words (the bank stores
    them in Simplified, like every question)."""
    if question.type is QuestionType.JUDGE:
        return (texts.judge_true, texts.judge_false)[index]
    return question.options[index]


def question_text(texts: Texts, session: QuizSession, question: Question) -> str:
    return question_body(texts, session.position, session.total, question, session.current_order)


def question_body(
    texts: Texts, position: int, total: int, question: Question, order: tuple[int, ...]
) -> str:
    text = _header(texts, position, total, question)
    if not options_on_buttons(question):
        text += "\n\n" + "\n".join(
            f"{OPTION_LETTERS[shown]}. {question.options[index]}"
            for shown, index in enumerate(order)
        )
    if question.type is QuestionType.MULTIPLE:
        text += "\n\n" + texts.multiple_hint
    return text


def _header(texts: Texts, position: int, total: int, question: Question) -> str:
    return texts.question.format(
        number=position + 1,
        total=total,
        kind=kind(texts, question),
        citation=citation(texts, question),
        stem=question.stem,
    )


def question_keyboard(
    texts: Texts, session: QuizSession, question: Question
) -> InlineKeyboardMarkup:
    return option_keyboard(
        texts, session.id, session.position, question, session.current_order, session.selection
    )


def option_keyboard(
    texts: Texts,
    session_id: int,
    position: int,
    question: Question,
    order: tuple[int, ...],
    selection: frozenset[int],
) -> InlineKeyboardMarkup:
    def button(label: str, action: TapAction, option: int | None = None) -> InlineKeyboardButton:
        tap = Tap(session_id, position, action, option)
        return InlineKeyboardButton(label, callback_data=QUIZ.pack(tap))

    if question.type is QuestionType.JUDGE:
        return InlineKeyboardMarkup(
            [
                [
                    button(option_text(texts, question, index), TapAction.ANSWER, i)
                    for i, index in enumerate(order)
                ]
            ]
        )
    on_buttons = options_on_buttons(question)
    labels = [
        question.options[index] if on_buttons else OPTION_LETTERS[shown]
        for shown, index in enumerate(order)
    ]
    if question.type is QuestionType.MULTIPLE:
        buttons = [
            button(
                f"{texts.ticked if i in selection else texts.unticked} {label}",
                TapAction.TOGGLE,
                i,
            )
            for i, label in enumerate(labels)
        ]
    else:
        buttons = [button(label, TapAction.ANSWER, i) for i, label in enumerate(labels)]
    rows = [[b] for b in buttons] if on_buttons else list(_rows(buttons, LETTERS_PER_ROW))
    if question.type is QuestionType.MULTIPLE:
        rows.append([button(texts.submit, TapAction.SUBMIT)])
    return InlineKeyboardMarkup(rows)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> Iterable[list[InlineKeyboardButton]]:
    for start in range(0, len(buttons), width):
        yield buttons[start : start + width]


def answer_text(
    texts: Texts, question: Question, order: tuple[int, ...], bank_indices: Iterable[int]
) -> str:
    """Options named by their text, in the document's order; when the text lists the options
    with letters (long options), each with its letter, one per line if there are several."""
    chosen = document_order(question, bank_indices)
    if options_on_buttons(question):
        return texts.list_separator.join(option_text(texts, question, i) for i in chosen)
    items = [f"{OPTION_LETTERS[order.index(i)]}. {question.options[i]}" for i in chosen]
    return items[0] if len(items) == 1 else "\n" + "\n".join(items)


def result_text(
    texts: Texts,
    position: int,
    total: int,
    question: Question,
    order: tuple[int, ...],
    verdict: Verdict,
) -> str:
    """The question message after the answer: the question, the verdict, the answers, the
    explanation (or, for a question without one, the quoted line) and the source."""
    if verdict.timed_out:
        headline = texts.timed_out
    else:
        headline = texts.right if verdict.correct else texts.wrong
    lines = [_header(texts, position, total, question), "", headline]
    if not verdict.correct:
        lines.append(
            texts.your_answer.format(answer=answer_text(texts, question, order, verdict.chosen))
        )
    lines.append(
        texts.correct_answer.format(answer=answer_text(texts, question, order, question.answer))
    )
    # A question imported without 解析 shows the line it quotes, so the member still sees why.
    if question.explanation:
        lines.append(texts.explanation.format(text=question.explanation))
    elif question.quote:
        lines.append(texts.quote.format(text=question.quote))
    lines.append(texts.source.format(text=question.source))
    return "\n".join(lines)


def result_keyboard(
    texts: Texts, session_id: int, next_position: int, *, finished: bool, auto_advance: bool
) -> InlineKeyboardMarkup:
    """Under a result: 纠错, and — unless the next question comes by itself — 下一题 (查看得分
    after the last question), which asks for the question at ``next_position``."""
    row = [
        InlineKeyboardButton(
            texts.correction_button,
            callback_data=FIX.pack(FixTap(session_id, next_position - 1)),
        )
    ]
    if not auto_advance:
        row.append(
            InlineKeyboardButton(
                texts.finish_button if finished else texts.next_button,
                callback_data=NEXT.pack(NextTap(session_id, next_position)),
            )
        )
    return InlineKeyboardMarkup([row])


def correction_keyboard(texts: Texts, session_id: int, position: int) -> InlineKeyboardMarkup:
    """What stays under a result once the member has moved on: 纠错 alone."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.correction_button, callback_data=FIX.pack(FixTap(session_id, position))
                )
            ]
        ]
    )


def unshowable(texts: Texts, question: Question) -> list[str]:
    """Why ``question`` cannot be shown in a Telegram chat, if it cannot: its question or
    result message (at its longest: the last of 99 questions, every option chosen) over 4,096
    characters, or a button's callback data over 64 bytes. Empty when it can be shown."""
    problems: list[str] = []
    order = tuple(range(len(question.options)))
    worst = frozenset(order) if question.type is QuestionType.MULTIPLE else frozenset()
    if not worst:
        wrong = [i for i in order if i not in question.answer]
        worst = frozenset({max(wrong, key=lambda i: len(question.options[i]))} if wrong else ())
    messages = {
        say.QUESTION_MESSAGE: question_body(texts, 98, 99, question, order),
        say.RESULT_MESSAGE: result_text(
            texts, 98, 99, question, order, Verdict(worst, False, True)
        ),
    }
    for which, text in messages.items():
        size = len(text.encode("utf-16-le")) // 2
        if size > MAX_MESSAGE:
            problems.append(
                say.UNSHOWABLE_MESSAGE.format(which=which, size=size, limit=MAX_MESSAGE)
            )
    largest = 10**18 - 1
    try:
        option_keyboard(texts, largest, 99, question, order, frozenset(order))
        result_keyboard(texts, largest, 99, finished=False, auto_advance=False)
    except ValueError:
        problems.append(say.UNSHOWABLE_BUTTON.format(limit=MAX_CALLBACK_BYTES))
    return problems


def duration_text(texts: Texts, duration: timedelta) -> str:
    seconds = max(0, int(duration.total_seconds()))
    if seconds < 60:
        return texts.duration_seconds.format(seconds=seconds)
    return texts.duration_minutes.format(minutes=seconds // 60, seconds=seconds % 60)


def summary_text(texts: Texts, summary: QuizSummary) -> str:
    total = max_points(summary.total)
    percent = round(100 * summary.score / total) if total else 0
    lines = [
        texts.summary.format(
            score=summary.score,
            total=total,
            percent=percent,
            duration=duration_text(texts, summary.duration),
        )
    ]
    if summary.score == total:
        lines.append(texts.summary_full_marks)
    elif passed(summary.score, summary.total):
        lines.append(texts.summary_passed)
    else:
        lines.append(texts.summary_failed)
    tail = ["", texts.summary_again]
    if summary.missed:
        lines += ["", texts.summary_missed_header]
        # Up to 50 missed questions of long stems would pass Telegram's 4,096: list what fits.
        room = MESSAGE_LIMIT - length("\n".join([*lines, texts.truncated, *tail])) - 1
        for number, question in enumerate(summary.missed, start=1):
            answer = texts.list_separator.join(
                option_text(texts, question, i) for i in document_order(question, question.answer)
            )
            item = texts.summary_missed_item.format(
                number=number,
                stem=_short(question.stem),
                answer=_short(answer),
                source=question.source,
            )
            room -= length(item) + 1
            if room < 0:
                lines.append(texts.truncated)
                break
            lines.append(item)
    return "\n".join(lines + tail)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def overview_text(texts: Texts, overview: MemberOverview, bank_size: int, zone: ZoneInfo) -> str:
    if overview.quizzes_finished == 0 and overview.answers == 0:
        return texts.me_empty
    rate = round(100 * overview.correct / overview.answers) if overview.answers else 0
    lines = [
        texts.me.format(
            quizzes=overview.quizzes_finished,
            answers=overview.answers,
            correct=overview.correct,
            rate=rate,
            seen=min(overview.seen_in_bag, bank_size),
            bank=bank_size,
        )
    ]
    if overview.recent:
        lines.append("")
        for session in overview.recent:
            finished = session.finished_at or session.started_at
            lines.append(
                texts.me_recent_item.format(
                    date=finished.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    score=session.score,
                    total=max_points(session.total),
                )
            )
    return "\n".join(lines)


def screen(question: Question) -> list[str]:
    """``unshowable`` in every locale: what ``bank check`` and start-up refuse."""
    return sorted({why for texts in LOCALES.values() for why in unshowable(texts, question)})

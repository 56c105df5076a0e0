"""How a quiz looks in a chat: question messages, their keyboards, results and summaries.

Options are listed in the message as well as on the buttons, because a narrow phone may cut
a long button short. Letters always refer to the order the member was shown.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.callbacks import QUIZ
from bot.i18n import Texts
from bot.quiz.questions import OPTION_LETTERS, Question, QuestionType
from bot.quiz.rules import Verdict, max_points, passed
from bot.quiz.session import MemberOverview, QuizSession, QuizSummary, Tap, TapAction


def kind(texts: Texts, question: Question) -> str:
    return {
        QuestionType.SINGLE: texts.type_single,
        QuestionType.MULTIPLE: texts.type_multiple,
        QuestionType.JUDGE: texts.type_judge,
    }[question.type]


def _shown_options(question: Question, order: tuple[int, ...]) -> list[str]:
    return [f"{OPTION_LETTERS[i]}. {question.options[index]}" for i, index in enumerate(order)]


def question_text(texts: Texts, session: QuizSession, question: Question) -> str:
    return _question_body(
        texts, session.position, session.total, question, session.current_order, hint=True
    )


def _question_body(
    texts: Texts,
    position: int,
    total: int,
    question: Question,
    order: tuple[int, ...],
    *,
    hint: bool,
) -> str:
    text = texts.question.format(
        number=position + 1, total=total, kind=kind(texts, question), stem=question.stem
    )
    if question.type is not QuestionType.JUDGE:
        text += "\n\n" + "\n".join(_shown_options(question, order))
    if hint and question.type is QuestionType.MULTIPLE:
        text += "\n\n" + texts.multiple_hint
    return text


def question_keyboard(
    texts: Texts, session: QuizSession, question: Question
) -> InlineKeyboardMarkup:
    order = session.current_order

    def button(label: str, action: TapAction, option: int | None = None) -> InlineKeyboardButton:
        tap = Tap(session.id, session.position, action, option)
        return InlineKeyboardButton(label, callback_data=QUIZ.pack(tap))

    labels = _shown_options(question, order)
    if question.type is QuestionType.JUDGE:
        return InlineKeyboardMarkup(
            [
                [
                    button(question.options[index], TapAction.ANSWER, i)
                    for i, index in enumerate(order)
                ]
            ]
        )
    if question.type is QuestionType.SINGLE:
        return InlineKeyboardMarkup(
            [[button(label, TapAction.ANSWER, i)] for i, label in enumerate(labels)]
        )
    rows = [
        [
            button(
                f"{texts.ticked if i in session.selection else texts.unticked} {label}",
                TapAction.TOGGLE,
                i,
            )
        ]
        for i, label in enumerate(labels)
    ]
    rows.append([button(texts.submit, TapAction.SUBMIT)])
    return InlineKeyboardMarkup(rows)


def _letters(question: Question, order: tuple[int, ...], bank_indices: frozenset[int]) -> str:
    if question.type is QuestionType.JUDGE:
        return "、".join(question.options[i] for i in sorted(bank_indices))
    shown = sorted(order.index(i) for i in bank_indices)
    return "".join(OPTION_LETTERS[i] for i in shown)


def result_text(
    texts: Texts,
    position: int,
    total: int,
    question: Question,
    order: tuple[int, ...],
    verdict: Verdict,
) -> str:
    """The question message after the answer: the question, the verdict, answer, explanation."""
    if verdict.timed_out:
        headline = texts.timed_out
    else:
        headline = texts.right if verdict.correct else texts.wrong
    lines = [_question_body(texts, position, total, question, order, hint=False), "", headline]
    if not verdict.correct:
        lines.append(texts.your_answer.format(answer=_letters(question, order, verdict.chosen)))
    lines.append(texts.correct_answer.format(answer=_letters(question, order, question.answer)))
    # A question imported without 解析 shows the line it quotes, so the member still sees why.
    if question.explanation:
        lines.append(texts.explanation.format(text=question.explanation))
    elif question.quote:
        lines.append(texts.quote.format(text=question.quote))
    lines.append(texts.source.format(text=question.source))
    return "\n".join(lines)


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
    if summary.missed:
        lines += ["", texts.summary_missed_header]
        for number, question in enumerate(summary.missed, start=1):
            answer = "、".join(question.options[i] for i in sorted(question.answer))
            lines.append(
                texts.summary_missed_item.format(
                    number=number,
                    stem=_short(question.stem),
                    answer=answer,
                    source=question.source,
                )
            )
    lines += ["", texts.summary_again]
    return "\n".join(lines)


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

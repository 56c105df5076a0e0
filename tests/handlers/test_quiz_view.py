"""How quiz messages look to members: the question screen and the answered question."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.handlers.pages import MESSAGE_LIMIT, length
from bot.handlers.quiz_view import (
    option_keyboard,
    options_on_buttons,
    question_body,
    result_text,
    screen,
    summary_text,
)
from bot.i18n import LOCALES
from bot.quiz.bank import load_bank
from bot.quiz.questions import Question, QuestionType, article
from bot.quiz.rules import Verdict
from bot.quiz.session import QuizSummary

QUESTION = Question(
    id="q-1",
    type=QuestionType.SINGLE,
    document="党章",
    chapter="第一章 党员",
    stem="预备党员的预备期为多长？",
    options=("半年", "一年"),
    answer=frozenset({1}),
    explanation="党章第七条规定，预备期为一年。",
    source="党章 第七条",
    difficulty=1,
    quote="预备党员的预备期为一年。",
)
RIGHT = Verdict(frozenset({1}), correct=True, timed_out=False)


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_a_question_with_an_explanation_shows_it_and_the_source(locale: str) -> None:
    text = result_text(LOCALES[locale], 1, 5, QUESTION, (0, 1), RIGHT)
    assert "解析：党章第七条规定，预备期为一年。" in text
    assert "原文" not in text
    assert text.endswith("：党章 第七条")


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_a_question_imported_without_explanation_shows_the_quote_and_source(locale: str) -> None:
    text = result_text(LOCALES[locale], 1, 5, replace(QUESTION, explanation=""), (0, 1), RIGHT)
    lines = text.splitlines()
    assert "原文：预备党员的预备期为一年。" in lines
    assert not any(line.startswith("解析") for line in lines)
    assert lines[-1].endswith("：党章 第七条")
    # Without a quote either (a bank without a reference): the source alone, no empty 解析.
    bare = result_text(
        LOCALES[locale], 1, 5, replace(QUESTION, explanation="", quote=""), (0, 1), RIGHT
    )
    assert not any(line.startswith(("解析", "原文")) for line in bare.splitlines())


# --- The question screen ------------------------------------------------------------------

SHIPPED = load_bank([Path("question_bank")], screen).bank
"""The shipped bank, loaded with the screen check: every question fits Telegram."""


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_shipped_question_names_its_document_and_article_in_the_header(
    locale: str,
) -> None:
    """A stem that says 本条例 or 第二十二条 reads right because the line above it names the
    document — for every question of the bank, in a quiz that mixes documents."""
    texts = LOCALES[locale]
    for question in SHIPPED.questions:
        order = tuple(range(len(question.options)))
        header = question_body(texts, 0, 10, question, order).split("\n")[1]
        assert header == f"《{question.document}》{article(question)}", question.id
        assert article(question), question.id
        assert question.source == f"{question.document} {article(question)}", question.id


@pytest.mark.parametrize(
    ("options", "on_buttons"),
    [
        (("教育", "管理", "监督", "服务"), True),
        (("很" * 24, "短"), True),
        (("很" * 25, "短"), False),
        (("很" * 200, "短"), False),
    ],
)
def test_options_are_shown_once(options: tuple[str, ...], on_buttons: bool) -> None:
    """Options that fit a button are the buttons and are not in the text; when one does not
    fit, every option is listed in the text and the buttons carry the letters."""
    texts = LOCALES["zh-CN"]
    question = replace(QUESTION, options=options, answer=frozenset({1}))
    order = (1, 0)
    text = question_body(texts, 0, 5, question, order)
    labels = [
        button.text
        for row in option_keyboard(texts, 7, 0, question, order, frozenset()).inline_keyboard
        for button in row
    ]
    assert options_on_buttons(question) is on_buttons
    if on_buttons:
        assert labels == [options[1], options[0]]
        assert not any(f". {option}" in text for option in options)
    else:
        assert labels == ["A", "B"]
        assert f"A. {options[1]}\nB. {options[0]}" in text


MULTIPLE = Question(
    id="dz-032-03",
    type=QuestionType.MULTIPLE,
    document="党章",
    chapter="第五章 党的基层组织",
    stem="党的基层组织对党员进行哪些工作？",
    options=("监督", "服务", "管理", "处罚", "教育"),
    answer=frozenset({0, 1, 2, 4}),
    explanation="党章第三十二条第三项规定，基层组织对党员进行教育、管理、监督和服务。",
    source="党章 第三十二条",
    difficulty=2,
    quote="对党员进行教育、管理、监督和服务",
)
RIGHT_MULTIPLE = Verdict(frozenset({0, 1, 2, 4}), correct=True, timed_out=False)
SHUFFLED = (1, 2, 3, 4, 0)  # shown: A 服务, B 管理, C 处罚, D 教育, E 监督


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (MULTIPLE, "正确答案：教育、管理、监督、服务"),
        (replace(MULTIPLE, quote=""), "正确答案：监督、服务、管理、教育"),
        (
            replace(MULTIPLE, options=tuple(f"{o}{'很' * 30}" for o in MULTIPLE.options)),
            "正确答案：\n"
            + "\n".join(
                f"{letter}. {option}{'很' * 30}"
                for letter, option in zip("EABD", ("监督", "服务", "管理", "教育"), strict=True)
            ),
        ),
    ],
    ids=["in the quote's order", "no quote: the file's order", "long, not quoted: with letters"],
)
def test_right_answers_are_listed_in_the_documents_order_not_the_shuffled_one(
    question: Question, expected: str
) -> None:
    """The issue's case: the file lists 监督、服务、管理、处罚、教育 and the member saw them
    shuffled; the answer reads as the Constitution writes it, 教育、管理、监督和服务."""
    text = result_text(LOCALES["zh-CN"], 0, 5, question, SHUFFLED, RIGHT_MULTIPLE)
    assert expected in text


def test_the_screen_check_refuses_only_what_cannot_be_shown() -> None:
    long = replace(MULTIPLE, options=tuple(f"{o}{'很' * 298}" for o in MULTIPLE.options))
    assert len(long.options[0]) == 300
    assert screen(long) == []
    eight = replace(
        MULTIPLE,
        options=tuple(f"{n}{'很' * 299}" for n in "甲乙丙丁戊己庚辛"),
        answer=frozenset(range(7)),
    )
    assert screen(eight) and all("放不下" in why for why in screen(eight))


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_a_summary_of_fifty_long_missed_questions_fits_one_message(locale: str) -> None:
    texts = LOCALES[locale]
    long = replace(
        QUESTION,
        stem="题" * 200,
        options=("选" * 300, "项" * 300),
        source="《中国共产党纪律处分条例》第一百一十二条第二款",
    )
    text = summary_text(texts, QuizSummary(0, 50, timedelta(minutes=9), (long,) * 50))
    assert length(text) <= MESSAGE_LIMIT
    assert texts.truncated in text and text.endswith(texts.summary_again)
    short = summary_text(texts, QuizSummary(0, 2, timedelta(minutes=1), (QUESTION,) * 2))
    assert texts.truncated not in short

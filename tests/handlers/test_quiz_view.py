"""The answered question as members see it, for a question with and without 解析."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.handlers.quiz_view import result_text
from bot.i18n import LOCALES
from bot.quiz.questions import Question, QuestionType
from bot.quiz.rules import Verdict

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

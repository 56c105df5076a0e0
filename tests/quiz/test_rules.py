"""Scoring: one point per question, multiple choice all or nothing, late answers score 0."""

from __future__ import annotations

from datetime import timedelta

from bot.quiz.questions import Bank
from bot.quiz.rules import judge, passed


def test_single_choice(sample_bank: Bank) -> None:
    question = sample_bank.by_id["s-001"]
    assert judge(question, frozenset({1}), timedelta(seconds=3), None).points == 1
    assert judge(question, frozenset({0}), timedelta(seconds=3), None).points == 0


def test_multiple_choice_scores_only_when_exactly_right(sample_bank: Bank) -> None:
    question = sample_bank.by_id["s-002"]
    assert judge(question, frozenset({0, 1, 2}), timedelta(0), None).points == 1
    assert judge(question, frozenset({0, 1}), timedelta(0), None).points == 0
    assert judge(question, frozenset({0, 1, 2, 3}), timedelta(0), None).points == 0


def test_a_late_answer_is_recorded_as_right_but_scores_nothing(sample_bank: Bank) -> None:
    verdict = judge(
        sample_bank.by_id["s-003"], frozenset({0}), timedelta(seconds=31), timedelta(seconds=30)
    )
    assert verdict.correct and verdict.timed_out and verdict.points == 0


def test_pass_mark() -> None:
    assert passed(6, 10) and not passed(5, 10) and not passed(0, 0)

"""The scoring rules, in one place.

Members are shown these rules with /rules (the text is built from the constants below), and
docs/quiz-rules.md states them too; change them only deliberately, because past scores were
earned under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.quiz.questions import Question

POINTS_PER_QUESTION = 1
"""Every question is worth the same: one point."""

PASS_PERCENT = 60
"""A quiz with at least this share of points counts as passed (及格)."""


@dataclass(frozen=True)
class Verdict:
    """How one answer was judged; ``chosen`` is in the bank's own option order."""

    chosen: frozenset[int]
    correct: bool
    timed_out: bool

    @property
    def points(self) -> int:
        return POINTS_PER_QUESTION if self.correct and not self.timed_out else 0


def judge(
    question: Question,
    chosen: frozenset[int],
    elapsed: timedelta,
    limit: timedelta | None,
) -> Verdict:
    """Grade one answer: right only when exactly the right options are chosen (no partial
    credit for multiple choice). An answer given after the time limit is recorded but scores
    nothing."""
    timed_out = limit is not None and elapsed > limit
    return Verdict(chosen, chosen == question.answer, timed_out)


def max_points(question_count: int) -> int:
    return question_count * POINTS_PER_QUESTION


def passed(points: int, question_count: int) -> bool:
    return question_count > 0 and points * 100 >= PASS_PERCENT * max_points(question_count)

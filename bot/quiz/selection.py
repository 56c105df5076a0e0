"""Choosing questions for a quiz.

Each member has a "bag": no question comes back until they have seen the whole bank. Within a
quiz the questions are spread over the chapters in proportion to their size, so a ten-question
quiz is not ten questions on one article. Options are shuffled per quiz so that members learn
the content, not the letter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from random import Random

from bot.quiz.questions import Question, QuestionType


@dataclass(frozen=True)
class Draw:
    """The questions of a new quiz, and how the member's bag changes.

    When the bag ran out mid-draw, ``bag_reset`` is true and ``seen`` holds only the questions
    drawn from the refilled bag; otherwise ``seen`` is what to add to the bag's seen set."""

    question_ids: tuple[str, ...]
    bag_reset: bool
    seen: frozenset[str]


def draw_questions(
    pool: Sequence[Question], seen: Collection[str], count: int, rng: Random
) -> Draw:
    """Draw ``count`` questions (fewer only when the pool itself is smaller)."""
    count = min(count, len(pool))
    unseen = [q for q in pool if q.id not in seen]
    if len(unseen) >= count:
        chosen = spread_over_chapters(unseen, count, rng)
        rng.shuffle(chosen)
        ids = tuple(q.id for q in chosen)
        return Draw(ids, bag_reset=False, seen=frozenset(ids))
    rest_of_bag = list(unseen)
    rng.shuffle(rest_of_bag)
    taken = {q.id for q in rest_of_bag}
    refill = [q for q in pool if q.id not in taken]
    fresh = spread_over_chapters(refill, count - len(rest_of_bag), rng)
    chosen = rest_of_bag + fresh
    rng.shuffle(chosen)
    return Draw(tuple(q.id for q in chosen), bag_reset=True, seen=frozenset(q.id for q in fresh))


def spread_over_chapters(pool: Sequence[Question], count: int, rng: Random) -> list[Question]:
    """Sample ``count`` questions with each chapter's share proportional to its size.

    Largest-remainder rounding, ties broken at random, so small chapters are not starved
    forever and big ones are not over-drawn."""
    groups: dict[tuple[str, str], list[Question]] = defaultdict(list)
    for question in pool:
        groups[(question.document, question.chapter)].append(question)
    total = len(pool)
    quotas = {key: len(items) * count // total for key, items in groups.items()}
    remainders = sorted(
        groups, key=lambda key: (len(groups[key]) * count % total, rng.random()), reverse=True
    )
    for key in remainders[: count - sum(quotas.values())]:
        quotas[key] += 1
    chosen: list[Question] = []
    for key, items in groups.items():
        chosen.extend(rng.sample(items, quotas[key]))
    return chosen


def option_order(question: Question, rng: Random) -> tuple[int, ...]:
    """The order in which to show the options; 正确/错误 always stay in that order."""
    order = list(range(len(question.options)))
    if question.type is not QuestionType.JUDGE:
        rng.shuffle(order)
    return tuple(order)

"""Drawing questions: the bag never repeats a question early, chapters share in proportion."""

from __future__ import annotations

from collections import Counter
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quiz.questions import JUDGE_OPTIONS, Question, QuestionType
from bot.quiz.selection import draw_questions, option_order, spread_over_chapters


def make_pool(sizes: dict[str, int]) -> list[Question]:
    return [
        Question(
            id=f"{chapter}-{n}",
            type=QuestionType.SINGLE,
            document="d",
            chapter=chapter,
            stem="s",
            options=("a", "b", "c", "d"),
            answer=frozenset({0}),
            explanation="e",
            source="d 第一条",
            difficulty=1,
        )
        for chapter, size in sizes.items()
        for n in range(size)
    ]


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.dictionaries(st.sampled_from("ABCDEF"), st.integers(1, 15), min_size=1),
    count=st.integers(1, 12),
    seed=st.integers(0, 2**32),
)
def test_no_question_repeats_before_the_whole_bank_is_seen(
    sizes: dict[str, int], count: int, seed: int
) -> None:
    pool = make_pool(sizes)
    rng = Random(seed)
    seen: set[str] = set()
    cycle: list[str] = []
    for _ in range(3 * len(pool) // count + 2):
        draw = draw_questions(pool, seen, count, rng)
        assert len(draw.question_ids) == min(count, len(pool))
        assert len(set(draw.question_ids)) == len(draw.question_ids)
        if draw.bag_reset:
            # Everything left in the old bag came out before the bag was refilled.
            assert set(cycle) | (set(draw.question_ids) - draw.seen) == {q.id for q in pool}
            seen = set(draw.seen)
            cycle = list(draw.seen)
        else:
            assert not seen & set(draw.question_ids)
            seen |= draw.seen
            cycle += draw.question_ids


def test_chapters_share_a_quiz_in_proportion() -> None:
    pool = make_pool({"总纲": 40, "第一章": 20, "第二章": 20, "第三章": 10, "第四章": 10})
    chosen = spread_over_chapters(pool, 10, Random(1))
    assert Counter(q.chapter for q in chosen) == {
        "总纲": 4,
        "第一章": 2,
        "第二章": 2,
        "第三章": 1,
        "第四章": 1,
    }


def test_options_are_shuffled_but_judge_stays_in_order() -> None:
    question = make_pool({"A": 1})[0]
    orders = {option_order(question, Random(seed)) for seed in range(30)}
    assert len(orders) > 5
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)
    judge = Question(
        id="j",
        type=QuestionType.JUDGE,
        document="d",
        chapter="c",
        stem="s",
        options=JUDGE_OPTIONS,
        answer=frozenset({0}),
        explanation="e",
        source="d",
        difficulty=1,
    )
    assert {option_order(judge, Random(seed)) for seed in range(10)} == {(0, 1)}

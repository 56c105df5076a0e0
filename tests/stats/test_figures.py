"""Participation figures, rankings, bars and item statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.stats.figures import (
    AnswerRow,
    BranchFigures,
    BranchTotals,
    MemberCounts,
    MemberTotals,
    QuizRow,
    bar,
    combine,
    item_figures,
    leaders,
    places,
    rank_of,
    ranked,
)

NOW = datetime(2026, 11, 2, tzinfo=UTC)


def test_branch_figures() -> None:
    rows = [QuizRow(1, "a", 10, 10, NOW), QuizRow(1, "a", 5, 10, NOW), QuizRow(2, "a", 3, 4, NOW)]
    counts = {"a": MemberCounts(4, 1, 2)}
    totals = {"a": BranchTotals(2, 3, 225.0)}
    (figures, empty) = combine(["a", "b"], counts, totals, {}, {"a": rows})
    assert (figures.participants, figures.quizzes, figures.unreachable) == (2, 3, 1)
    assert figures.rate == 0.5
    assert figures.average == (100 + 50 + 75) / 3 and figures.median == 75
    assert (empty.members, empty.quizzes, empty.average, empty.median) == (0, 0, None, None)


def test_ranking_by_rate_then_average_with_shared_places() -> None:
    figures = [
        BranchFigures("a", 10, 5, 5, 90.0, None),
        BranchFigures("b", 10, 8, 8, 60.0, None),
        BranchFigures("c", 10, 5, 5, 90.0, None),
        BranchFigures("d", 0, 0, 0, None, None),
    ]
    assert [f.branch_id for f in ranked(figures)] == ["b", "a", "c", "d"]
    assert rank_of("c", figures) == (2, 4)
    # No quiz in the period: no place (未参学).
    assert rank_of("d", figures) == (None, 4)
    assert places(ranked(figures)) == [1, 2, 2, None]


def test_bar() -> None:
    assert bar(0.62) == "▇▇▇▇▇▇░░░░ 62%"
    assert bar(0) == "░░░░░░░░░░ 0%" and bar(1.5) == "▇▇▇▇▇▇▇▇▇▇ 100%"


def test_item_statistics_facility_and_discrimination() -> None:
    answers = []
    # Members 1..4 strong (right on everything), 5..8 weak (wrong on q2, right on q1).
    for member in range(1, 9):
        answers.append(AnswerRow(member, "q1", True))
        answers.append(AnswerRow(member, "q2", member <= 4))
    items = {i.question_id: i for i in item_figures(answers)}
    assert items["q1"].facility == 1.0 and items["q1"].discrimination == 0.0
    assert items["q2"].facility == 0.5 and items["q2"].discrimination == 1.0
    assert [i.question_id for i in item_figures(answers)] == ["q2", "q1"]


def test_leaders_by_best_score_then_quizzes_then_who_was_first() -> None:
    def totals(best: float, quizzes: int, minutes: int) -> MemberTotals:
        return MemberTotals(quizzes, best, best, NOW + timedelta(minutes=minutes))

    board = {
        1: totals(80, 1, 0),
        2: totals(100, 1, 5),
        3: totals(100, 3, 9),
        4: totals(80, 1, 3),
        5: totals(60, 2, 1),
    }
    # Equal best score and quizzes share a place; the earlier one is listed first.
    assert leaders(board, 10) == [(1, 3), (2, 2), (3, 1), (3, 4), (5, 5)]
    assert leaders(board, 2) == [(1, 3), (2, 2)]
    assert leaders({}, 10) == []

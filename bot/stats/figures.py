"""The numbers secretaries report upward: participation, scores, rankings, hard questions.

Scores are percentages of a quiz's points (0–100), so quizzes of different lengths compare.
A period's members are those in the unit at its end (at the moment of the report for the
period under way), from the membership history; a member "participated" when they finished at
least one quiz in the period. Quizzes, scores and answers count for the branch the member was
in when taking them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.org.members import Member

UPPER_LOWER_SHARE = 0.27
"""Kelley's 27 %: the top and bottom groups compared for an item's discrimination."""


@dataclass(frozen=True)
class QuizRow:
    """One finished quiz, as statistics need it."""

    member_id: int
    branch_id: str | None
    score: int
    question_count: int
    finished_at: datetime

    @property
    def percent(self) -> float:
        return 100 * self.score / self.question_count if self.question_count else 0.0


@dataclass(frozen=True)
class BranchTotals:
    """A branch's period aggregated by the database: enough for rankings, not for medians."""

    participants: int
    quizzes: int
    percent_sum: float


@dataclass(frozen=True)
class MemberCounts:
    """A branch's members at the period's end: how many, how many the bot could not reach
    then, how many of them finished a quiz in the period."""

    members: int
    unreachable: int
    participants: int


@dataclass(frozen=True)
class Enrolment:
    """A member as a period's report sees them: in the branch they were in at its end."""

    member: Member
    joined_at: datetime
    """When this stay in the branch began."""
    last_active: datetime | None
    reachable: bool
    """Whether the bot could write to them at the period's end."""
    studied: bool
    """Whether they finished a quiz in the period."""


@dataclass(frozen=True)
class MemberTotals:
    quizzes: int
    best: float
    average: float
    last: datetime


@dataclass(frozen=True)
class AnswerDetail:
    """One answer as the ledger lists it."""

    answered_at: datetime
    branch_id: str
    member_id: int
    question_id: str
    correct: bool
    ms_taken: int


@dataclass(frozen=True)
class AnswerRow:
    member_id: int
    question_id: str
    correct: bool


@dataclass(frozen=True)
class BranchFigures:
    branch_id: str
    members: int
    participants: int
    quizzes: int
    average: float | None
    median: float | None
    unreachable: int = 0
    theme_days: int = 0
    present: int = 0
    """Members signed in, summed over the period's theme days."""
    seats: int | None = None
    """For a unit above branches: the sum of its branches' members × theme days."""

    @property
    def rate(self) -> float:
        return self.participants / self.members if self.members else 0.0

    @property
    def attendance(self) -> float | None:
        """Theme-day attendance: sign-ins over (members × theme days); None without any."""
        seats = self.members * self.theme_days if self.seats is None else self.seats
        if not self.theme_days or not seats:
            return None
        return self.present / seats


def combine(
    branch_ids: Sequence[str],
    counts: Mapping[str, MemberCounts],
    totals: Mapping[str, BranchTotals],
    attendance: Mapping[str, tuple[int, int]],
    quizzes: Mapping[str, Sequence[QuizRow]] | None,
) -> list[BranchFigures]:
    """Each branch's figures from what the database aggregated. With ``quizzes`` (every
    finished quiz of each branch) there is a median too; without, there is none."""
    result = []
    for branch_id in branch_ids:
        count = counts.get(branch_id, MemberCounts(0, 0, 0))
        days, present = attendance.get(branch_id, (0, 0))
        total = totals.get(branch_id, BranchTotals(0, 0, 0.0))
        percents = [q.percent for q in quizzes.get(branch_id, ())] if quizzes is not None else None
        result.append(
            BranchFigures(
                branch_id=branch_id,
                members=count.members,
                participants=count.participants,
                quizzes=total.quizzes,
                average=total.percent_sum / total.quizzes if total.quizzes else None,
                median=statistics.median(percents) if percents else None,
                unreachable=count.unreachable,
                theme_days=days,
                present=present,
            )
        )
    return result


def aggregate(unit_id: str, figures: Iterable[BranchFigures]) -> BranchFigures:
    """A unit's figures from its branches': members, participants, quizzes and theme days
    add up; the average is over all the quizzes (each branch weighted by its quizzes). There
    is no median, which would need every quiz row of the subtree."""
    parts = list(figures)
    quizzes = sum(f.quizzes for f in parts)
    points = sum((f.average or 0.0) * f.quizzes for f in parts)
    return BranchFigures(
        branch_id=unit_id,
        members=sum(f.members for f in parts),
        participants=sum(f.participants for f in parts),
        quizzes=quizzes,
        average=points / quizzes if quizzes else None,
        median=None,
        unreachable=sum(f.unreachable for f in parts),
        theme_days=sum(f.theme_days for f in parts),
        present=sum(f.present for f in parts),
        seats=sum(f.members * f.theme_days for f in parts),
    )


def ranked(figures: Iterable[BranchFigures]) -> list[BranchFigures]:
    """Participation rate first, then average score, then id for a stable order; units with
    no quiz in the period (未参学) last, whatever their rate."""
    return sorted(
        figures, key=lambda f: (not f.quizzes, -f.rate, -(f.average or 0.0), f.branch_id)
    )


def places(figures: Sequence[BranchFigures]) -> list[int | None]:
    """The place of each of ``figures`` (already ``ranked``): equal rate and average share
    a place; a unit with no quiz in the period has none (未参学)."""
    result: list[int | None] = []
    previous: tuple[float, float] | None = None
    for index, f in enumerate(figures):
        key = (round(f.rate, 6), round(f.average or 0.0, 6))
        if not f.quizzes:
            result.append(None)
        elif key == previous and result and result[-1] is not None:
            result.append(result[-1])
        else:
            result.append(index + 1)
        previous = key
    return result


def rank_of(branch_id: str, figures: Iterable[BranchFigures]) -> tuple[int | None, int]:
    """(place, out of) of ``branch_id`` among ``figures``; no place for a unit with no quiz
    in the period (未参学)."""
    order = ranked(figures)
    mine = next(i for i, f in enumerate(order) if f.branch_id == branch_id)
    return places(order)[mine], len(order)


def leaders(totals: Mapping[int, MemberTotals], limit: int) -> list[tuple[int, int]]:
    """(place, member id) of the best ``limit`` members: best score, then more quizzes, then
    who got there first; members equal on best score and quizzes share a place."""
    order = sorted(totals, key=lambda m: (-totals[m].best, -totals[m].quizzes, totals[m].last, m))
    places: list[tuple[int, int]] = []
    for index, member in enumerate(order[:limit]):
        previous = order[index - 1] if index else None
        tied = previous is not None and (totals[previous].best, totals[previous].quizzes) == (
            totals[member].best,
            totals[member].quizzes,
        )
        places.append((places[-1][0] if tied else index + 1, member))
    return places


@dataclass(frozen=True)
class ItemFigures:
    """How one question fared: attempts, facility (share correct), discrimination (share
    correct in the top 27 % of members minus the bottom 27 %, by their period score)."""

    question_id: str
    attempts: int
    correct: int
    discrimination: float | None

    @property
    def facility(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


def item_figures(answers: Sequence[AnswerRow]) -> list[ItemFigures]:
    """Per-question statistics, hardest (lowest facility) first."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for answer in answers:
        totals[answer.member_id][0] += answer.correct
        totals[answer.member_id][1] += 1
    by_score = sorted(totals, key=lambda m: totals[m][0] / totals[m][1])
    group = max(1, round(len(by_score) * UPPER_LOWER_SHARE)) if len(by_score) >= 2 else 0
    lower = set(by_score[:group])
    upper = set(by_score[-group:]) if group else set()
    per_item: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for answer in answers:
        item = per_item[answer.question_id]
        item[0] += 1
        item[1] += answer.correct
        if answer.member_id in upper:
            item[2] += 1
            item[3] += answer.correct
        if answer.member_id in lower:
            item[4] += 1
            item[5] += answer.correct
    result = [
        ItemFigures(
            question_id=qid,
            attempts=n,
            correct=right,
            discrimination=(up_right / up - low_right / low) if up and low else None,
        )
        for qid, (n, right, up, up_right, low, low_right) in per_item.items()
    ]
    return sorted(result, key=lambda f: (f.facility, -f.attempts, f.question_id))


def bar(fraction: float, width: int = 10) -> str:
    """A text bar that reads on a phone: ▇▇▇▇▇▇░░░░ 62%."""
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    return f"{'▇' * filled}{'░' * (width - filled)} {round(fraction * 100)}%"

"""A quiz in progress, as stored, and what a member's tap on its keyboard means.

The session is a plain value read from storage on every tap; nothing about a quiz lives only
in memory, so a quiz survives a restart and continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.quiz.questions import Question
from bot.quiz.rules import Verdict


class SessionStatus(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class QuizSession:
    """``orders[i]`` lists the bank's option indices in the order shown for question ``i``;
    ``selection`` holds the shown positions ticked so far on a multiple-choice question."""

    id: int
    member_id: int
    chat_id: int
    status: SessionStatus
    question_ids: tuple[str, ...]
    orders: tuple[tuple[int, ...], ...]
    position: int
    selection: frozenset[int]
    message_id: int | None
    question_shown_at: datetime
    started_at: datetime
    finished_at: datetime | None
    score: int

    @property
    def total(self) -> int:
        return len(self.question_ids)

    @property
    def active(self) -> bool:
        return self.status is SessionStatus.ACTIVE

    @property
    def current_question_id(self) -> str:
        return self.question_ids[self.position]

    @property
    def current_order(self) -> tuple[int, ...]:
        return self.orders[self.position]

    def to_bank_indices(self, shown: Iterable[int]) -> frozenset[int]:
        order = self.current_order
        return frozenset(order[i] for i in shown)


class TapAction(StrEnum):
    ANSWER = "answer"
    TOGGLE = "toggle"
    SUBMIT = "submit"


@dataclass(frozen=True)
class Tap:
    """A press on a quiz keyboard: which quiz, which question, what, and which shown option."""

    session_id: int
    position: int
    action: TapAction
    option: int | None = None


class IgnoredReason(StrEnum):
    NOT_YOURS = "not_yours"
    STALE = "stale"
    INVALID = "invalid"
    NOTHING_SELECTED = "nothing_selected"


@dataclass(frozen=True)
class Ignored:
    """The tap changes nothing: forged, for another member, for an old question, or a repeat."""

    reason: IgnoredReason


@dataclass(frozen=True)
class Toggled:
    session: QuizSession
    question: Question


@dataclass(frozen=True)
class Answered:
    """An answer was recorded (committed) for ``question``; ``session`` is the state after it."""

    session: QuizSession
    question: Question
    order: tuple[int, ...]
    verdict: Verdict
    next_question: Question | None


@dataclass(frozen=True)
class Outdated:
    """The quiz refers to a question no longer in the bank; the quiz has been cancelled."""

    session: QuizSession


TapOutcome = Ignored | Toggled | Answered | Outdated


@dataclass(frozen=True)
class QuizSummary:
    score: int
    total: int
    duration: timedelta
    missed: tuple[Question, ...]


@dataclass(frozen=True)
class AnswerRecord:
    position: int
    question_id: str
    chosen: frozenset[int]
    correct: bool
    timed_out: bool
    ms_taken: int


@dataclass(frozen=True)
class MemberOverview:
    """What /me shows: recent finished quizzes and lifetime totals."""

    recent: tuple[QuizSession, ...]
    quizzes_finished: int
    answers: int
    correct: int
    seen_in_bag: int

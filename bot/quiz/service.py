"""The quiz as a member experiences it: start, tap, cancel, summary.

This is the layer handlers call. It owns the rules of play (which tap counts, when a quiz is
over) and leaves wording and keyboards to the handlers. Every decision is made from the state
in storage, never from memory, so taps after a restart, double taps and stale keyboards are
all judged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from random import Random

from bot.clock import Clock
from bot.quiz.questions import Bank, Question, QuestionType
from bot.quiz.rules import Verdict, judge
from bot.quiz.selection import Draw, draw_questions, option_order
from bot.quiz.session import (
    Answered,
    Ignored,
    IgnoredReason,
    MemberOverview,
    Outdated,
    QuizSession,
    QuizSummary,
    SessionStatus,
    Tap,
    TapAction,
    TapOutcome,
    Toggled,
)
from bot.storage.quiz import QuizStore


@dataclass(frozen=True)
class Started:
    """A quiz to show: new, or the member's unfinished one (``resumed``)."""

    session: QuizSession
    question: Question
    resumed: bool


@dataclass(frozen=True)
class Finished:
    """The quiz is over and its summary is to be shown."""

    session: QuizSession


class QuizService:
    def __init__(
        self,
        store: QuizStore,
        bank: Bank,
        clock: Clock,
        rng: Random,
        *,
        questions_per_quiz: int,
        seconds_per_question: int | None,
    ) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock
        self._rng = rng
        self._count = questions_per_quiz
        self._limit = timedelta(seconds=seconds_per_question) if seconds_per_question else None

    @property
    def bank(self) -> Bank:
        return self._bank

    def topics(self) -> list[tuple[str, list[str]]]:
        """Documents and their chapters, in bank order: what a quiz can be narrowed to."""
        found: dict[str, list[str]] = {}
        for question in self._bank.questions:
            chapters = found.setdefault(question.document, [])
            if question.chapter not in chapters:
                chapters.append(question.chapter)
        return list(found.items())

    def pool(self, document: str | None = None, chapter: str | None = None) -> list[Question]:
        return [
            q
            for q in self._bank.questions
            if (document is None or q.document == document)
            and (chapter is None or q.chapter == chapter)
        ]

    async def start(
        self,
        member_id: int,
        chat_id: int,
        document: str | None = None,
        chapter: str | None = None,
    ) -> Started | Outdated:
        """Start a quiz — across the whole bank, or narrowed to a document or a chapter — or
        hand back the one in progress so nothing is lost. A narrowed quiz draws from the
        member's bag too, but never refills it: that happens only on whole-bank quizzes."""
        current = await self._store.active_session(member_id)
        if current is not None:
            question = self._bank.by_id.get(current.current_question_id)
            if question is None:
                return await self._outdated(current)
            return Started(current, question, resumed=True)
        seen = await self._store.seen_questions(member_id)
        narrowed = document is not None or chapter is not None
        pool = self.pool(document, chapter) if narrowed else list(self._bank.questions)
        draw = draw_questions(pool, seen, self._count, self._rng)
        if narrowed:
            draw = Draw(draw.question_ids, bag_reset=False, seen=frozenset(draw.question_ids))
        orders = tuple(option_order(self._bank.by_id[qid], self._rng) for qid in draw.question_ids)
        session = await self._store.start_session(
            member_id,
            chat_id,
            draw.question_ids,
            orders,
            self._bank.version,
            self._clock.now(),
            seen=draw.seen,
            reset_bag=draw.bag_reset,
        )
        if session is None:
            # Another /quiz of the same member won the race; show that one.
            return await self.start(member_id, chat_id, document, chapter)
        return Started(session, self._bank.by_id[session.current_question_id], resumed=False)

    async def in_progress(self, member_id: int) -> QuizSession | None:
        """The member's unfinished quiz, if any (without starting one)."""
        return await self._store.active_session(member_id)

    async def question_shown(self, session: QuizSession, message_id: int) -> None:
        await self._store.set_question_message(
            session.id, session.position, message_id, self._clock.now()
        )

    async def tap(self, telegram_id: int, tap: Tap) -> TapOutcome:
        """Judge a tap by the Telegram user who made it; only their own quiz can change."""
        session = await self._store.member_session(telegram_id, tap.session_id)
        if session is None:
            return Ignored(IgnoredReason.NOT_YOURS)
        if not session.active or tap.position != session.position:
            return Ignored(IgnoredReason.STALE)
        question = self._bank.by_id.get(session.current_question_id)
        if question is None:
            return await self._outdated(session)
        shown = len(session.current_order)
        if tap.option is not None and not 0 <= tap.option < shown:
            return Ignored(IgnoredReason.INVALID)
        is_multiple = question.type is QuestionType.MULTIPLE
        if tap.action is TapAction.TOGGLE and is_multiple and tap.option is not None:
            selection = session.selection ^ {tap.option}
            if not await self._store.set_selection(session.id, session.position, selection):
                return Ignored(IgnoredReason.STALE)
            return Toggled(replace(session, selection=selection), question)
        if tap.action is TapAction.SUBMIT and is_multiple:
            if not session.selection:
                return Ignored(IgnoredReason.NOTHING_SELECTED)
            chosen = session.selection
        elif tap.action is TapAction.ANSWER and not is_multiple and tap.option is not None:
            chosen = frozenset({tap.option})
        else:
            return Ignored(IgnoredReason.INVALID)
        now = self._clock.now()
        elapsed = now - session.question_shown_at
        verdict = judge(question, session.to_bank_indices(chosen), elapsed, self._limit)
        after = await self._store.record_answer(
            session, question.id, verdict, now, max(0, int(elapsed.total_seconds() * 1000))
        )
        if after is None:
            return Ignored(IgnoredReason.STALE)
        next_question = self._bank.by_id.get(after.current_question_id) if after.active else None
        if after.active and next_question is None:
            return await self._outdated(after)
        return Answered(after, question, session.current_order, verdict, next_question)

    async def answered_again(self, telegram_id: int, tap: Tap) -> Answered | None:
        """The answer ``tap`` recorded, for a tap handled a second time (a worker died after
        recording it and before showing the result, docs/scaling.md): only while nothing has
        followed it — the next question not claimed yet — so the result is shown again and
        nothing else. None for any other tap (a real repeat is answered as before)."""
        session = await self._store.member_session(telegram_id, tap.session_id)
        if session is None or tap.position != session.position - 1:
            return None
        if session.message_id is not None or tap.action is TapAction.TOGGLE:
            return None
        record = next(
            (a for a in await self._store.answers(session.id) if a.position == tap.position),
            None,
        )
        question = self._bank.by_id.get(record.question_id) if record is not None else None
        if record is None or question is None:
            return None
        verdict = Verdict(record.chosen, record.correct, record.timed_out)
        following = self._bank.by_id.get(session.current_question_id) if session.active else None
        return Answered(session, question, session.orders[tap.position], verdict, following)

    async def tick(self, telegram_id: int, tap: Tap, ticked: bool) -> Toggled | None:
        """For a tick handled a second time: set the option as the member meant it (ticked
        or not, as read from the keyboard they tapped) instead of toggling it, which would
        take back a tick applied the first time. None when the tap no longer applies."""
        session = await self._store.member_session(telegram_id, tap.session_id)
        if session is None or not session.active or tap.position != session.position:
            return None
        question = self._bank.by_id.get(session.current_question_id)
        if question is None or question.type is not QuestionType.MULTIPLE or tap.option is None:
            return None
        if not 0 <= tap.option < len(session.current_order):
            return None
        selection = (
            session.selection | {tap.option} if ticked else session.selection - {tap.option}
        )
        if selection != session.selection and not await self._store.set_selection(
            session.id, session.position, selection
        ):
            return None
        return Toggled(replace(session, selection=selection), question)

    async def shown_again(
        self, telegram_id: int, session_id: int, position: int
    ) -> Started | None:
        """The question 下一题 claimed, for a 下一题 handled a second time (a worker died
        after the claim and before the question was recorded as shown): shown again. None
        once it was recorded, or when the quiz is over."""
        session = await self._store.member_session(telegram_id, session_id)
        if session is None or not session.active:
            return None
        if session.position != position or session.message_id != 0:
            return None
        question = self._bank.by_id.get(session.current_question_id)
        return Started(session, question, resumed=False) if question is not None else None

    async def advance(
        self, telegram_id: int, session_id: int, position: int
    ) -> Started | Finished | Ignored | Outdated:
        """下一题 tapped under the result of question ``position - 1``: the question at
        ``position`` to show, or the finished quiz's summary — for the first such tap only, so a
        double tap or an old result's button never shows a question twice."""
        session = await self._store.member_session(telegram_id, session_id)
        if session is None:
            return Ignored(IgnoredReason.NOT_YOURS)
        if session.position != position or session.status is SessionStatus.CANCELLED:
            return Ignored(IgnoredReason.INVALID)
        if not await self._store.claim_next(session.id, position):
            return Ignored(IgnoredReason.INVALID)
        if not session.active:
            return Finished(session)
        question = self._bank.by_id.get(session.current_question_id)
        if question is None:
            return await self._outdated(session)
        return Started(session, question, resumed=False)

    async def cancel(self, member_id: int) -> QuizSession | None:
        session = await self._store.active_session(member_id)
        if session is None:
            return None
        await self._store.cancel_session(session.id, self._clock.now())
        return session

    async def summary(self, session: QuizSession) -> QuizSummary:
        answers = await self._store.answers(session.id)
        missed = tuple(
            self._bank.by_id[a.question_id]
            for a in answers
            if not (a.correct and not a.timed_out) and a.question_id in self._bank.by_id
        )
        end = session.finished_at or self._clock.now()
        return QuizSummary(session.score, session.total, end - session.started_at, missed)

    async def overview(self, member_id: int) -> MemberOverview:
        return await self._store.member_overview(member_id)

    async def _outdated(self, session: QuizSession) -> Outdated:
        await self._store.cancel_session(session.id, self._clock.now())
        return Outdated(session)

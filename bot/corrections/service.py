"""答题纠错 as the handlers need it: which question a member may report, recording the report,
the open reports, closing them with a reply that goes back to the members who reported.

Who closes what is decided here: an admin or one of the bank's maintainers (``quiz.maintainers``
in config) any report, a secretary the reports of members of their branches (the same scope
as /corrections shows them)."""

from __future__ import annotations

from collections.abc import Collection

from bot.clock import Clock
from bot.corrections.models import Correction
from bot.org.access import Actor
from bot.quiz.questions import Bank
from bot.storage.corrections import CorrectionStore
from bot.storage.org import OrgStore
from bot.storage.quiz import QuizStore

MAX_TEXT = 500
"""Characters of a report kept; a report is a sentence or two, not an essay."""


class CorrectionsService:
    def __init__(
        self,
        store: CorrectionStore,
        quizzes: QuizStore,
        members: OrgStore,
        bank: Bank,
        clock: Clock,
        maintainers: Collection[int] = (),
    ) -> None:
        self._store = store
        self.maintainers = tuple(maintainers)
        """Who is told of each report, instead of the admins, when config names them."""
        self._quizzes = quizzes
        self._members = members
        self._bank = bank
        self._clock = clock

    async def question_to_report(
        self, telegram_id: int, session_id: int, position: int
    ) -> str | None:
        """The question at ``position`` of the member's own quiz ``session_id``, if they have
        answered it; None for anyone else's quiz or a question not reached yet."""
        session = await self._quizzes.member_session(telegram_id, session_id)
        if session is None or not 0 <= position < min(session.position, session.total):
            return None
        return session.question_ids[position]

    async def report(self, telegram_id: int, question_id: str, text: str) -> bool:
        """Record what the member says is wrong with the question; False if they are not a
        member (they never wrote to the bot)."""
        member_id = await self._members.member_id(telegram_id)
        if member_id is None:
            return False
        await self._store.add_correction(
            question_id, self._bank.version, member_id, text.strip()[:MAX_TEXT], self._clock.now()
        )
        return True

    async def open_reports(self, branches: Collection[str] | None) -> list[Correction]:
        """Open reports by members of ``branches`` (None: everyone's, for admins)."""
        return await self._store.open_corrections(branches)

    def scope_of(self, actor: Actor) -> frozenset[str] | None:
        """The branches whose reports ``actor`` may read and close; None: every branch."""
        if actor.admin or actor.telegram_id in self.maintainers:
            return None
        return actor.scope

    async def may_close(self, actor: Actor, question_id: str) -> bool:
        """Whether ``actor`` has, now, an open report on ``question_id`` to close."""
        reports = await self._store.open_corrections(self.scope_of(actor))
        return any(report.question_id == question_id for report in reports)

    async def close(self, actor: Actor, question_id: str, reply: str) -> list[int]:
        """Close the open reports on a question that ``actor`` may close, with ``reply``; the
        Telegram ids of the members to send the reply to."""
        return await self._store.close_corrections(
            question_id,
            self.scope_of(actor),
            actor.telegram_id,
            reply.strip()[:MAX_TEXT],
            self._clock.now(),
        )

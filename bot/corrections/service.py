"""答题纠错 as the handlers need it: which question a member may report, recording the report,
the open reports, closing them."""

from __future__ import annotations

from collections.abc import Collection

from bot.clock import Clock
from bot.corrections.models import Correction
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
    ) -> None:
        self._store = store
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

    async def close(self, question_id: str, by: int) -> int:
        """Mark every open report of a question handled; the number closed."""
        return await self._store.close_corrections(question_id, by, self._clock.now())

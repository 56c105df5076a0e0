"""Statistics as the handlers and the report command ask for them: a branch's report, a
ranking, the hardest questions, a member's own standing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n import Texts
from bot.org.members import Member
from bot.org.tree import OrgTree, Unit
from bot.quiz.questions import Question
from bot.stats.figures import (
    AnswerDetail,
    BranchFigures,
    ItemFigures,
    MemberTotals,
    QuizRow,
    combine,
    item_figures,
    leaders,
    rank_of,
    ranked,
)
from bot.stats.ledger import Ledger, LedgerData
from bot.stats.periods import Period
from bot.storage import Storage
from bot.storage.attendance import AttendanceStore
from bot.storage.org import OrgStore
from bot.storage.stats import StatsStore

LEDGER_BATCH = 500
"""Answers held in memory at once while a ledger is written."""

MEDIAN_BRANCH_LIMIT = 500
"""Above this many branches a ledger's summary leaves medians out: they need every quiz row."""


@dataclass(frozen=True)
class BranchReport:
    period: Period
    branch: Unit
    figures: BranchFigures
    previous: BranchFigures
    place: int
    out_of: int
    parent: Unit | None
    not_participated: list[Member]


@dataclass(frozen=True)
class Leaderboard:
    """A branch's 学习榜, shown only where the branch has switched it on: the members who
    studied, best first; those who did not are counted, never named."""

    period: Period
    branch: Unit
    leaders: list[tuple[int, Member, MemberTotals]]
    participants: int
    members: int


@dataclass(frozen=True)
class Standing:
    """A member's own month: what /me shows them, and nothing about anyone else by name."""

    quizzes: int
    best: float | None
    place: int | None
    out_of: int


class StatsService:
    def __init__(
        self,
        store: StatsStore,
        members: OrgStore,
        attendance: AttendanceStore,
        tree: OrgTree,
        zone: ZoneInfo,
    ) -> None:
        self._store = store
        self._members = members
        self._attendance = attendance
        self._tree = tree
        self._zone = zone

    @classmethod
    async def reading(cls, storage: Storage, zone: ZoneInfo) -> StatsService:
        """A service over an open database, with the tree as stored (for the report worker
        and the command line, which run without the bot's configuration)."""
        tree = OrgTree(tuple(await storage.org.units()))
        return cls(storage.stats, storage.org, storage.attendance, tree, zone)

    @property
    def tree(self) -> OrgTree:
        return self._tree

    async def figures(
        self, branch_ids: Collection[str] | None, period: Period, *, medians: bool = False
    ) -> list[BranchFigures]:
        """Figures for each branch (branches without members included; ``None``: all
        branches that have members or quizzes). Medians need every quiz row, so they are
        computed only when asked for — a ranking of a whole city does without. The database
        aggregates; putting the figures together runs in a worker thread, because for a city
        it is thousands of objects that would otherwise hold up quiz taps."""
        if branch_ids is not None and not branch_ids:
            return []
        start, end = period.bounds(self._zone)
        counts = await self._store.member_counts(branch_ids)
        totals = await self._store.branch_totals(branch_ids, start, end)
        quizzes: dict[str, list[QuizRow]] | None = None
        if medians and branch_ids is not None:
            quizzes = defaultdict(list)
            for row in await self._store.finished_quizzes(branch_ids, start, end):
                quizzes[row.branch_id or ""].append(row)
        attendance = await self._attendance.theme_day_attendance(branch_ids, start, end)
        ids = list(branch_ids) if branch_ids is not None else sorted(set(counts) | set(totals))
        return await asyncio.to_thread(combine, ids, counts, totals, attendance, quizzes)

    async def branch_report(self, branch_id: str, period: Period) -> BranchReport:
        siblings = self._tree.siblings(branch_id)
        current = await self.figures(siblings, period)
        (mine,) = await self.figures([branch_id], period, medians=True)
        (previous,) = await self.figures([branch_id], period.previous(), medians=True)
        place, out_of = rank_of(branch_id, current)
        start, end = period.bounds(self._zone)
        took_part = {
            row.member_id for row in await self._store.finished_quizzes([branch_id], start, end)
        }
        members = await self._members.members_in([branch_id])
        unit = self._tree.by_id[branch_id]
        return BranchReport(
            period=period,
            branch=unit,
            figures=mine,
            previous=previous,
            place=place,
            out_of=out_of,
            parent=self._tree.by_id.get(unit.parent) if unit.parent else None,
            not_participated=[m for m in members if m.id not in took_part],
        )

    async def ranking(self, unit_id: str, period: Period) -> list[BranchFigures]:
        """Every 党支部 under ``unit_id``, best first. For the root of the whole tree the
        database aggregates all branches at once instead of naming thousands of ids."""
        branches = self._tree.branches_under([unit_id])
        if len(branches) == len(self._tree.branches):
            everything = await self.figures(None, period)
            known = [f for f in everything if f.branch_id in branches]
            missing = branches - {f.branch_id for f in known}
            return await asyncio.to_thread(
                ranked, known + await self.figures(sorted(missing), period)
            )
        return await asyncio.to_thread(ranked, await self.figures(sorted(branches), period))

    async def hardest(self, branch_ids: Collection[str], period: Period) -> list[ItemFigures]:
        start, end = period.bounds(self._zone)
        rows = await self._store.answer_rows(branch_ids, start, end)
        return await asyncio.to_thread(item_figures, rows)

    async def ledger(
        self,
        unit_id: str,
        period: Period,
        questions: Mapping[str, Question],
        texts: Texts,
    ) -> bytes:
        """The Excel 台账 of every branch at or below ``unit_id`` for the period, answers
        streamed from the database a batch at a time. Writing the workbook is CPU work that
        holds up this event loop: the bot runs it in ``ReportProcess``, the report command
        where nothing else waits."""
        branches = sorted(self._tree.branches_under([unit_id]))
        start, end = period.bounds(self._zone)
        medians = len(branches) <= MEDIAN_BRANCH_LIMIT
        data = LedgerData(
            title=self._tree.by_id[unit_id].name,
            texts=texts,
            period=period,
            tree=self._tree,
            figures=await self.figures(branches, period, medians=medians),
            members=await self._members.members_in(branches),
            member_totals=await self._store.member_totals(branches, start, end),
            items=await self.hardest(branches, period),
            questions=questions,
            zone=self._zone,
        )
        ledger = Ledger(data)
        batch: list[AnswerDetail] = []
        async for answer in self._store.answer_details(branches, start, end):
            batch.append(answer)
            if len(batch) >= LEDGER_BATCH:
                ledger.add_answers(batch)
                batch = []
        ledger.add_answers(batch)
        return ledger.finish()

    async def leaderboard(self, branch_id: str, period: Period, limit: int) -> Leaderboard:
        start, end = period.bounds(self._zone)
        totals = await self._store.member_totals([branch_id], start, end)
        members = {m.id: m for m in await self._members.members_in([branch_id])}
        board = []
        for place, member_id in leaders(totals, limit):
            # One who has since moved on still counts where they studied, by name too; only
            # the few on the board are looked up.
            member = members.get(member_id) or await self._members.member_by_id(member_id)
            if member is not None:
                board.append((place, member, totals[member_id]))
        return Leaderboard(
            period=period,
            branch=self._tree.by_id[branch_id],
            leaders=board,
            participants=len(totals),
            members=len(members),
        )

    async def standing(self, member: Member, period: Period) -> Standing:
        if member.branch_id is None:
            return Standing(0, None, None, 0)
        start, end = period.bounds(self._zone)
        rows = await self._store.finished_quizzes([member.branch_id], start, end)
        best: dict[int, float] = {}
        for row in rows:
            best[row.member_id] = max(best.get(row.member_id, 0.0), row.percent)
        mine = [row for row in rows if row.member_id == member.id]
        if member.id not in best:
            return Standing(0, None, None, len(best))
        place = 1 + sum(1 for score in best.values() if score > best[member.id])
        return Standing(len(mine), best[member.id], place, len(best))

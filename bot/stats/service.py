"""Statistics as the handlers and the report command ask for them: a branch's report, a
ranking, the hardest questions, a member's own standing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import Texts
from bot.meetings.quota import QUOTA_KINDS
from bot.org.members import Member
from bot.org.tree import Level, OrgTree, Unit
from bot.quiz.questions import Question
from bot.stats.figures import (
    AnswerDetail,
    BranchFigures,
    Enrolment,
    ItemFigures,
    MemberTotals,
    QuizRow,
    aggregate,
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
class Window:
    """What a report covers: quizzes finished in [start, end), and the members in each unit
    at ``at`` — the period's end, or the moment of the report for a period under way."""

    start: datetime
    end: datetime
    at: datetime
    same_time: bool = False
    """The previous period cut at the same point as the period under way (1–5 November
    against 1–5 December), so the comparison is like for like."""

    @property
    def days(self) -> int:
        """Whole days covered, for saying how far a cut-short period goes."""
        return max(1, round((self.end - self.start).total_seconds() / 86400))


@dataclass(frozen=True)
class UnitReport:
    """What /stats shows for a unit: a 党支部 with its members who have not studied, or a
    党总支/党委 with its subtree's figures and its child units ranked."""

    period: Period
    unit: Unit
    figures: BranchFigures
    previous: BranchFigures
    place: int | None
    """Among the sibling branches that studied in the period, for a 党支部; None when it
    has no quiz in the period (未参学) or is not a 党支部."""
    out_of: int
    parent: Unit | None
    children: list[BranchFigures]
    """Each child unit's figures (its whole subtree), best first; empty for a 党支部."""
    previous_window: Window
    not_participated: list[Member]
    names: Mapping[str, str]
    """The child units' names."""


@dataclass(frozen=True)
class MemberRecord:
    """One member's period for their secretary (/member): each quiz, and the questions they
    got wrong, most often first."""

    member: Member
    period: Period
    quizzes: list[QuizRow]
    missed: list[tuple[str, int]]


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
        clock: Clock,
        min_attempts: int = 5,
    ) -> None:
        self._store = store
        self._members = members
        self._attendance = attendance
        self._tree = tree
        self._zone = zone
        self._clock = clock
        self.min_attempts = min_attempts
        """Answers a question needs in a period before it is ranked or its 区分度 shown."""

    @classmethod
    async def reading(
        cls, storage: Storage, zone: ZoneInfo, clock: Clock, min_attempts: int = 5
    ) -> StatsService:
        """A service over an open database, with the tree as stored (for the report worker
        and the command line, which run without the bot's configuration)."""
        tree = OrgTree(tuple(await storage.org.units()))
        return cls(storage.stats, storage.org, storage.attendance, tree, zone, clock, min_attempts)

    @property
    def tree(self) -> OrgTree:
        return self._tree

    def window(self, period: Period) -> Window:
        """The period up to now: members are counted at its end, or now while it lasts."""
        start, end = period.bounds(self._zone)
        return Window(start, end, min(end, self._clock.now()))

    def previous_window(self, period: Period) -> Window:
        """The period before, whole when ``period`` is over; while it is under way, cut at
        the same distance from its start (never beyond its own end)."""
        now = self.window(period)
        before = self.window(period.previous())
        if now.at >= now.end or now.at <= now.start:
            return before
        cut = min(before.end, before.start + (now.at - now.start))
        return Window(before.start, cut, cut, same_time=True)

    async def figures(
        self, branch_ids: Collection[str] | None, window: Window, *, medians: bool = False
    ) -> list[BranchFigures]:
        """Figures for each branch (branches without members included; ``None``: all
        branches that have members or quizzes). Medians need every quiz row, so they are
        computed only when asked for — a ranking of a whole city does without. The database
        aggregates; putting the figures together runs in a worker thread, because for a city
        it is thousands of objects that would otherwise hold up quiz taps."""
        if branch_ids is not None and not branch_ids:
            return []
        start, end = window.start, window.end
        counts = await self._store.member_counts(branch_ids, window.at, start, end)
        totals = await self._store.branch_totals(branch_ids, start, end)
        quizzes: dict[str, list[QuizRow]] | None = None
        if medians and branch_ids is not None:
            quizzes = defaultdict(list)
            for row in await self._store.finished_quizzes(branch_ids, start, end):
                quizzes[row.branch_id or ""].append(row)
        # Theme days held so far: one later in a period that is under way has not happened.
        attendance = await self._attendance.theme_day_attendance(branch_ids, start, window.at)
        ids = list(branch_ids) if branch_ids is not None else sorted(set(counts) | set(totals))
        return await asyncio.to_thread(combine, ids, counts, totals, attendance, quizzes)

    async def report(self, unit_id: str, period: Period) -> UnitReport:
        tree = self._tree
        window, before = self.window(period), self.previous_window(period)
        unit = tree.by_id[unit_id]
        parent = tree.by_id.get(unit.parent) if unit.parent else None
        if unit.level is not Level.BRANCH:
            branches = sorted(tree.branches_under([unit_id]))
            current = await self.figures(branches, window)
            previous = await self.figures(branches, before)
            children = await asyncio.to_thread(_children, tree, unit_id, current)
            return UnitReport(
                period=period,
                unit=unit,
                figures=aggregate(unit_id, current),
                previous=aggregate(unit_id, previous),
                place=None,
                out_of=0,
                parent=parent,
                children=children,
                previous_window=before,
                not_participated=[],
                names={c: tree.by_id[c].name for c in tree.children.get(unit_id, ())},
            )
        siblings = await self.figures(tree.siblings(unit_id), window)
        (mine,) = await self.figures([unit_id], window, medians=True)
        (last,) = await self.figures([unit_id], before, medians=True)
        place, out_of = rank_of(unit_id, siblings)
        members = await self.enrolments([unit_id], window)
        return UnitReport(
            period=period,
            unit=unit,
            figures=mine,
            previous=last,
            place=place,
            out_of=out_of,
            parent=parent,
            children=[],
            previous_window=before,
            not_participated=[e.member for e in members if not e.studied],
            names={},
        )

    async def enrolments(
        self, branch_ids: Collection[str] | None, window: Window, name: str | None = None
    ) -> list[Enrolment]:
        """The members of these branches (``None``: all) as the window counts them; with
        ``name``, those whose name begins with it."""
        return await self._store.members_at(branch_ids, window.at, window.start, window.end, name)

    async def members(
        self, branch_ids: Collection[str] | None, name: str | None = None
    ) -> list[Enrolment]:
        """The members now (/members), with when they joined and were last active."""
        now = self._clock.now()
        return await self.enrolments(branch_ids, Window(now, now, now), name)

    async def ranking(self, unit_id: str, period: Period) -> list[BranchFigures]:
        """Every 党支部 under ``unit_id``, best first. For the root of the whole tree the
        database aggregates all branches at once instead of naming thousands of ids."""
        tree = self._tree
        window = self.window(period)
        branches = tree.branches_under([unit_id])
        if len(branches) == len(tree.branches):
            everything = await self.figures(None, window)
            known = [f for f in everything if f.branch_id in branches]
            missing = branches - {f.branch_id for f in known}
            return await asyncio.to_thread(
                ranked, known + await self.figures(sorted(missing), window)
            )
        return await asyncio.to_thread(ranked, await self.figures(sorted(branches), window))

    async def member_record(self, member: Member, period: Period) -> MemberRecord:
        window = self.window(period)
        quizzes = await self._store.member_quizzes(member.id, window.start, window.end)
        missed = await self._store.member_missed(member.id, window.start, window.end)
        return MemberRecord(member, period, quizzes, missed)

    async def hardest_in(self, unit_id: str, period: Period) -> list[ItemFigures]:
        """The hardest questions of every branch at or below ``unit_id``, among those
        answered at least ``min_attempts`` times (a question answered once is not hard)."""
        tree = self._tree
        items = await self.hardest(sorted(tree.branches_under([unit_id])), period)
        return [item for item in items if item.attempts >= self.min_attempts]

    async def hardest(self, branch_ids: Collection[str], period: Period) -> list[ItemFigures]:
        window = self.window(period)
        rows = await self._store.answer_rows(branch_ids, window.start, window.end)
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
        window = self.window(period)
        start, end = window.start, window.end
        medians = len(branches) <= MEDIAN_BRANCH_LIMIT
        figures = await self.figures(branches, window, medians=medians)
        members = await self.enrolments(branches, window)
        totals = await self._store.member_totals(branches, start, end)
        names = {e.member.id: e.member.name for e in members}
        names |= await self._store.names_of(set(totals) - set(names))
        options: dict[str, dict[frozenset[int], int]] = defaultdict(dict)
        for question, chosen, count in await self._store.option_choices(branches, start, end):
            options[question][chosen] = count
        last_day = (min(window.at, end) - timedelta(microseconds=1)).astimezone(self._zone)
        days = texts.ledger_days.format(
            start=f"{start.astimezone(self._zone):%Y-%m-%d}", end=f"{last_day:%Y-%m-%d}"
        )
        data = LedgerData(
            unit_name=self._tree.by_id[unit_id].name,
            period=period,
            texts=texts,
            period_range=days if window.at >= end else texts.ledger_days_open.format(days=days),
            tree=self._tree,
            figures=figures,
            total=aggregate(unit_id, figures),
            members=members,
            member_totals=totals,
            names=names,
            items=await self.hardest(branches, period),
            options=options,
            questions=questions,
            zone=self._zone,
            made_on=self._clock.now().astimezone(self._zone).date(),
            min_attempts=self.min_attempts,
            meetings=await self._attendance.held(
                branches, QUOTA_KINDS, start, min(end, self._clock.now())
            ),
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


def _children(tree: OrgTree, unit_id: str, figures: list[BranchFigures]) -> list[BranchFigures]:
    """Each child unit of ``unit_id`` with its subtree's figures, best first."""
    by_branch = {f.branch_id: f for f in figures}
    return ranked(
        aggregate(child, [by_branch[b] for b in tree.branches_under([child]) if b in by_branch])
        for child in tree.children.get(unit_id, ())
    )

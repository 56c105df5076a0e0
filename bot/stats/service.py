"""Statistics as the handlers and the report command ask for them: a branch's report, a
ranking, the hardest questions, a member's own standing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.org.members import Member
from bot.org.tree import OrgTree, Unit
from bot.stats.figures import (
    BranchFigures,
    ItemFigures,
    QuizRow,
    branch_figures,
    item_figures,
    rank_of,
    ranked,
)
from bot.stats.periods import Period
from bot.storage import Storage


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
class Standing:
    """A member's own month: what /me shows them, and nothing about anyone else by name."""

    quizzes: int
    best: float | None
    place: int | None
    out_of: int


class StatsService:
    def __init__(self, storage: Storage, zone: ZoneInfo) -> None:
        self._storage = storage
        self._zone = zone

    async def figures(self, branch_ids: Collection[str], period: Period) -> list[BranchFigures]:
        """Figures for each of ``branch_ids`` (branches without members included)."""
        if not branch_ids:
            return []
        start, end = period.bounds(self._zone)
        counts = await self._storage.member_counts(branch_ids)
        quizzes: dict[str | None, list[QuizRow]] = defaultdict(list)
        for row in await self._storage.finished_quizzes(branch_ids, start, end):
            quizzes[row.branch_id].append(row)
        return [
            branch_figures(
                branch_id,
                counts.get(branch_id, (0, 0))[0],
                quizzes.get(branch_id, []),
                counts.get(branch_id, (0, 0))[1],
            )
            for branch_id in branch_ids
        ]

    async def branch_report(self, tree: OrgTree, branch_id: str, period: Period) -> BranchReport:
        siblings = tree.siblings(branch_id)
        current = await self.figures(siblings, period)
        mine = next(f for f in current if f.branch_id == branch_id)
        (previous,) = await self.figures([branch_id], period.previous())
        place, out_of = rank_of(branch_id, current)
        start, end = period.bounds(self._zone)
        took_part = {
            row.member_id for row in await self._storage.finished_quizzes([branch_id], start, end)
        }
        members = await self._storage.members_in([branch_id])
        unit = tree.by_id[branch_id]
        return BranchReport(
            period=period,
            branch=unit,
            figures=mine,
            previous=previous,
            place=place,
            out_of=out_of,
            parent=tree.by_id.get(unit.parent) if unit.parent else None,
            not_participated=[m for m in members if m.id not in took_part],
        )

    async def ranking(self, tree: OrgTree, unit_id: str, period: Period) -> list[BranchFigures]:
        """Every 党支部 under ``unit_id``, best first."""
        return ranked(await self.figures(sorted(tree.branches_under([unit_id])), period))

    async def hardest(self, branch_ids: Collection[str], period: Period) -> list[ItemFigures]:
        start, end = period.bounds(self._zone)
        return item_figures(await self._storage.answer_rows(branch_ids, start, end))

    async def standing(self, member: Member, period: Period) -> Standing:
        if member.branch_id is None:
            return Standing(0, None, None, 0)
        start, end = period.bounds(self._zone)
        rows = await self._storage.finished_quizzes([member.branch_id], start, end)
        best: dict[int, float] = {}
        for row in rows:
            best[row.member_id] = max(best.get(row.member_id, 0.0), row.percent)
        mine = [row for row in rows if row.member_id == member.id]
        if member.id not in best:
            return Standing(0, None, None, len(best))
        place = 1 + sum(1 for score in best.values() if score > best[member.id])
        return Standing(len(mine), best[member.id], place, len(best))

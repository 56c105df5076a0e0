"""The organisation tree: 党委 → 党总支 → 党支部, as configured, checked as a whole.

Units are identified by stable ids chosen by the organisation (``zb-001``); names, kinds and
parents may change between restarts without losing history, because everything recorded points
at the id. Members belong to 党支部 only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Level(StrEnum):
    COMMITTEE = "党委"
    GENERAL_BRANCH = "党总支"
    BRANCH = "党支部"


class Kind(StrEnum):
    ORGAN = "机关"
    VILLAGE = "村"
    ENTERPRISE = "企业"
    SCHOOL = "学校"
    COMMUNITY = "社区"
    OTHER = "其他"


LEVEL_RANK = {Level.COMMITTEE: 0, Level.GENERAL_BRANCH: 1, Level.BRANCH: 2}


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    level: Level
    kind: Kind = Kind.OTHER
    parent: str | None = None
    leaderboard: bool = False
    """A branch may switch on a leaderboard in its group chat; off by default."""


@dataclass(frozen=True)
class OrgTree:
    """All units, with fast parent/children look-ups."""

    units: tuple[Unit, ...]
    by_id: Mapping[str, Unit] = field(init=False, repr=False, compare=False)
    children: Mapping[str | None, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({u.id: u for u in self.units}))
        children: dict[str | None, list[str]] = {}
        for unit in self.units:
            children.setdefault(unit.parent, []).append(unit.id)
        object.__setattr__(
            self, "children", MappingProxyType({k: tuple(v) for k, v in children.items()})
        )

    def descendants(self, unit_id: str) -> list[str]:
        """The unit and everything below it, parents before children."""
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.children.get(current, ())))
        return found

    def branches_under(self, unit_ids: Iterable[str]) -> frozenset[str]:
        """Every 党支部 at or below any of ``unit_ids``."""
        return frozenset(
            uid
            for root in unit_ids
            if root in self.by_id
            for uid in self.descendants(root)
            if self.by_id[uid].level is Level.BRANCH
        )

    def siblings(self, unit_id: str) -> list[str]:
        """Units sharing the parent of ``unit_id`` (itself included), same level only."""
        unit = self.by_id[unit_id]
        return [
            uid
            for uid in self.children.get(unit.parent, ())
            if self.by_id[uid].level is unit.level
        ]

    def path(self, unit_id: str) -> list[Unit]:
        """From the root down to the unit."""
        chain = []
        current: str | None = unit_id
        while current is not None:
            unit = self.by_id[current]
            chain.append(unit)
            current = unit.parent
        return list(reversed(chain))

    @property
    def branches(self) -> list[Unit]:
        return [u for u in self.units if u.level is Level.BRANCH]


def tree_problems(units: Iterable[Unit]) -> list[tuple[int, str]]:
    """What is wrong with a list of units, as (index, message): duplicate ids, unknown or
    lower-level parents, cycles, a leaderboard above a branch. An empty list means the tree
    is sound."""
    units = list(units)
    problems: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    for index, unit in enumerate(units):
        if unit.id in first:
            problems.append(
                (index, f'id "{unit.id}" is already used (entry {first[unit.id] + 1})')
            )
        else:
            first[unit.id] = index
        if unit.leaderboard and unit.level is not Level.BRANCH:
            problems.append((index, f"a leaderboard is for a 党支部, not a {unit.level.value}"))
    by_id = {u.id: u for u in units}
    for index, unit in enumerate(units):
        if unit.parent is None:
            continue
        parent = by_id.get(unit.parent)
        if parent is None:
            problems.append((index, f'parent "{unit.parent}" is not a unit'))
        elif LEVEL_RANK[parent.level] >= LEVEL_RANK[unit.level] and not (
            parent.level is Level.COMMITTEE and unit.level is Level.COMMITTEE
        ):
            problems.append(
                (index, f"a {unit.level.value} cannot sit under a {parent.level.value}")
            )
    for index, unit in enumerate(units):
        seen = {unit.id}
        current = by_id.get(unit.parent) if unit.parent else None
        while current is not None:
            if current.id in seen:
                problems.append((index, f'"{unit.id}" is its own ancestor'))
                break
            seen.add(current.id)
            current = by_id.get(current.parent) if current.parent else None
    return problems


@dataclass(frozen=True)
class UnitChanges:
    """What applying an organisation file changed, for the operator to read."""

    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.renamed or self.moved or self.removed)


class UnitInUseError(Exception):
    """A unit that still has members (or bound group chats) cannot be removed."""

    def __init__(self, in_use: dict[str, int]) -> None:
        self.in_use = in_use
        listed = ", ".join(f"{uid} ({count} members)" for uid, count in sorted(in_use.items()))
        super().__init__(f"cannot remove units that still have members: {listed}")

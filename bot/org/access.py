"""Who may see what: roles and scope, decided here and nowhere else.

A member sees their own data; a branch secretary their branch; the secretary of a 党总支 or
党委 every branch below it; an admin everything. Handlers never check roles themselves: the
command registry asks ``allowed`` before a command runs, and commands that name a branch ask
``can_see`` through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from bot.org.members import Member
from bot.org.tree import Level, OrgTree

ADMIN_UNIT = "*"
"""The unit id under which an admin grant is stored."""


class Role(IntEnum):
    MEMBER = 0
    SECRETARY = 1
    GENERAL_SECRETARY = 2
    ADMIN = 3


@dataclass(frozen=True)
class Actor:
    """The person behind an update, with every role they hold."""

    telegram_id: int
    member: Member | None
    admin: bool
    secretary_of: frozenset[str]
    tree: OrgTree

    @property
    def role(self) -> Role:
        if self.admin:
            return Role.ADMIN
        levels = {self.tree.by_id[u].level for u in self.secretary_of if u in self.tree.by_id}
        if levels - {Level.BRANCH}:
            return Role.GENERAL_SECRETARY
        return Role.SECRETARY if levels else Role.MEMBER

    @property
    def scope(self) -> frozenset[str]:
        """The branches whose data this person may see (their own branch is not included:
        a member sees only their own record)."""
        if self.admin:
            return frozenset(u.id for u in self.tree.branches)
        return self.tree.branches_under(self.secretary_of)

    def can_see(self, branch_id: str) -> bool:
        return branch_id in self.scope

    def allowed(self, needed: Role) -> bool:
        return self.role >= needed

    @property
    def home_units(self) -> list[str]:
        """The units this person answers for, highest first: what a report defaults to."""
        if self.admin:
            return [u.id for u in self.tree.units if u.parent is None]
        units = [u for u in self.secretary_of if u in self.tree.by_id]
        return sorted(units, key=lambda u: (len(self.tree.path(u)), u))


def actor_for(
    telegram_id: int,
    member: Member | None,
    tree: OrgTree,
    config_admins: frozenset[int],
    config_secretaries: dict[int, frozenset[str]],
    grants: list[tuple[int, str]],
) -> Actor:
    granted = {unit for tid, unit in grants if tid == telegram_id}
    admin = telegram_id in config_admins or ADMIN_UNIT in granted
    units = (config_secretaries.get(telegram_id, frozenset()) | granted) - {ADMIN_UNIT}
    return Actor(telegram_id, member, admin, frozenset(units), tree)

"""The ``organisation`` section of config.yaml: units, secretaries and admins.

The tree may be written inline under ``units`` or kept in a separate file named by ``file``
(YAML, CSV or XLSX, see ``bot/org/importer.py``); ``python -m bot org import FILE`` applies
such a file to the database at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from bot.org.tree import Kind, Level, Unit

UnitId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class UnitSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UnitId
    name: Name
    level: Level
    kind: Kind = Kind.OTHER
    parent: UnitId | None = None
    secretaries: tuple[int, ...] = ()
    leaderboard: bool = False
    join_approval: bool | None = None
    """Whether the secretary approves each join; None: as ``organisation.join_approval``."""

    def unit(self) -> Unit:
        return Unit(self.id, self.name, self.level, self.kind, self.parent, self.leaderboard)


class OrganisationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    units: tuple[UnitSettings, ...] = ()
    file: Path | None = None
    admins: tuple[int, ...] = ()
    join_approval: bool = True
    """A secretary approves each join with one tap (a branch may turn it off)."""

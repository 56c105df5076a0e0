"""A member as the organisation sees them: who, which branch, reachable or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Departure(StrEnum):
    """Why a member left the organisation the bot serves (not a move between its branches):
    their membership ends on a date and its history is kept."""

    EXPELLED = "expelled"
    """出党 (expelled, or removed from the Party)."""
    DIED = "died"
    """去世."""
    MOVED_OUT = "moved_out"
    """转出本系统: the organisational relationship moved to a unit outside this bot."""


@dataclass(frozen=True)
class Member:
    id: int
    telegram_id: int | None
    first_name: str
    real_name: str | None
    branch_id: str | None
    party_joined_on: date | None
    unreachable_since: datetime | None

    @property
    def name(self) -> str:
        """The real name (姓名) when known, else the Telegram name (never empty from Telegram;
        the member number stands in for a row imported without one)."""
        return self.real_name or self.first_name or f"#{self.id}"

    @property
    def reachable(self) -> bool:
        """Whether the bot can write to them: they opened the bot and have not blocked it."""
        return self.telegram_id is not None and self.unreachable_since is None


@dataclass(frozen=True)
class Invite:
    code: str
    branch_id: str
    created_by: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class RosterEntry:
    real_name: str
    branch_id: str
    party_joined_on: date | None = None

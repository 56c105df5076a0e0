"""Who may join a branch, and under what name: the checks of a guarded way in.

Plain Python (no Telegram): a real name is checked here, an invite's default lifetime is
declared here, and a request — to join, or to have one's name corrected — is a value the
secretary decides on with one tap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

INVITE_DAYS = 7
"""How long an invite link works when the secretary does not say otherwise."""

MAX_INVITE_DAYS = 365

NAME_MIN, NAME_MAX = 2, 20
"""A real name is 2 to 20 characters, the middle dot and spaces counted."""

MAX_NAME_INPUT = 100
"""Typed input longer than this is not looked at (it cannot be a name)."""

_DOTS = "·•‧・･"
"""Middle dots people type in minority names (阿依古丽·买买提); all are stored as ``·``."""

_HAN = f"{chr(0x3400)}-{chr(0x4DBF)}{chr(0x4E00)}-{chr(0x9FFF)}"
"""CJK Unified Ideographs and Extension A (rare characters in names)."""
_PART = rf"(?:[{_HAN}]+|[A-Za-z]+(?: [A-Za-z]+)*)"
_NAME = re.compile(rf"{_PART}(?:·{_PART})*")
"""Han characters or Latin letters (Latin words one space apart), parts joined by ``·``."""


def real_name(text: str) -> str | None:
    """The name in ``text`` as it is stored (spaces tidied, one kind of middle dot), or None
    when it is not a plausible real name."""
    if len(text) > MAX_NAME_INPUT:
        return None
    name = unicodedata.normalize("NFKC", text)
    for dot in _DOTS:
        name = name.replace(dot, "·")
    name = " ".join(name.split())
    # Spaces around a middle dot or next to a Han character are typing, not part of the name.
    name = re.sub(rf" ?· ?|(?<=[{_HAN}]) | (?=[{_HAN}])", lambda m: m[0].strip(), name)
    if not NAME_MIN <= len(name) <= NAME_MAX or _NAME.fullmatch(name) is None:
        return None
    return name


class RequestKind(StrEnum):
    JOIN = "join"
    """Join a branch through an invite link."""
    RENAME = "rename"
    """Correct one's registered real name."""


@dataclass(frozen=True)
class JoinRequest:
    """A request waiting for (or given) the secretary's decision."""

    id: int
    kind: RequestKind
    telegram_id: int
    branch_id: str
    name: str
    old_name: str | None
    invite_code: str | None
    created_at: datetime
    approved: bool | None
    """None while undecided."""


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DECIDED = "decided"
    """Someone already decided it (a second tap, or another secretary)."""
    GONE = "gone"
    """No such request, or the invite behind it no longer works."""
    OUT_OF_SCOPE = "out_of_scope"
    """The request is for a branch the tapper does not answer for (now)."""

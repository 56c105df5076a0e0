"""A pending input as stored: a plain value returned by the conversations store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PendingInput:
    """What a person is in the middle of typing, as stored: its kind, payload and start."""

    kind: str
    payload: dict[str, Any]
    created_at: datetime

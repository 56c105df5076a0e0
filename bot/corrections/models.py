"""A correction report as stored: a plain value returned by the corrections store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Correction:
    """A member's report that a question is wrong (答题纠错), kept with the bank version."""

    id: int
    question_id: str
    bank_version: str
    text: str
    created_at: datetime
    reporter: str

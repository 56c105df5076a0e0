"""Attendance as stored: one member's reply and sign-in for one event. Plain values, returned
by the attendance store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    member_id: int
    reply: str | None
    reason: str | None
    present: bool
    signed_kind: str | None

"""The values of the inbox, and which partition a chat's updates go to."""

from __future__ import annotations

from dataclasses import dataclass

PARTITIONS = 64
"""Chats are hashed into this many partitions; each is handled by one worker at a time.
Fixed for a deployment: the receiver and every worker must agree (change it only with the
inbox empty). 64 spreads evenly over up to a few dozen workers."""


@dataclass(frozen=True)
class Received:
    """An update as the receiver stores it."""

    update_id: int
    part: int
    chat_key: int | None
    payload: str


@dataclass(frozen=True)
class Pending:
    """A stored update not yet handled."""

    id: int
    part: int
    chat_key: int | None
    payload: str
    received_at: int = 0
    """UTC milliseconds."""


def partition(key: int | None, partitions: int = PARTITIONS) -> int:
    """The partition of a chat (or user) id; updates without one go to partition 0."""
    return 0 if key is None else key % partitions

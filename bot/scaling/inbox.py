"""The values of the inbox, and which partition a chat's updates go to."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from telegram import Update

from bot.transport import chat_key

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


def received(update: Update, data: Mapping[str, object]) -> Received:
    """``update`` (parsed from ``data``, its JSON) ready for the inbox."""
    key = chat_key(update)
    return Received(
        update.update_id,
        partition(key),
        key,
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    )

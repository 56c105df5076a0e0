"""Durable state: the one place that talks SQL."""

from bot.storage.store import Storage

__all__ = ["Storage"]

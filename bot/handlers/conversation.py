"""Conversation states: what a person is in the middle of typing (a broadcast's text, a reason
for leave, a correction), declared as typed values next to the handlers that consume them.

A state is a frozen dataclass subclassing ``State`` with a ``kind`` under which it is stored;
its fields are its payload, checked strictly when read back (a payload an older release wrote
in another shape is dropped, not half-read). A state lapses after ``pending_input_minutes``:
reading it then clears it and gives ``EXPIRED``. States are stored, not remembered, so they
survive a restart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import ConfigDict, TypeAdapter, ValidationError
from telegram import CallbackQuery

from bot.context import BotContext


@dataclass(frozen=True)
class State:
    """What the bot asked for; subclasses add their payload as fields."""

    kind: ClassVar[str]
    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(strict=True, extra="forbid")


@dataclass(frozen=True)
class Expired:
    """A state was pending but has lapsed (and is now cleared)."""


EXPIRED = Expired()

S = TypeVar("S", bound=State)


def _adapter(state_type: type[State]) -> TypeAdapter[Any]:
    return TypeAdapter(state_type)


async def ask(context: BotContext, telegram_id: int, state: State) -> None:
    """Remember that ``telegram_id``'s next text answers ``state`` (replacing any other)."""
    services = context.services
    payload = _adapter(type(state)).dump_python(state, mode="json")
    await services.conversations.expect(telegram_id, state.kind, payload)


async def current(
    context: BotContext, telegram_id: int, states: Sequence[type[S]]
) -> S | Expired | None:
    """The pending state of ``telegram_id`` if it is one of ``states``; EXPIRED if it was but
    has lapsed; None otherwise (another kind of state is left alone)."""
    services = context.services
    pending = await services.conversations.pending(telegram_id)
    if pending is None:
        return None
    state_type = next((s for s in states if s.kind == pending.kind), None)
    if state_type is None:
        return None
    lifetime = timedelta(minutes=services.settings.pending_input_minutes)
    if services.clock.now() - pending.created_at > lifetime:
        await services.conversations.clear(telegram_id)
        return EXPIRED
    try:
        # Through JSON, as stored: pydantic's strict mode takes a dataclass only from JSON.
        state: S = _adapter(state_type).validate_json(json.dumps(pending.payload))
    except ValidationError:
        await services.conversations.clear(telegram_id)
        return None
    return state


async def end(context: BotContext, telegram_id: int) -> bool:
    """Forget what ``telegram_id`` was asked for; whether anything was pending."""
    conversations = context.services.conversations
    pending = await conversations.pending(telegram_id)
    if pending is not None:
        await conversations.clear(telegram_id)
    return pending is not None


async def confirmation(
    context: BotContext, query: CallbackQuery, states: Sequence[type[S]], stamp: int
) -> S | None:
    """The preview a 确认 tap answers, if it is still pending and the tap carries its
    ``stamp``; otherwise the tap is answered (lapsed: an alert; stale or repeated: 已失效) and
    None is returned, so an older preview's button can never act on a newer text."""
    services = context.services
    state = await current(context, query.from_user.id, states)
    if isinstance(state, Expired):
        minutes = services.settings.pending_input_minutes
        await query.answer(services.texts.input_expired.format(minutes=minutes), show_alert=True)
        return None
    if state is None or getattr(state, "stamp", None) != stamp:
        await query.answer(services.texts.tap_invalid)
        return None
    return state

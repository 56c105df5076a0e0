"""The one access check, for commands, buttons and typed replies alike: chat type, then role,
decided by the person's roles at the moment the update arrives (not when a keyboard was sent
or a question was asked), with every refusal recorded."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.context import BotContext
from bot.i18n import Texts
from bot.org.access import Role

log = logging.getLogger(__name__)


def refusal(texts: Texts, needed: Role) -> str:
    """What a command says to someone without the role it needs; names no data."""
    return {
        Role.MEMBER: texts.refused_member,
        Role.SECRETARY: texts.refused_secretary,
        Role.GENERAL_SECRETARY: texts.refused_general_secretary,
        Role.ADMIN: texts.refused_admin,
    }[needed]


@dataclass(frozen=True)
class Refused:
    """Why an update was refused: ``needed`` is the role it takes, or None when it may be done
    only in a private chat."""

    needed: Role | None


async def admit(
    context: BotContext,
    telegram_id: int,
    chat_type: str,
    *,
    what: str,
    role: Role,
    private: bool,
) -> Refused | None:
    """Set ``context.actor`` and return None when ``telegram_id`` may do ``what`` in a chat of
    ``chat_type``; else why not (a refusal for want of a role is recorded)."""
    if private and chat_type != "private":
        return Refused(None)
    actor = await context.services.org.actor(telegram_id)
    if not actor.allowed(role):
        log.info("refused %s to user %s (%s)", what, telegram_id, actor.role.name)
        await context.services.org.record_refusal(telegram_id, what)
        return Refused(role)
    context.actor = actor
    return None

"""Which unit and period a secretary's command is about: named in its arguments (and within
the person's scope), or their own; replies with the accepted forms when it cannot tell."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.org.access import Actor
from bot.stats.periods import Period, parse_period


def home_branch(actor: Actor, args: list[str]) -> tuple[str | None, list[str]]:
    """The branch a command is about: named in the arguments (and within scope), or the
    actor's only branch. Returns (branch id or None, the remaining arguments)."""
    rest = list(args)
    for arg in args:
        if arg in actor.tree.by_id:
            rest.remove(arg)
            return (arg if actor.can_see(arg) else None), rest
    scope = sorted(actor.scope)
    return (scope[0] if len(scope) == 1 else None), rest


def home_unit(actor: Actor, units: list[str]) -> str | None:
    """A unit (any level) a command is about: the one named, if everything below it is in
    scope; else the actor's own branch or highest unit."""
    if units:
        below = actor.tree.branches_under(units[:1])
        return units[0] if below and below <= actor.scope else None
    branch, _ = home_branch(actor, [])
    return branch or (actor.home_units[0] if actor.home_units else None)


def parse_arguments(context: BotContext) -> tuple[Period | None, list[str]]:
    """The period among the command's arguments (the rest are unit ids); this month when
    none is given; None when the words are not a period."""
    args = list(context.args or [])
    services = context.services
    today = services.clock.now().astimezone(services.settings.zone).date()
    units = [a for a in args if a in services.org.tree.by_id]
    words = [a for a in args if a not in services.org.tree.by_id]
    return parse_period(" ".join(words), today), units


async def report_target(
    update: Update, context: BotContext, *, branch_only: bool, example: str
) -> tuple[Period, str] | None:
    """(period, unit) for a report command, or None after telling the person what to write
    (``example`` is the command with ``{period}`` where this locale's period word goes)."""
    message = update.effective_message
    if message is None:
        return None
    texts = context.services.texts
    period, units = parse_arguments(context)
    if period is None:
        await message.reply_text(texts.period_usage)
        return None
    if branch_only:
        unit, _ = home_branch(context.actor, units)
    else:
        unit = home_unit(context.actor, units)
    if unit is None:
        example = example.format(period=texts.period_example)
        await message.reply_text(texts.choose_branch.format(example=example))
        return None
    return period, unit

"""Which unit and period a secretary's command is about: named in its arguments (and within
the person's scope), or their own. When it cannot tell, the reply says exactly what was wrong:
the period, an unknown code, a unit outside their scope, or which of their units they mean.

``resolve`` is plain Python (tested from a table); ``report_target`` is its chat side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from telegram import Message, Update

from bot.context import BotContext
from bot.org.access import Actor
from bot.org.members import Member
from bot.org.tree import Level
from bot.stats.periods import Period, parse_period

CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
"""What an organisation's code looks like (zb-001, dzz, dw): a word that is not a period."""


class Want(StrEnum):
    """What a command reports on."""

    UNIT = "unit"
    """Any unit within scope (/stats, /hardest, /chart, /export)."""
    RANKING = "ranking"
    """A unit with children; for a branch, its parent (the branch among its siblings)."""


class Refused(StrEnum):
    PERIOD = "period"
    UNKNOWN = "unknown"
    NOT_ALLOWED = "not_allowed"
    CHOOSE = "choose"


@dataclass(frozen=True)
class Refusal:
    reason: Refused
    code: str = ""


@dataclass(frozen=True)
class Target:
    period: Period
    unit: str


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


def branch_example(actor: Actor, command: str) -> str:
    """A usage example naming a branch this person may really name (the first of their
    scope), not a made-up code in a format their organisation may not use."""
    scope = sorted(actor.scope)
    return f"/{command} {scope[0]}" if scope else f"/{command}"


def home_unit(actor: Actor, units: list[str]) -> str | None:
    """A unit (any level) a command is about: the one named, if everything below it is in
    scope; else the actor's own branch or highest unit."""
    if units:
        below = actor.tree.branches_under(units[:1])
        return units[0] if below and below <= actor.scope else None
    branch, _ = home_branch(actor, [])
    return branch or (actor.home_units[0] if actor.home_units else None)


def answers_for(actor: Actor, unit_id: str) -> bool:
    """Whether ``unit_id`` is one of the actor's units or lies below one."""
    return actor.admin or any(unit_id in actor.tree.descendants(u) for u in actor.secretary_of)


def own_units(actor: Actor) -> list[str]:
    """The actor's highest units: none of them lies below another."""
    homes = actor.home_units
    return [u for u in homes if not any(u != o and u in actor.tree.descendants(o) for o in homes)]


def split_arguments(
    args: list[str], actor: Actor, today: date
) -> tuple[Period | None, list[str], list[str]]:
    """(period, unit codes that exist, words that are neither). The period is this month when
    none is written; None when a word is meant as a period but is not one."""
    tree = actor.tree
    units = [a for a in args if a in tree.by_id]
    words = [a for a in args if a not in tree.by_id]
    period = parse_period(" ".join(words), today)
    if period is not None:
        return period, units, []
    periods = [p for p in (parse_period(w, today) for w in words) if p is not None]
    unknown = [w for w in words if parse_period(w, today) is None]
    if len(periods) > 1 or any(not CODE.fullmatch(w) for w in unknown):
        return None, units, unknown
    return (periods[0] if periods else parse_period("", today)), units, unknown


def resolve(actor: Actor, args: list[str], today: date, want: Want) -> Target | Refusal:
    """The target of a report command, or why there is none."""
    tree = actor.tree
    period, units, unknown = split_arguments(args, actor, today)
    if period is None:
        return Refusal(Refused.PERIOD)
    if unknown:
        return Refusal(Refused.UNKNOWN, unknown[0])
    if units:
        unit = units[0]
        if want is Want.RANKING and tree.by_id[unit].level is Level.BRANCH:
            parent = tree.by_id[unit].parent
            if not answers_for(actor, unit):
                return Refusal(Refused.NOT_ALLOWED, unit)
            return Target(period, parent or unit)
        if answers_for(actor, unit):
            return Target(period, unit)
        if want is Want.RANKING and any(
            tree.by_id[b].parent == unit for b in actor.secretary_of if b in tree.by_id
        ):
            return Target(period, unit)
        return Refusal(Refused.NOT_ALLOWED, unit)
    mine = own_units(actor)
    if len(mine) != 1:
        return Refusal(Refused.CHOOSE, mine[0] if mine else "")
    unit = mine[0]
    if want is Want.RANKING and tree.by_id[unit].level is Level.BRANCH:
        unit = tree.by_id[unit].parent or unit
    return Target(period, unit)


def refusal_text(context: BotContext, refusal: Refusal, command: str) -> str:
    texts = context.services.texts
    tree = context.services.org.tree
    if refusal.reason is Refused.PERIOD:
        return texts.period_usage
    if refusal.reason is Refused.UNKNOWN:
        return texts.scope_unknown.format(code=refusal.code)
    if refusal.reason is Refused.NOT_ALLOWED:
        return texts.scope_not_allowed.format(
            code=refusal.code, name=tree.by_id[refusal.code].name
        )
    example = " ".join(w for w in (f"/{command}", texts.period_example, refusal.code) if w)
    return texts.choose_branch.format(example=example)


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
    update: Update, context: BotContext, command: str, want: Want = Want.UNIT
) -> Target | None:
    """The target of a report command, or None after telling the person what to write."""
    message = update.effective_message
    if message is None:
        return None
    services = context.services
    today = services.clock.now().astimezone(services.settings.zone).date()
    outcome = resolve(context.actor, list(context.args or []), today, want)
    if isinstance(outcome, Refusal):
        await message.reply_text(refusal_text(context, outcome, command))
        return None
    return outcome


async def one_named(
    context: BotContext, message: Message, name: str, query: str | None = None
) -> Member | None:
    """The one member in the actor's scope called ``name`` (looked up by ``query`` when
    given); otherwise the reply says none or several were found, and None."""
    found = await context.services.org.members_named(
        context.actor, name if query is None else query
    )
    if len(found) == 1:
        return found[0]
    texts = context.services.texts
    await message.reply_text(
        texts.transfer_ambiguous if found else texts.transfer_not_found.format(name=name)
    )
    return None

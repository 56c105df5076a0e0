"""A member's own record: /me."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import Update

from bot.context import BotContext
from bot.dates import DateProblem, DateRefusal, parse_date
from bot.handlers import conversation
from bot.handlers.common import register
from bot.handlers.quiz_view import overview_text
from bot.i18n import Texts
from bot.stats.periods import current_month

PARTY_FOUNDED = date(1921, 7, 1)
"""No one joined the Party before it was founded."""


@dataclass(frozen=True)
class JoinDate(conversation.State):
    """/joindate asked for the date; the next text is it."""

    kind = "joindate"


async def me_command(update: Update, context: BotContext) -> None:
    """Show the member's recent quizzes and totals."""
    member_id = await register(update, context)
    if member_id is None or update.effective_message is None:
        return
    services = context.services
    texts = services.texts
    overview = await services.quiz.overview(member_id)
    text = overview_text(texts, overview, len(services.quiz.bank), services.settings.zone)
    member = context.actor.member
    if member is not None and member.branch_id is not None:
        today = services.clock.now().astimezone(services.settings.zone).date()
        period = current_month(today)
        standing = await services.stats.standing(member, period)
        lines = [texts.me_branch.format(branch=services.org.branch_name(member.branch_id))]
        if standing.place is not None and standing.best is not None:
            lines.append(
                texts.me_standing.format(
                    period=texts.period(period),
                    quizzes=standing.quizzes,
                    best=round(standing.best),
                    place=standing.place,
                    count=standing.out_of,
                )
            )
        text = "\n".join([*lines, "", text])
    await update.effective_message.reply_text(text)


async def joindate_command(update: Update, context: BotContext) -> None:
    """/joindate [日期] — the day the member joined the Party, for their 政治生日; without a
    date, the next message is taken as the date."""
    message = update.effective_message
    member_id = await register(update, context)
    if message is None or member_id is None or update.effective_user is None:
        return
    services = context.services
    if not context.args:
        await conversation.ask(context, update.effective_user.id, JoinDate())
        await message.reply_text(services.texts.joindate_ask)
        return
    await _take_joindate(update, context, member_id, " ".join(context.args))


async def joindate_text(update: Update, context: BotContext, state: JoinDate) -> None:
    """A date typed after the /joindate prompt."""
    message = update.effective_message
    member_id = await register(update, context)
    if message is None or message.text is None or member_id is None:
        return
    await _take_joindate(update, context, member_id, message.text)


async def _take_joindate(update: Update, context: BotContext, member_id: int, text: str) -> None:
    """Save the date, or say what is wrong with it and wait for another."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    texts = services.texts
    today = services.clock.now().astimezone(services.settings.zone).date()
    parsed = parse_date(text, today)
    if isinstance(parsed, DateRefusal) or parsed < PARTY_FOUNDED:
        await conversation.ask(context, user.id, JoinDate())
        await message.reply_text(date_refusal(texts, parsed))
        return
    await services.org.set_party_joined_on(member_id, parsed)
    await conversation.end(context, user.id)
    years = today.year - parsed.year - ((today.month, today.day) < (parsed.month, parsed.day))
    await message.reply_text(
        texts.joindate_saved.format(date=texts.long_date(parsed), years=years)
    )


def date_refusal(texts: Texts, refusal: DateRefusal | date) -> str:
    """Why a typed date cannot be a Party-joining date, in the member's words."""
    if isinstance(refusal, date):
        return texts.joindate_too_early
    if refusal.problem is DateProblem.MONTH:
        return texts.date_bad_month.format(month=refusal.month)
    if refusal.problem is DateProblem.DAY:
        return texts.date_bad_day.format(
            year=refusal.year, month=refusal.month, day=refusal.day, days=refusal.days_in_month
        )
    if refusal.problem is DateProblem.FUTURE:
        return texts.date_future.format(
            date=texts.long_date(date(refusal.year, refusal.month, refusal.day))
        )
    return texts.date_form

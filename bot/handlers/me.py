"""A member's own record: /me."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import register
from bot.handlers.quiz_view import overview_text
from bot.stats.periods import current_month


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
                    period=period.label,
                    quizzes=standing.quizzes,
                    best=round(standing.best),
                    place=standing.place,
                    count=standing.out_of,
                )
            )
        text = "\n".join([*lines, "", text])
    await update.effective_message.reply_text(text)


async def joindate_command(update: Update, context: BotContext) -> None:
    """/joindate YYYY-MM-DD — the day the member joined the Party, for their 政治生日."""
    message = update.effective_message
    member_id = await register(update, context)
    if message is None or member_id is None:
        return
    services = context.services
    texts = services.texts
    args = list(context.args or [])
    today = services.clock.now().astimezone(services.settings.zone).date()
    try:
        joined = date.fromisoformat(args[0]) if len(args) == 1 else None
    except ValueError:
        joined = None
    if joined is None or not date(1921, 7, 1) <= joined <= today:
        await message.reply_text(texts.joindate_usage)
        return
    await services.org.set_party_joined_on(member_id, joined)
    years = today.year - joined.year - ((today.month, today.day) < (joined.month, joined.day))
    await message.reply_text(
        texts.joindate_saved.format(date=joined.strftime("%Y年%m月%d日"), years=years)
    )

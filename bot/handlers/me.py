"""A member's own record: /me."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import register
from bot.handlers.quiz_view import overview_text


async def me_command(update: Update, context: BotContext) -> None:
    """Show the member's recent quizzes and totals."""
    member_id = await register(update, context)
    if member_id is None or update.effective_message is None:
        return
    services = context.services
    overview = await services.quiz.overview(member_id)
    await update.effective_message.reply_text(
        overview_text(services.texts, overview, len(services.quiz.bank), services.settings.zone)
    )

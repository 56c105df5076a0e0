"""Plain text in a private chat: whatever the person was asked for last, else a pointer.

What someone is in the middle of saying — their real name after an invite, a broadcast's text,
a reason for leave — is stored, not remembered, so it survives a restart.
"""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.dates import DateProblem, DateRefusal, parse_date
from bot.handlers import attendance, broadcast, corrections, me, org, quiz
from bot.handlers.common import unknown_text


async def text_message(update: Update, context: BotContext) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None or message.text.startswith("/"):
        await unknown_text(update, context)
        return
    services = context.services
    pending = await services.storage.pending_input(user.id)
    if pending is not None:
        kind, payload = pending
        if kind == broadcast.PENDING_TEXT:
            await broadcast.broadcast_text(update, context, str(payload["unit"]))
            return
        if kind == corrections.PENDING:
            await corrections.correction_text(update, context, str(payload["question"]))
            return
        if kind == me.PENDING_JOINDATE:
            await me.joindate_text(update, context)
            return
        if kind == "leave_reason":
            await attendance.leave_reason(update, context, int(payload["event"]))
            return
        if kind == broadcast.PENDING_CONFIRM:
            await message.reply_text(services.texts.broadcast_waiting_confirm)
            return
    member = await services.storage.member(user.id)
    if member is not None and member.pending_invite is not None:
        await org.join_name(update, context, member)
        return
    if await quiz.repeat_question(update, context):
        return
    today = services.clock.now().astimezone(services.settings.zone).date()
    if parse_date(message.text, today) != DateRefusal(DateProblem.FORM):
        await message.reply_text(services.texts.date_hint)
        return
    await unknown_text(update, context)

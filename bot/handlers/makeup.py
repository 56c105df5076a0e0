"""补课 in chat: 已学习 under the study material sent after a meeting to those on leave or
absent. The tap is recorded once with its time, and the message keeps the confirmation (its
button gone), so an older member sees that it counted."""

from __future__ import annotations

from telegram import Message, Update

from bot.context import BotContext
from bot.handlers.callbacks import StudiedTap
from bot.meetings.service import StudiedOutcome


async def studied_callback(update: Update, context: BotContext, tap: StudiedTap) -> None:
    """已学习: recorded for the member's own branch's meeting only."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    member = context.actor.member
    if member is None:
        await query.answer(texts.tap_invalid)
        return
    outcome = await services.meetings.studied(member, tap.event_id)
    if outcome is StudiedOutcome.NOT_YOURS:
        await query.answer(texts.tap_invalid)
        return
    recorded = outcome is StudiedOutcome.RECORDED
    await query.answer(texts.tap_makeup_recorded if recorded else texts.tap_makeup_already)
    shown = query.message
    if recorded and isinstance(shown, Message) and shown.text:
        now = services.clock.now().astimezone(services.settings.zone)
        done = texts.makeup_done.format(time=f"{texts.month_day(now.date())} {now:%H:%M}")
        await query.edit_message_text(f"{shown.text}\n\n{done}", reply_markup=None)

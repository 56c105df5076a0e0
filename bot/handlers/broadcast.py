"""Secretaries' broadcasts: /broadcast → the text → a preview with the count → 确认发送, then
live progress in the secretary's chat and a final summary naming who could not be reached."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.delivery.service import MAX_TEXT
from bot.handlers.scope import home_unit

log = logging.getLogger(__name__)

PENDING_TEXT = "broadcast_text"
PENDING_CONFIRM = "broadcast_confirm"


async def broadcast_command(update: Update, context: BotContext) -> None:
    """/broadcast [组织编号] — send a message to every member of a branch (or of a unit)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    units = [a for a in (context.args or []) if a in services.org.tree.by_id]
    unit = home_unit(context.actor, units)
    if unit is None:
        await message.reply_text(services.texts.choose_branch.format(example="/broadcast zb-001"))
        return
    await services.conversations.expect(user.id, PENDING_TEXT, {"unit": unit})
    await message.reply_text(
        services.texts.broadcast_ask.format(unit=services.org.branch_name(unit), limit=MAX_TEXT)
    )


async def broadcast_text(update: Update, context: BotContext, unit: str) -> None:
    """The text of a broadcast: show it back with the number of recipients, and ask."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    if len(message.text) > MAX_TEXT:
        await message.reply_text(
            texts.broadcast_too_long.format(length=len(message.text), limit=MAX_TEXT)
        )
        return
    audience = await services.delivery.audience(unit)
    await services.conversations.expect(
        user.id, PENDING_CONFIRM, {"unit": unit, "text": message.text}
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.broadcast_confirm, callback_data="broadcast:send"),
                InlineKeyboardButton(texts.broadcast_cancel, callback_data="broadcast:cancel"),
            ]
        ]
    )
    await message.reply_text(
        texts.broadcast_preview.format(
            unit=services.org.branch_name(unit),
            count=len(audience.reachable),
            unreachable=len(audience.unreachable),
            text=message.text,
        ),
        reply_markup=keyboard,
    )


async def broadcast_callback(update: Update, context: BotContext) -> None:
    """确认发送 or 取消 under a preview; a stale or repeated tap changes nothing."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    texts = services.texts
    pending = await services.conversations.pending(query.from_user.id)
    if pending is None or pending[0] != PENDING_CONFIRM:
        await query.answer(texts.tap_invalid)
        return
    await services.conversations.clear(query.from_user.id)
    payload = pending[1]
    if query.data != "broadcast:send":
        await query.answer()
        await query.edit_message_text(texts.broadcast_cancelled)
        return
    await query.answer()
    progress = await context.bot.send_message(
        query.message.chat.id, texts.broadcast_progress.format(sent=0, total="…", failed=0)
    )
    batch_id = await services.delivery.create_broadcast(
        payload["unit"],
        payload["text"],
        query.from_user.id,
        query.message.chat.id,
    )
    await services.delivery.show_progress_in(batch_id, query.message.chat.id, progress.message_id)
    await query.edit_message_reply_markup(None)
    services.sender.wake()
    await services.progress.changed(batch_id)

"""Secretaries' broadcasts: /broadcast → the text → a preview with the count → 确认发送, then
live progress in the secretary's chat and a final summary naming who could not be reached."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.delivery.service import MAX_TEXT
from bot.handlers import conversation
from bot.handlers.callbacks import BROADCAST, BroadcastTap
from bot.handlers.pages import MESSAGE_LIMIT, length
from bot.handlers.scope import home_unit
from bot.org.access import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BroadcastText(conversation.State):
    """The secretary is typing the text of a broadcast to ``unit``."""

    kind = "broadcast_text"
    unit: str


@dataclass(frozen=True)
class BroadcastConfirm(conversation.State):
    """The preview is shown; 确认发送 or 取消 is next. ``stamp`` is in the preview's buttons,
    so only this preview's 确认发送 sends this text."""

    kind = "broadcast_confirm"
    unit: str
    text: str
    stamp: int


def _answers_for(actor: Actor, unit: str) -> bool:
    """Whether the actor still answers for every branch under ``unit``: asked again at each
    step, since a secretary can be demoted or moved between the preview and 确认发送."""
    return home_unit(actor, [unit]) == unit


async def broadcast_command(update: Update, context: BotContext) -> None:
    """/broadcast [组织编号] — send a message to every member of a branch (or of a unit)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    args = list(context.args or [])
    unknown = [a for a in args if a not in services.org.tree.by_id]
    if unknown:
        await message.reply_text(services.texts.unit_unknown.format(unit=unknown[0]))
        return
    unit = home_unit(context.actor, args)
    if unit is None:
        await message.reply_text(services.texts.choose_branch.format(example="/broadcast zb-001"))
        return
    await conversation.ask(context, user.id, BroadcastText(unit))
    await message.reply_text(
        services.texts.broadcast_ask.format(
            unit=services.org.branch_name(unit), limit=text_limit(context, unit)
        )
    )


def text_limit(context: BotContext, unit: str) -> int:
    """The longest broadcast whose preview (the text under its header) is still one message:
    the header is measured with the longest counts it can show."""
    texts = context.services.texts
    header = texts.broadcast_preview.format(
        unit=context.services.org.branch_name(unit), count=999_999, unreachable=999_999, text=""
    )
    return min(MAX_TEXT, MESSAGE_LIMIT - length(header))


async def broadcast_text(update: Update, context: BotContext, state: BroadcastText) -> None:
    """The text of a broadcast: show it back with the number of recipients, and ask."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    if not _answers_for(context.actor, state.unit):
        await conversation.end(context, user.id)
        await message.reply_text(texts.tap_refused)
        return
    limit = text_limit(context, state.unit)
    if length(message.text) > limit:
        await message.reply_text(
            texts.broadcast_too_long.format(length=length(message.text), limit=limit)
        )
        return
    audience = await services.delivery.audience(state.unit)
    stamp = int(services.clock.now().timestamp() * 1000)
    await conversation.ask(context, user.id, BroadcastConfirm(state.unit, message.text, stamp))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.broadcast_confirm,
                    callback_data=BROADCAST.pack(BroadcastTap(True, stamp)),
                ),
                InlineKeyboardButton(
                    texts.broadcast_cancel,
                    callback_data=BROADCAST.pack(BroadcastTap(False, stamp)),
                ),
            ]
        ]
    )
    await message.reply_text(
        texts.broadcast_preview.format(
            unit=services.org.branch_name(state.unit),
            count=len(audience.reachable),
            unreachable=len(audience.unreachable),
            text=message.text,
        ),
        reply_markup=keyboard,
    )


async def waiting_confirm(update: Update, context: BotContext, state: BroadcastConfirm) -> None:
    """Text while a preview waits for its buttons: point at them."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.services.texts.broadcast_waiting_confirm)


async def broadcast_callback(update: Update, context: BotContext, tap: BroadcastTap) -> None:
    """确认发送 or 取消 under a preview; a stale, repeated, lapsed or no longer authorised tap
    sends nothing."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    texts = services.texts
    user_id = query.from_user.id
    state = await conversation.current(context, user_id, [BroadcastConfirm])
    if isinstance(state, conversation.Expired):
        minutes = services.settings.pending_input_minutes
        await query.answer(texts.input_expired.format(minutes=minutes), show_alert=True)
        return
    if state is None or state.stamp != tap.stamp:
        await query.answer(texts.tap_invalid)
        return
    if not _answers_for(context.actor, state.unit):
        await conversation.end(context, user_id)
        await query.answer(texts.tap_refused, show_alert=True)
        return
    if not tap.send:
        await conversation.end(context, user_id)
        await query.answer()
        await query.edit_message_text(texts.broadcast_cancelled)
        return
    # Queue first: from here on the broadcast goes out whatever happens to the messages
    # below (a 429 or a timeout on the secretary's chat used to drop it).
    chat_id = query.message.chat.id
    batch_id = await services.delivery.create_broadcast(state.unit, state.text, user_id, chat_id)
    await conversation.end(context, user_id)
    services.sender.wake()
    try:
        await query.answer()
        progress = await context.bot.send_message(
            chat_id, texts.broadcast_progress.format(sent=0, total="…", failed=0)
        )
        await services.delivery.show_progress_in(batch_id, chat_id, progress.message_id)
        await query.edit_message_reply_markup(None)
    except TelegramError as error:
        log.warning("batch %d queued; its progress message is not shown: %s", batch_id, error)
        return
    await services.progress.changed(batch_id)

"""Secretaries' broadcasts: /broadcast → the text → a preview with the count → 确认发送 (or 确认
发送 asking for 收到), then live progress in the secretary's chat and a final summary naming who
could not be reached. Every broadcast carries its sender (支部名称 · 书记 姓名); one that asks
for 收到 lets the sender see who tapped it and send it again, with one tap, to the rest."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext
from bot.delivery.service import ACK_KIND, MAX_TEXT, Acknowledgements
from bot.handlers import conversation
from bot.handlers.callbacks import ACK, ACKS, BROADCAST, AcksTap, AckTap, BroadcastTap
from bot.handlers.common import not_modified
from bot.handlers.pages import MESSAGE_LIMIT, fit_names, length
from bot.handlers.scope import branch_example, home_unit
from bot.i18n import Texts
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
        await message.reply_text(
            services.texts.choose_branch.format(example=branch_example(context.actor, "broadcast"))
        )
        return
    await conversation.ask(context, user.id, BroadcastText(unit))
    await message.reply_text(
        services.texts.broadcast_ask.format(
            unit=services.org.branch_name(unit), limit=text_limit(context, unit, user.first_name)
        )
    )


def text_limit(context: BotContext, unit: str, telegram_name: str) -> int:
    """The longest broadcast whose preview (the text signed with its sender, under its
    header) is still one message: the header is measured with the longest counts it can show."""
    texts = context.services.texts
    signed = _signed(context, unit, "", telegram_name)
    header = texts.broadcast_preview.format(
        unit=context.services.org.branch_name(unit),
        count=999_999,
        unreachable=999_999,
        text=signed,
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
    limit = text_limit(context, state.unit, user.first_name)
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
                    texts.broadcast_confirm_ack,
                    callback_data=BROADCAST.pack(BroadcastTap(True, stamp, ack=True)),
                )
            ],
            [
                InlineKeyboardButton(
                    texts.broadcast_confirm,
                    callback_data=BROADCAST.pack(BroadcastTap(True, stamp)),
                ),
                InlineKeyboardButton(
                    texts.broadcast_cancel,
                    callback_data=BROADCAST.pack(BroadcastTap(False, stamp)),
                ),
            ],
        ]
    )
    await message.reply_text(
        texts.broadcast_preview.format(
            unit=services.org.branch_name(state.unit),
            count=len(audience.reachable),
            unreachable=len(audience.unreachable),
            text=_signed(context, state.unit, message.text, user.first_name),
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
    state = await conversation.confirmation(context, query, [BroadcastConfirm], tap.stamp)
    if state is None:
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
    batch_id = await services.delivery.create_broadcast(
        state.unit,
        _signed(context, state.unit, state.text, query.from_user.first_name),
        user_id,
        chat_id,
        ack=(lambda batch: ack_keyboard(context, batch)) if tap.ack else None,
    )
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


def sender_line(context: BotContext, unit: str, telegram_name: str) -> str:
    """Who a broadcast is from: 东村党支部 · 书记 张三 (the registered name, else the
    Telegram name)."""
    services = context.services
    texts = services.texts
    actor = context.actor
    member = actor.member
    name = member.real_name if member is not None and member.real_name else telegram_name
    role = texts.secretary_role if actor.secretary_of or not actor.admin else texts.admin_title
    return texts.broadcast_sender.format(unit=services.org.branch_name(unit), role=role, name=name)


def _signed(context: BotContext, unit: str, text: str, telegram_name: str) -> str:
    return f"{sender_line(context, unit, telegram_name)}\n\n{text}"


def ack_keyboard(context: BotContext, batch_id: int) -> dict[str, object]:
    """The 收到 button under each copy of broadcast ``batch_id`` (stored with the delivery)."""
    button = {
        "text": context.services.texts.broadcast_ack_button,
        "callback_data": ACK.pack(AckTap(batch_id)),
    }
    return {"inline_keyboard": [[button]]}


async def ack_callback(update: Update, context: BotContext, tap: AckTap) -> None:
    """A member taps 收到: recorded once, for the broadcast it was sent with."""
    query = update.callback_query
    if query is None:
        return
    texts = context.services.texts
    recorded = await context.services.delivery.acknowledge(tap.batch_id, query.from_user.id)
    if recorded is None:
        await query.answer(texts.tap_invalid)
        return
    await query.answer(texts.broadcast_acked if recorded else texts.broadcast_acked_again)
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await query.edit_message_reply_markup(None)


async def acks_callback(update: Update, context: BotContext, tap: AcksTap) -> None:
    """The sender's 收到情况 (shown, or refreshed in place), or the broadcast again to those who
    have not tapped 收到; only for someone who answers for the broadcast's unit now."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    texts = services.texts
    batch = await services.delivery.batch(tap.batch_id)
    if batch is None or batch.kind != ACK_KIND or batch.unit_id is None:
        await query.answer(texts.tap_invalid)
        return
    if not _answers_for(context.actor, batch.unit_id):
        await query.answer(texts.tap_refused, show_alert=True)
        return
    if tap.resend:
        await _resend(update, context, tap.batch_id)
        return
    acks = await services.delivery.acknowledgements(batch.id)
    await query.answer()
    text, keyboard = acks_view(texts, batch.id, batch.title, acks)
    # 刷新 edits the 收到情况 in place; from the broadcast's summary it comes as a new message.
    if isinstance(query.message, Message) and (query.message.text or "").startswith("📋"):
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as error:
            if not not_modified(error):  # 刷新 when nobody has tapped since changes nothing
                raise
    else:
        await context.bot.send_message(query.message.chat.id, text, reply_markup=keyboard)


async def _resend(update: Update, context: BotContext, batch_id: int) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    services = context.services
    texts = services.texts
    batch = await services.delivery.batch(batch_id)
    assert batch is not None
    chat_id = query.message.chat.id
    resent = await services.delivery.resend_unacknowledged(
        batch, query.from_user.id, chat_id, lambda b: ack_keyboard(context, b)
    )
    if resent is None:
        await query.answer(texts.acks_nobody_left, show_alert=True)
        return
    await query.answer()
    progress = await context.bot.send_message(
        chat_id, texts.broadcast_progress.format(sent=0, total="…", failed=0)
    )
    await services.delivery.show_progress_in(resent, chat_id, progress.message_id)
    services.sender.wake()
    await services.progress.changed(resent)


def acks_view(
    texts: Texts, batch_id: int, title: str, acks: Acknowledgements
) -> tuple[str, InlineKeyboardMarkup]:
    """Who tapped 收到 and who has not — the waiting first — in one message (each list as
    many names as fit in its share, the rest counted), with 刷新 and, while anyone waits,
    the one-tap re-send."""
    total = len(acks.acknowledged) + len(acks.waiting)
    parts = [texts.acks_summary.format(title=title, acked=len(acks.acknowledged), total=total)]
    share = (MESSAGE_LIMIT - length(parts[0])) // 2 - 8
    for template, members in (
        (texts.acks_waiting, acks.waiting),
        (texts.acks_done, acks.acknowledged),
    ):
        if members:
            room = share - length(template.format(count=len(members), names=""))
            names = fit_names([m.name for m in members], room, texts)
            parts.append(template.format(count=len(members), names=names))
    refresh = ACKS.pack(AcksTap(batch_id, False))
    rows = [[InlineKeyboardButton(texts.acks_refresh, callback_data=refresh)]]
    if acks.waiting:
        resend = texts.acks_resend.format(count=len(acks.waiting))
        data = ACKS.pack(AcksTap(batch_id, True))
        rows.insert(0, [InlineKeyboardButton(resend, callback_data=data)])
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)

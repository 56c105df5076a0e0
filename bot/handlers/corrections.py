"""答题纠错: a member reports a question they think is wrong; secretaries and admins read the
reports with /corrections, admins mark them handled."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.org.access import Role

PENDING = "correction"
SHOWN = 20


async def fix_callback(update: Update, context: BotContext) -> None:
    """纠错 under an answered question: ask what is wrong."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    parts = query.data.split(":")
    session = (
        await services.storage.member_session(query.from_user.id, int(parts[1]))
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit()
        else None
    )
    position = int(parts[2]) if session is not None else -1
    if session is None or not 0 <= position < min(session.position, session.total):
        await query.answer(services.texts.tap_invalid)
        return
    await query.answer()
    await services.storage.set_pending_input(
        query.from_user.id,
        PENDING,
        {"question": session.question_ids[position]},
        services.clock.now(),
    )
    await context.bot.send_message(query.from_user.id, services.texts.correction_ask)


async def correction_text(update: Update, context: BotContext, question_id: str) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    member_id = await services.storage.member_id(user.id)
    if member_id is None:
        return
    await services.storage.add_correction(
        question_id,
        services.quiz.bank.version,
        member_id,
        message.text.strip()[:500],
        services.clock.now(),
    )
    await services.storage.clear_pending_input(user.id)
    await message.reply_text(services.texts.correction_thanks)


async def corrections_command(update: Update, context: BotContext) -> None:
    """/corrections — open reports, grouped by question, newest last."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    actor = context.actor
    reports = await services.storage.open_corrections(None if actor.admin else actor.scope)
    if not reports:
        await message.reply_text(texts.corrections_none)
        return
    by_question: dict[str, list[str]] = {}
    for report in reports:
        by_question.setdefault(report.question_id, []).append(f"{report.reporter}：{report.text}")
    lines = [texts.corrections_title.format(count=len(reports)), ""]
    buttons = []
    for question_id, items in list(by_question.items())[:SHOWN]:
        question = services.quiz.bank.by_id.get(question_id)
        lines.append(
            texts.corrections_item.format(
                id=question_id,
                source=question.source if question else texts.corrections_gone,
                count=len(items),
                latest=items[-1],
            )
        )
        if context.actor.role >= Role.ADMIN:
            buttons.append(
                [
                    InlineKeyboardButton(
                        texts.corrections_close.format(id=question_id),
                        callback_data=f"fixdone:{question_id}",
                    )
                ]
            )
    await message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons) if buttons else None
    )


async def close_callback(update: Update, context: BotContext) -> None:
    """An admin marks a question's reports handled."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    actor = await services.org.actor(query.from_user.id)
    if actor.role < Role.ADMIN:
        await query.answer(services.texts.refused_admin, show_alert=True)
        return
    question_id = query.data.removeprefix("fixdone:")
    closed = await services.storage.close_corrections(
        question_id, query.from_user.id, services.clock.now()
    )
    await query.answer(services.texts.corrections_closed.format(id=question_id, count=closed))

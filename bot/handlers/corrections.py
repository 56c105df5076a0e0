"""答题纠错: a member reports a question they think is wrong; secretaries and admins read the
reports with /corrections, admins mark them handled."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers.pages import length, page_buttons, page_text, pages
from bot.numbers import parse_id
from bot.org.access import Actor, Role

PENDING = "correction"
PAGE = "fixpage"
TEXT_LIMIT = 500
"""A correction report's length, stated when it is asked for."""


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
    await context.bot.send_message(
        query.from_user.id, services.texts.correction_ask.format(limit=TEXT_LIMIT)
    )


async def correction_text(update: Update, context: BotContext, question_id: str) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    member_id = await services.storage.member_id(user.id)
    if member_id is None:
        return
    text = message.text.strip()
    if length(text) > TEXT_LIMIT:
        await message.reply_text(
            services.texts.text_too_long.format(length=length(text), limit=TEXT_LIMIT)
        )
        return
    await services.storage.add_correction(
        question_id, services.quiz.bank.version, member_id, text, services.clock.now()
    )
    await services.storage.clear_pending_input(user.id)
    await message.reply_text(services.texts.correction_thanks)


async def corrections_command(update: Update, context: BotContext) -> None:
    """/corrections — open reports, grouped by question, newest last, a page at a time."""
    message = update.effective_message
    if message is None:
        return
    text, markup = await _corrections_page(context, context.actor, 0)
    await message.reply_text(text, reply_markup=markup)


async def page_callback(update: Update, context: BotContext) -> None:
    """上一页/下一页 under /corrections: the page is rebuilt for the tapper's role and scope
    as they are now, so an old message never shows what its reader may no longer see."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    actor = await services.org.actor(query.from_user.id)
    number = parse_id(query.data.removeprefix(f"{PAGE}:"))
    if actor.role < Role.SECRETARY or number is None:
        await query.answer(services.texts.tap_invalid)
        return
    await query.answer()
    text, markup = await _corrections_page(context, actor, number)
    await query.edit_message_text(text, reply_markup=markup)


async def _corrections_page(
    context: BotContext, actor: Actor, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    texts = services.texts
    reports = await services.storage.open_corrections(None if actor.admin else actor.scope)
    if not reports:
        return texts.corrections_none, None
    by_question: dict[str, list[str]] = {}
    for report in reports:
        by_question.setdefault(report.question_id, []).append(f"{report.reporter}：{report.text}")
    ids = list(by_question)
    items = []
    for question_id in ids:
        question = services.quiz.bank.by_id.get(question_id)
        found = by_question[question_id]
        items.append(
            texts.corrections_item.format(
                id=question_id,
                source=question.source if question else texts.corrections_gone,
                count=len(found),
                latest=found[-1],
            )
        )
    header = texts.corrections_title.format(count=len(reports))
    split = pages(header, items, texts)
    number = min(number, len(split) - 1)
    buttons = []
    if actor.role >= Role.ADMIN:
        buttons = [
            [
                InlineKeyboardButton(
                    texts.corrections_close.format(id=ids[i]), callback_data=f"fixdone:{ids[i]}"
                )
            ]
            for i in split[number]
        ]
    navigation = page_buttons(texts, PAGE, number, len(split))
    if navigation:
        buttons.append(navigation)
    text = page_text(header, items, split[number], number, len(split), texts)
    return text, InlineKeyboardMarkup(buttons) if buttons else None


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

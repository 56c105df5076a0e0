"""答题纠错: a member reports a question they think is wrong; secretaries and admins read the
reports with /corrections, admins mark them handled."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.corrections.service import MAX_TEXT
from bot.handlers import conversation
from bot.handlers.callbacks import CLOSE_CORRECTION, CORRECTIONS_PAGE, CloseTap, FixTap, PageTap
from bot.handlers.pages import length, page_buttons, page_text, pages
from bot.org.access import Actor, Role


@dataclass(frozen=True)
class CorrectionText(conversation.State):
    """The member is typing what is wrong with a question they answered."""

    kind = "correction"
    question: str


async def fix_callback(update: Update, context: BotContext, tap: FixTap) -> None:
    """纠错 under an answered question: ask what is wrong."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    question_id = await services.corrections.question_to_report(
        query.from_user.id, tap.session_id, tap.position
    )
    if question_id is None:
        await query.answer(services.texts.tap_invalid)
        return
    await query.answer()
    await conversation.ask(context, query.from_user.id, CorrectionText(question_id))
    await context.bot.send_message(
        query.from_user.id, services.texts.correction_ask.format(limit=MAX_TEXT)
    )


async def correction_text(update: Update, context: BotContext, state: CorrectionText) -> None:
    """The text of a correction report."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    text = message.text.strip()
    if length(text) > MAX_TEXT:
        # The question stays open: the member shortens the report and sends it again.
        await message.reply_text(
            services.texts.text_too_long.format(length=length(text), limit=MAX_TEXT)
        )
        return
    if not await services.corrections.report(user.id, state.question, text):
        return
    await conversation.end(context, user.id)
    await message.reply_text(services.texts.correction_thanks)


async def corrections_command(update: Update, context: BotContext) -> None:
    """/corrections — open reports, grouped by question, newest last, a page at a time."""
    message = update.effective_message
    if message is None:
        return
    text, markup = await _corrections_page(context, context.actor, 0)
    await message.reply_text(text, reply_markup=markup)


async def page_callback(update: Update, context: BotContext, tap: PageTap) -> None:
    """上一页/下一页 under /corrections: the page is rebuilt for the tapper's role and scope
    as they are now, so an old message never shows what its reader may no longer see."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    text, markup = await _corrections_page(context, context.actor, tap.page)
    await query.edit_message_text(text, reply_markup=markup)


async def _corrections_page(
    context: BotContext, actor: Actor, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    texts = services.texts
    reports = await services.corrections.open_reports(None if actor.admin else actor.scope)
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
                    texts.corrections_close.format(id=ids[i]),
                    callback_data=CLOSE_CORRECTION.pack(CloseTap(ids[i])),
                )
            ]
            for i in split[number]
        ]
    navigation = page_buttons(texts, CORRECTIONS_PAGE.prefix, number, len(split))
    if navigation:
        buttons.append(navigation)
    text = page_text(header, items, split[number], number, len(split), texts)
    return text, InlineKeyboardMarkup(buttons) if buttons else None


async def close_callback(update: Update, context: BotContext, tap: CloseTap) -> None:
    """An admin marks a question's reports handled (the registry has checked the role)."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    closed = await services.corrections.close(tap.question_id, query.from_user.id)
    await query.answer(services.texts.corrections_closed.format(id=tap.question_id, count=closed))

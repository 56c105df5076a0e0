"""答题纠错: a member reports a question they think is wrong (one prompt per question, naming
it); the bank's maintainers — or the admins — are told of each report; whoever may close a
question's reports (an admin or maintainer: all; a secretary: their branches') closes them with
a reply that goes back to the members who reported."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.corrections.service import MAX_TEXT
from bot.handlers import conversation
from bot.handlers.callbacks import CLOSE_CORRECTION, CORRECTIONS_PAGE, CloseTap, FixTap, PageTap
from bot.handlers.pages import length, page_buttons, page_text, pages
from bot.org.access import Actor

log = logging.getLogger(__name__)

STEM_SHOWN = 60
"""Characters of a question's stem quoted to name it."""


@dataclass(frozen=True)
class CorrectionText(conversation.State):
    """The member is typing what is wrong with a question they answered."""

    kind = "correction"
    question: str


@dataclass(frozen=True)
class CorrectionReply(conversation.State):
    """An admin, maintainer or secretary is typing the reply that closes a question's
    reports."""

    kind = "correction_reply"
    question: str


def question_label(context: BotContext, question_id: str) -> str:
    """A question named so a person knows which one: its source and the start of its stem."""
    services = context.services
    question = services.quiz.bank.by_id.get(question_id)
    if question is None:
        return f"{question_id}{services.texts.corrections_gone}"
    stem = question.stem if len(question.stem) <= STEM_SHOWN else question.stem[:STEM_SHOWN] + "…"
    return f"【{question.source}】{stem}"


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
    pending = await conversation.current(context, query.from_user.id, [CorrectionText])
    if isinstance(pending, CorrectionText) and pending.question == question_id:
        # Already asked about this very question: a second tap must not stack a second prompt.
        await query.answer(services.texts.correction_pending, show_alert=True)
        return
    await query.answer()
    await conversation.ask(context, query.from_user.id, CorrectionText(question_id))
    await context.bot.send_message(
        query.from_user.id,
        services.texts.correction_ask.format(
            question=question_label(context, question_id), limit=MAX_TEXT
        ),
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
    member = await services.org.member(user.id)
    notice = services.texts.correction_notice.format(
        question=question_label(context, state.question),
        reporter=member.name if member else user.first_name,
        branch=services.org.branch_name(member.branch_id if member else None),
        text=message.text.strip()[:500],
    )
    keyboard = InlineKeyboardMarkup([[_close_button(context, state.question)]])
    for telegram_id in services.corrections.maintainers or await services.org.admins():
        try:
            await context.bot.send_message(telegram_id, notice, reply_markup=keyboard)
        except TelegramError as error:
            log.warning("could not tell %s of a correction: %s", telegram_id, error)


def _close_button(context: BotContext, question_id: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        context.services.texts.corrections_close.format(id=question_id),
        callback_data=CLOSE_CORRECTION.pack(CloseTap(question_id)),
    )


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
    # Every report listed is one this person may close (the list is scoped alike).
    buttons = [[_close_button(context, ids[i])] for i in split[number]]
    navigation = page_buttons(texts, CORRECTIONS_PAGE.prefix, number, len(split))
    if navigation:
        buttons.append(navigation)
    text = page_text(header, items, split[number], number, len(split), texts)
    return text, InlineKeyboardMarkup(buttons) if buttons else None


async def close_callback(update: Update, context: BotContext, tap: CloseTap) -> None:
    """回复并关闭 under a report or in /corrections: ask for the reply, if the tapper may close
    any open report on the question now."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    if not await services.corrections.may_close(context.actor, tap.question_id):
        await query.answer(services.texts.correction_nothing_to_close, show_alert=True)
        return
    await query.answer()
    await conversation.ask(context, query.from_user.id, CorrectionReply(tap.question_id))
    await context.bot.send_message(
        query.from_user.id,
        services.texts.correction_reply_ask.format(
            question=question_label(context, tap.question_id)
        ),
    )


async def correction_reply(update: Update, context: BotContext, state: CorrectionReply) -> None:
    """The reply that closes a question's reports: closed as far as the person may close them
    now, and sent to each member who reported."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    await conversation.end(context, user.id)
    reporters = await services.corrections.close(context.actor, state.question, message.text)
    if not reporters:
        await message.reply_text(texts.correction_nothing_to_close)
        return
    told = texts.correction_replied.format(
        question=question_label(context, state.question), reply=message.text.strip()[:500]
    )
    for telegram_id in reporters:
        try:
            await context.bot.send_message(telegram_id, told)
        except TelegramError as error:
            log.warning("could not send a correction reply to %s: %s", telegram_id, error)
    await message.reply_text(
        texts.corrections_closed.format(id=state.question, count=len(reporters))
    )

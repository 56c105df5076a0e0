"""答题纠错: a member reports a question they think is wrong; secretaries and admins read the
reports with /corrections, admins mark them handled."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import CLOSE_CORRECTION, CloseTap, FixTap
from bot.org.access import Role

SHOWN = 20


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
    await context.bot.send_message(query.from_user.id, services.texts.correction_ask)


async def correction_text(update: Update, context: BotContext, state: CorrectionText) -> None:
    """The text of a correction report."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    if not await services.corrections.report(user.id, state.question, message.text):
        return
    await conversation.end(context, user.id)
    await message.reply_text(services.texts.correction_thanks)


async def corrections_command(update: Update, context: BotContext) -> None:
    """/corrections — open reports, grouped by question, newest last."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    actor = context.actor
    reports = await services.corrections.open_reports(None if actor.admin else actor.scope)
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
                        callback_data=CLOSE_CORRECTION.pack(CloseTap(question_id)),
                    )
                ]
            )
    await message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons) if buttons else None
    )


async def close_callback(update: Update, context: BotContext, tap: CloseTap) -> None:
    """An admin marks a question's reports handled (the registry has checked the role)."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    closed = await services.corrections.close(tap.question_id, query.from_user.id)
    await query.answer(services.texts.corrections_closed.format(id=tap.question_id, count=closed))

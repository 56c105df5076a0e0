"""Greeting, rules, unknown text and the error handler."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.quiz.rules import PASS_PERCENT, POINTS_PER_QUESTION, max_points

log = logging.getLogger(__name__)


async def register(update: Update, context: BotContext) -> int | None:
    """Record whoever wrote to the bot as a member and return their id."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    return await services.org.register(user.id, user.first_name, user.last_name, user.username)


async def greet(update: Update, context: BotContext) -> None:
    """Greet a member and say what the bot does."""
    if update.effective_message is None or update.effective_user is None:
        return
    await register(update, context)
    texts = context.services.texts
    count = context.services.settings.quiz.questions_per_quiz
    await update.effective_message.reply_text(
        texts.start.format(name=update.effective_user.first_name, count=count)
    )


def rules_text(context: BotContext) -> str:
    """The scoring rules in words, built from the constants that apply them."""
    texts = context.services.texts
    quiz = context.services.settings.quiz
    count = quiz.questions_per_quiz
    lines = [
        texts.rules_header,
        "",
        texts.rules_points.format(
            points=POINTS_PER_QUESTION, count=count, total=max_points(count)
        ),
        texts.rules_multiple,
        texts.rules_pass.format(percent=PASS_PERCENT),
        texts.rules_time_limit.format(seconds=quiz.seconds_per_question)
        if quiz.seconds_per_question
        else texts.rules_no_time_limit,
        "",
        texts.rules_footer,
    ]
    return "\n".join(lines)


async def rules_command(update: Update, context: BotContext) -> None:
    """State the scoring rules."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(rules_text(context))


async def unknown_text(update: Update, context: BotContext) -> None:
    """Answer text the bot does not understand with a short pointer to /quiz and /help."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.services.texts.unknown)


async def error_handler(update: object, context: BotContext) -> None:
    """Record every error with the update it came from, and tell a private chat we failed."""
    log.error("error while handling update %s", _update_id(update), exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == "private" and context.bot_data.services is not None:
        try:
            await context.bot.send_message(chat.id, context.services.texts.error)
        except Exception:
            log.exception("could not tell chat %s about the error", chat.id)


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else update

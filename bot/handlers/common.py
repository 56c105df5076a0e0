"""Greeting, rules, unknown text and the error handler."""

from __future__ import annotations

import logging

from telegram import ReplyKeyboardMarkup, Update
from telegram.error import BadRequest

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


async def greet(
    update: Update,
    context: BotContext,
    *,
    joining: bool = False,
    reply_markup: ReplyKeyboardMarkup | None = None,
) -> None:
    """Greet a member and say what the bot does, and what to do next — unless they came by an
    invite link, where the next step is giving their name, not /quiz. ``reply_markup``: the
    members' keyboard, from /start."""
    if update.effective_message is None or update.effective_user is None:
        return
    await register(update, context)
    texts = context.services.texts
    count = context.services.settings.quiz.questions_per_quiz
    text = texts.start.format(name=texts.address(update.effective_user.first_name), count=count)
    await update.effective_message.reply_text(
        text if joining else f"{text}\n\n{texts.start_next}", reply_markup=reply_markup
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
    """Record every error with the update it came from, and tell a private chat we failed.
    A tap answered too late (it waited while the bot was down) was still handled: only the
    acknowledgement failed, so the member is not told that something went wrong."""
    if isinstance(context.error, BadRequest) and too_old(context.error):
        log.info("update %s: a tap answered too late to acknowledge", _update_id(update))
        return
    log.error("error while handling update %s", _update_id(update), exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == "private" and context.bot_data.services is not None:
        try:
            await context.bot.send_message(chat.id, context.services.texts.error)
        except Exception:
            log.exception("could not tell chat %s about the error", chat.id)


def too_old(error: BadRequest) -> bool:
    """Telegram's refusal to acknowledge a tap more than about 15 seconds old."""
    return "query is too old" in error.message.lower()


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else update


SENDER_STUCK_AFTER = 120
"""Seconds without a clean pass over the outbox before /status warns: the sender looks at
least once a second, so two minutes means it is stuck, not idle."""


async def status_command(update: Update, context: BotContext) -> None:
    """/status — the health figure: when the outbox sender last ran cleanly."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    last = services.sender.last_success
    if last is None:
        await message.reply_text(texts.status_sender_never)
        return
    seconds = max(0, int((services.clock.now() - last).total_seconds()))
    text = texts.status_sender.format(
        time=last.astimezone(services.settings.zone).strftime("%H:%M:%S"), seconds=seconds
    )
    if seconds > SENDER_STUCK_AFTER:
        text = texts.status_sender_stuck.format(seconds=seconds) + "\n" + text
    await message.reply_text(text)


def not_modified(error: BadRequest) -> bool:
    """Telegram refuses an edit that changes nothing; that is a repeat, not a failure."""
    return "message is not modified" in error.message.lower()

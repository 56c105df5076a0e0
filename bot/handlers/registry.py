"""The one list of commands: it registers the handlers, sets Telegram's command menu and
writes /help, so the three can never disagree."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.handlers import common, me, quiz
from bot.i18n import Texts

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    name: str
    description: Callable[[Texts], str]
    callback: Handler


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(help_text(context.services.texts))


COMMANDS: tuple[Command, ...] = (
    Command("quiz", lambda t: t.command_quiz, quiz.quiz_command),
    Command("me", lambda t: t.command_me, me.me_command),
    Command("cancel", lambda t: t.command_cancel, quiz.cancel_command),
    Command("rules", lambda t: t.command_rules, common.rules_command),
    Command("help", lambda t: t.command_help, help_command),
    Command("start", lambda t: t.command_start, common.start_command),
)


def help_text(texts: Texts) -> str:
    lines = [texts.help_header, ""]
    lines += [f"/{command.name} — {command.description(texts)}" for command in COMMANDS]
    lines += ["", texts.help_footer]
    return "\n".join(lines)


def bot_commands(texts: Texts) -> list[BotCommand]:
    return [BotCommand(command.name, command.description(texts)) for command in COMMANDS]


def register_handlers(application: BotApplication) -> None:
    # Commands first, so that "/quiz" is never taken for unknown text.
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, command.callback))
    application.add_handler(CallbackQueryHandler(quiz.quiz_callback, pattern=r"^quiz:"))
    # Any other button (an old keyboard, a forged tap) is answered and ignored.
    application.add_handler(CallbackQueryHandler(quiz.quiz_callback))
    # Unknown text gets a pointer to /help, but only in private: groups are not ours to fill.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.COMMAND), common.unknown_text
        )
    )
    application.add_error_handler(common.error_handler)

"""The one list of commands: it registers the handlers, sets Telegram's command menus, writes
/help, and decides who may run what, so none of these can disagree.

Each command names the least role it needs and whether it is for private chats only. Every
command passes through ``guarded`` — the single place where roles are enforced and refusals
recorded — before its handler runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.handlers import (
    attendance,
    broadcast,
    common,
    corrections,
    me,
    org,
    quiz,
    reports,
    stats,
    text,
)
from bot.i18n import Texts
from bot.org.access import Actor, Role

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    name: str
    description: Callable[[Texts], str]
    callback: Handler
    role: Role = Role.MEMBER
    private: bool = True
    """Private-chat only: anything personal or any list of people stays out of groups."""


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands this person may use."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            help_text(context.services.texts, context.actor.role)
        )


async def start_command(update: Update, context: BotContext) -> None:
    """Greet; with an invite code (t.me/<bot>?start=<code>) begin joining a branch; give
    secretaries and admins the command menu of their role."""
    if update.effective_message is None or update.effective_chat is None:
        return
    await common.greet(update, context)
    if context.args:
        await org.begin_join(update, context, context.args[0])
    if context.actor.role > Role.MEMBER:
        await context.bot.set_my_commands(
            bot_commands(context.services.texts, context.actor.role),
            scope=BotCommandScopeChat(update.effective_chat.id),
        )


COMMANDS: tuple[Command, ...] = (
    Command("quiz", lambda t: t.command_quiz, quiz.quiz_command),
    Command("me", lambda t: t.command_me, me.me_command),
    Command("cancel", lambda t: t.command_cancel, quiz.cancel_command),
    Command("joindate", lambda t: t.command_joindate, me.joindate_command),
    Command("themeday", lambda t: t.command_themeday, attendance.themeday_command),
    Command(
        "leaderboard", lambda t: t.command_leaderboard, stats.leaderboard_command, private=False
    ),
    Command("rules", lambda t: t.command_rules, common.rules_command, private=False),
    Command("help", lambda t: t.command_help, help_command, private=False),
    Command("start", lambda t: t.command_start, start_command),
    Command("stats", lambda t: t.command_stats, stats.stats_command, Role.SECRETARY),
    Command("hardest", lambda t: t.command_hardest, stats.hardest_command, Role.SECRETARY),
    Command("ranking", lambda t: t.command_ranking, stats.ranking_command, Role.SECRETARY),
    Command("chart", lambda t: t.command_chart, reports.chart_command, Role.SECRETARY),
    Command("units", lambda t: t.command_units, stats.units_command, Role.SECRETARY),
    Command("members", lambda t: t.command_members, stats.members_command, Role.SECRETARY),
    Command("export", lambda t: t.command_export, reports.export_command, Role.SECRETARY),
    Command(
        "broadcast", lambda t: t.command_broadcast, broadcast.broadcast_command, Role.SECRETARY
    ),
    Command(
        "attendance", lambda t: t.command_attendance, attendance.attendance_command, Role.SECRETARY
    ),
    Command(
        "corrections",
        lambda t: t.command_corrections,
        corrections.corrections_command,
        Role.SECRETARY,
    ),
    Command("invite", lambda t: t.command_invite, org.invite_command, Role.SECRETARY),
    Command("transfer", lambda t: t.command_transfer, org.transfer_command, Role.SECRETARY),
    Command("depart", lambda t: t.command_depart, org.depart_command, Role.SECRETARY),
    Command(
        "bindgroup",
        lambda t: t.command_bindgroup,
        org.bindgroup_command,
        Role.SECRETARY,
        private=False,
    ),
    Command("promote", lambda t: t.command_promote, org.promote_command, Role.ADMIN),
    Command("demote", lambda t: t.command_demote, org.demote_command, Role.ADMIN),
)


def commands_for(role: Role) -> list[Command]:
    return [command for command in COMMANDS if command.role <= role]


def help_text(texts: Texts, role: Role) -> str:
    lines = [texts.help_header, ""]
    lines += [f"/{c.name} — {c.description(texts)}" for c in commands_for(role)]
    lines += ["", texts.help_footer]
    return "\n".join(lines)


def bot_commands(texts: Texts, role: Role = Role.MEMBER) -> list[BotCommand]:
    return [BotCommand(c.name, c.description(texts)) for c in commands_for(role)]


def refusal(texts: Texts, needed: Role) -> str:
    return {
        Role.MEMBER: texts.refused_member,
        Role.SECRETARY: texts.refused_secretary,
        Role.GENERAL_SECRETARY: texts.refused_general_secretary,
        Role.ADMIN: texts.refused_admin,
    }[needed]


def guarded(command: Command) -> Handler:
    """The command behind its checks: chat type, then role. A refusal names no data."""

    async def run(update: Update, context: BotContext) -> None:
        user, chat, message = (
            update.effective_user,
            update.effective_chat,
            update.effective_message,
        )
        if user is None or chat is None or message is None:
            return
        services = context.services
        if command.private and chat.type != "private":
            await message.reply_text(services.texts.private_only)
            return
        actor: Actor = await services.org.actor(user.id)
        if not actor.allowed(command.role):
            log.info("refused /%s to user %s (%s)", command.name, user.id, actor.role.name)
            await services.org.record_refusal(user.id, command.name)
            await message.reply_text(refusal(services.texts, command.role))
            return
        context.actor = actor
        await command.callback(update, context)

    return run


def register_handlers(application: BotApplication) -> None:
    # Commands first, so that "/quiz" is never taken for plain text.
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, guarded(command)))
    application.add_handler(CallbackQueryHandler(quiz.quiz_callback, pattern=r"^quiz:"))
    application.add_handler(CallbackQueryHandler(quiz.topic_callback, pattern=r"^topic:"))
    application.add_handler(CallbackQueryHandler(corrections.fix_callback, pattern=r"^fix:"))
    application.add_handler(CallbackQueryHandler(corrections.close_callback, pattern=r"^fixdone:"))
    application.add_handler(
        CallbackQueryHandler(broadcast.broadcast_callback, pattern=r"^broadcast:")
    )
    application.add_handler(CallbackQueryHandler(attendance.rsvp_callback, pattern=r"^rsvp:"))
    application.add_handler(CallbackQueryHandler(stats.nudge_callback, pattern=r"^nudge:"))
    application.add_handler(CallbackQueryHandler(attendance.sign_callback, pattern=r"^sign:"))
    # Any other button (an old keyboard, a forged tap) is answered and ignored.
    application.add_handler(CallbackQueryHandler(quiz.quiz_callback))
    # Text in private: what the person was asked for (a real name, a broadcast), else a
    # pointer to /help. Groups are not ours to fill, so the bot stays silent there.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.COMMAND), text.text_message
        )
    )
    application.add_error_handler(common.error_handler)

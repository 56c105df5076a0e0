"""The one list of what people can do: commands, the buttons of every keyboard and the typed
replies the bot asks for. It registers the handlers, sets Telegram's command menus, writes
/help, and decides who may run what, so none of these can disagree.

Each command and button names the least role it needs and whether it is for private chats only;
each button names the codec of its callback data. Every command and every tap passes through
the same check (``bot/handlers/access.py``) — the single place where roles are enforced and
refusals recorded — at the moment it arrives, before its handler runs. Typed replies pass the
same check in the free-text router (``bot/handlers/text.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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
from bot.handlers.access import admit, refusal
from bot.handlers.callbacks import (
    BROADCAST,
    CLOSE_CORRECTION,
    FIX,
    NUDGE,
    QUIZ,
    RSVP,
    SIGN,
    TOPIC,
    Codec,
)
from bot.i18n import Texts
from bot.org.access import Role

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
T = TypeVar("T")


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
    Command("member", lambda t: t.command_member, stats.member_command, Role.SECRETARY),
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
        texts = context.services.texts
        refused = await admit(
            context,
            user.id,
            chat.type,
            what=command.name,
            role=command.role,
            private=command.private,
        )
        if refused is not None:
            needed = refused.needed
            await message.reply_text(
                texts.private_only if needed is None else refusal(texts, needed)
            )
            return
        await command.callback(update, context)

    return run


@dataclass(frozen=True)
class Button(Generic[T]):
    """A button prefix: the codec of its callback data and the handler of a tap, which gets
    the unpacked value."""

    codec: Codec[T]
    callback: Callable[[Update, BotContext, T], Coroutine[Any, Any, None]]
    role: Role = Role.MEMBER
    private: bool = True
    """Private-chat only: a tap on a group's message (forged, or on a keyboard that should not
    be there) must never post a question, a list of names or a result into the group."""


BUTTONS: tuple[Button[Any], ...] = (
    Button(QUIZ, quiz.quiz_callback),
    Button(TOPIC, quiz.topic_callback),
    Button(FIX, corrections.fix_callback),
    Button(CLOSE_CORRECTION, corrections.close_callback, Role.ADMIN),
    Button(BROADCAST, broadcast.broadcast_callback, Role.SECRETARY),
    Button(RSVP, attendance.rsvp_callback),
    Button(NUDGE, stats.nudge_callback, Role.SECRETARY),
    Button(SIGN, attendance.sign_callback, Role.SECRETARY),
)
_BY_PREFIX = {button.codec.prefix: button for button in BUTTONS}


async def button_tapped(update: Update, context: BotContext) -> None:
    """Any tap: unpacked by its prefix's codec, checked like a command, then handled. Data no
    codec accepts (an old keyboard, a forged tap) is answered and ignored."""
    query = update.callback_query
    if query is None:
        return
    texts = context.services.texts
    data = query.data if isinstance(query.data, str) else ""
    button = _BY_PREFIX.get(data.partition(":")[0])
    value = button.codec.unpack(data) if button is not None else None
    if button is None or value is None or query.message is None:
        await query.answer(texts.tap_invalid)
        return
    refused = await admit(
        context,
        query.from_user.id,
        query.message.chat.type,
        what=f"{button.codec.prefix}:",
        role=button.role,
        private=button.private,
    )
    if refused is not None:
        await query.answer(
            texts.tap_private_only if refused.needed is None else texts.tap_refused,
            show_alert=True,
        )
        return
    await button.callback(update, context, value)


def register_handlers(application: BotApplication) -> None:
    # Commands first, so that "/quiz" is never taken for plain text.
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, guarded(command)))
    # Every tap goes to one router: its prefix picks the codec and the handler.
    application.add_handler(CallbackQueryHandler(button_tapped))
    # Text in private: what the person was asked for (a real name, a broadcast), else a
    # pointer to /help. Groups are not ours to fill, so the bot stays silent there.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.COMMAND), text.text_message
        )
    )
    application.add_error_handler(common.error_handler)

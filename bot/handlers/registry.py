"""The one list of what people can do: commands, the buttons of every keyboard and the typed
replies the bot asks for. It registers the handlers, sets Telegram's command menus, writes
/help, and decides who may run what, so none of these can disagree.

Each command and button names the least role it needs and whether it is for private chats only;
each button names the codec of its callback data. Every command and every tap passes through
the same check (``bot/handlers/access.py``) — the single place where roles are enforced and
refusals recorded — at the moment it arrives, before its handler runs. Typed replies pass the
same check in the free-text router (``bot/handlers/text.py``).

Menus follow the chat: a group's menu and /help list only what works there for everyone (a
secretary's /help in a group must not show secretary commands to the whole branch); a private
chat lists what its person's role may use — members through the all-private-chats scope,
secretaries and admins through a menu of their own chat, set at /start and on /promote and
/demote. Members also get a reply keyboard of big buttons (``KEYS``); a tap on one arrives as
its label's text and runs its command behind the same check.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApplication, BotContext
from bot.handlers import (
    attendance,
    broadcast,
    common,
    corrections,
    makeup,
    me,
    meeting,
    org,
    quiz,
    reports,
    signin,
    stats,
    text,
    themeday,
)
from bot.handlers.access import admit, refusal
from bot.handlers.callbacks import (
    ACK,
    ACKS,
    BROADCAST,
    CLOSE_CORRECTION,
    CORRECTIONS_PAGE,
    FIX,
    LEAVE_CHOICE,
    MEET,
    MEET_CONFIRM,
    MEETING_KIND,
    MEMBERS_PAGE,
    NEXT,
    NUDGE,
    PROXY,
    QUIZ,
    RECORD,
    REQUEST,
    RSVP,
    SIGN,
    SIGNIN,
    STUDIED,
    TOPIC,
    TRANSFER,
    Codec,
)
from bot.i18n import LOCALES, Texts
from bot.meetings.service import THEMEDAY_START
from bot.meetings.signin import START_PREFIX
from bot.org.access import Role

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
T = TypeVar("T")

MAX_COMMAND_LENGTH = 32
"""Telegram's longest command name; what is typed beyond it is not quoted back."""


@dataclass(frozen=True)
class Command:
    name: str
    description: Callable[[Texts], str]
    callback: Handler
    role: Role = Role.MEMBER
    private: bool = True
    """Private-chat only: anything personal or any list of people stays out of groups."""


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands this person may use here: in a group, only what works there."""
    message, chat = update.effective_message, update.effective_chat
    if message is not None and chat is not None:
        texts, group = context.services.texts, chat.type != "private"
        await message.reply_text(help_text(texts, context.actor.role, group=group))


async def start_command(update: Update, context: BotContext) -> None:
    """Greet; with an invite code (t.me/<bot>?start=<code>) begin joining a branch; give
    secretaries and admins the command menu of their role."""
    if update.effective_message is None or update.effective_chat is None:
        return
    payload = list(context.args or [])[:1]
    if payload and payload[0].startswith(START_PREFIX):
        # The QR code shown at a meeting: sign in, nothing else.
        await signin.scanned(update, context, payload[0])
        return
    # With an invite link the greeting does not say "发送 /quiz": the name comes first.
    texts = context.services.texts
    from_group = list(context.args or [])[:1] == [THEMEDAY_START]
    await common.greet(
        update,
        context,
        joining=bool(context.args) and not from_group,
        reply_markup=member_keyboard(texts),
    )
    if from_group:
        # From the link in a group's theme-day reminder: the buttons are in this chat.
        await update.effective_message.reply_text(context.services.texts.themeday_from_group)
    elif context.args:
        await org.begin_join(update, context, context.args[0])
    await set_chat_menu(context.bot, texts, update.effective_chat.id, context.actor.role)


async def keyboard_command(update: Update, context: BotContext) -> None:
    """/keyboard shows the big buttons again; its own 收起按钮 (/keyboard hide) puts them away."""
    message = update.effective_message
    if message is None:
        return
    texts = context.services.texts
    if context.args == ["hide"]:
        await message.reply_text(texts.keyboard_hidden, reply_markup=ReplyKeyboardRemove())
    else:
        await message.reply_text(texts.keyboard_shown, reply_markup=member_keyboard(texts))


def _refreshing_menu(handler: Handler) -> Handler:
    """/promote or /demote, then the menu of the person whose role it changed."""

    async def run(update: Update, context: BotContext) -> None:
        await handler(update, context)
        target = org.promotion_args(context)
        if target is not None:
            actor = await context.services.org.actor(target[0])
            await set_chat_menu(context.bot, context.services.texts, target[0], actor.role)

    return run


COMMANDS: tuple[Command, ...] = (
    Command("quiz", lambda t: t.command_quiz, quiz.quiz_command),
    Command("me", lambda t: t.command_me, me.me_command),
    Command("cancel", lambda t: t.command_cancel, quiz.cancel_command),
    Command("joindate", lambda t: t.command_joindate, me.joindate_command),
    Command("name", lambda t: t.command_name, org.name_command),
    Command("themeday", lambda t: t.command_themeday, themeday.themeday_command),
    # Members sign in with the code; secretaries open sign-in (the handler tells them apart).
    Command("signin", lambda t: t.command_signin, signin.signin_command),
    Command(
        "leaderboard", lambda t: t.command_leaderboard, stats.leaderboard_command, private=False
    ),
    Command("rules", lambda t: t.command_rules, common.rules_command, private=False),
    Command("help", lambda t: t.command_help, help_command, private=False),
    Command("start", lambda t: t.command_start, start_command),
    Command("keyboard", lambda t: t.command_keyboard, keyboard_command),
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
    Command("meeting", lambda t: t.command_meeting, meeting.meeting_command, Role.SECRETARY),
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
    Command(
        "promote",
        lambda t: t.command_promote,
        _refreshing_menu(org.promote_command),
        Role.ADMIN,
    ),
    Command(
        "demote", lambda t: t.command_demote, _refreshing_menu(org.demote_command), Role.ADMIN
    ),
    Command("status", lambda t: t.command_status, common.status_command, Role.ADMIN),
)


def commands_for(role: Role, *, group: bool = False) -> list[Command]:
    """What a menu or /help lists: in a group, what every member may use there; in a private
    chat, everything ``role`` may use."""
    if group:
        return [c for c in COMMANDS if not c.private and c.role is Role.MEMBER]
    return [command for command in COMMANDS if command.role <= role]


def help_text(texts: Texts, role: Role, *, group: bool = False) -> str:
    lines = [texts.help_header, ""]
    lines += [f"/{c.name} — {c.description(texts)}" for c in commands_for(role, group=group)]
    lines += ["", texts.help_group_footer if group else texts.help_footer]
    return "\n".join(lines)


def bot_commands(
    texts: Texts, role: Role = Role.MEMBER, *, group: bool = False
) -> list[BotCommand]:
    return [BotCommand(c.name, c.description(texts)) for c in commands_for(role, group=group)]


async def set_menus(bot: Bot, texts: Texts) -> None:
    """The menus every chat falls back on: private chats get the member's commands, groups
    what works in a group. The default scope (any other chat) gets the group's list, the one
    that is safe anywhere."""
    await bot.set_my_commands(bot_commands(texts), scope=BotCommandScopeAllPrivateChats())
    group = bot_commands(texts, group=True)
    await bot.set_my_commands(group, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(group)


async def set_chat_menu(bot: Bot, texts: Texts, chat_id: int, role: Role) -> None:
    """The private menu of one person: their role's commands, or — a member — none of its
    own, so the all-private-chats menu applies. Telegram knows no chat with someone who has
    never written to the bot; their /start sets the menu then."""
    scope = BotCommandScopeChat(chat_id)
    try:
        if role > Role.MEMBER:
            await bot.set_my_commands(bot_commands(texts, role), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except BadRequest as error:
        if "chat not found" not in error.message.lower():
            raise
        log.info("menu of %s left for their /start: %s", chat_id, error.message)


@dataclass(frozen=True)
class Key:
    """A big button of the members' reply keyboard: its label, and the command (with
    arguments) its tap runs."""

    label: Callable[[Texts], str]
    command: str
    args: tuple[str, ...] = ()


KEYS: tuple[Key, ...] = (
    Key(lambda t: t.key_quiz, "quiz"),
    # /quiz with anything that is not a document (/quiz 选题, /quiz menu) shows the menu.
    Key(lambda t: t.key_topics, "quiz", ("menu",)),
    Key(lambda t: t.key_me, "me"),
    Key(lambda t: t.key_themeday, "themeday"),
    Key(lambda t: t.key_hide, "keyboard", ("hide",)),
)
_KEY_BY_LABEL = {key.label(texts): key for texts in LOCALES.values() for key in KEYS}


def member_keyboard(texts: Texts) -> ReplyKeyboardMarkup:
    """Two rows of two big buttons, and a small 收起按钮 under them. Not persistent, so the
    member can also fold it away with the keyboard icon and bring it back the same way."""
    labels = [key.label(texts) for key in KEYS]
    return ReplyKeyboardMarkup(
        [labels[0:2], labels[2:4], [KeyboardButton(labels[4])]], resize_keyboard=True
    )


async def key_pressed(update: Update, context: BotContext) -> None:
    """A tap on the reply keyboard arrives as its label: run its command, checked as typed."""
    message = update.effective_message
    key = _KEY_BY_LABEL.get(message.text or "") if message is not None else None
    if key is None:
        return
    context.args = list(key.args)
    await guarded(_BY_NAME[key.command])(update, context)


_BY_NAME = {command.name: command for command in COMMANDS}


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
                texts.private_only.format(command=command.name)
                if needed is None
                else refusal(texts, needed)
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
    Button(NEXT, quiz.next_callback),
    Button(TOPIC, quiz.topic_callback),
    Button(FIX, corrections.fix_callback),
    # A bank maintainer need not hold a role: the corrections service decides who may close.
    Button(CLOSE_CORRECTION, corrections.close_callback),
    Button(CORRECTIONS_PAGE, corrections.page_callback, Role.SECRETARY),
    Button(BROADCAST, broadcast.broadcast_callback, Role.SECRETARY),
    Button(RSVP, attendance.rsvp_callback),
    Button(LEAVE_CHOICE, attendance.leave_choice_callback),
    Button(NUDGE, stats.nudge_callback, Role.SECRETARY),
    Button(MEMBERS_PAGE, stats.members_page_callback, Role.SECRETARY),
    Button(SIGN, signin.sign_callback, Role.SECRETARY),
    Button(SIGNIN, signin.signin_callback, Role.SECRETARY),
    Button(PROXY, signin.proxy_callback, Role.SECRETARY),
    Button(STUDIED, makeup.studied_callback),
    Button(MEET, themeday.meet_callback, Role.SECRETARY),
    Button(MEET_CONFIRM, themeday.meet_confirm_callback, Role.SECRETARY),
    Button(MEETING_KIND, meeting.meeting_kind_callback, Role.SECRETARY),
    Button(RECORD, meeting.record_callback, Role.SECRETARY),
    Button(REQUEST, org.request_callback, Role.SECRETARY),
    Button(TRANSFER, org.transfer_callback, Role.SECRETARY),
    Button(ACK, broadcast.ack_callback),
    Button(ACKS, broadcast.acks_callback, Role.SECRETARY),
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


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have: say so, and name the closest one this person may use."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.text is None or user is None:
        return
    services = context.services
    texts = services.texts
    typed = message.text.split()[0][1:].split("@")[0][:MAX_COMMAND_LENGTH]
    actor = await services.org.actor(user.id)
    mine = {c.name: c for c in commands_for(actor.role)}
    close = difflib.get_close_matches(typed.lower(), mine, n=1, cutoff=0.6)
    if close:
        text = texts.unknown_command.format(
            command=typed, suggestion=close[0], description=mine[close[0]].description(texts)
        )
    else:
        text = texts.unknown_command_plain.format(command=typed)
    await message.reply_text(text)


def register_handlers(application: BotApplication) -> None:
    # Commands first, so that "/quiz" is never taken for plain text.
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, guarded(command)))
    # Every tap goes to one router: its prefix picks the codec and the handler.
    application.add_handler(CallbackQueryHandler(button_tapped))
    # A tap on the reply keyboard is text; its labels are taken before any other text, so
    # that 开始答题 is never read as a name or a broadcast.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.Text(list(_KEY_BY_LABEL)), key_pressed)
    )
    # A command none of the handlers above took: said so, with the closest one.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command)
    )
    # Text in private: what the person was asked for (a real name, a broadcast), else a
    # pointer to /help. Groups are not ours to fill, so the bot stays silent there.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.COMMAND), text.text_message
        )
    )
    # A photo in private: kept with a meeting's record when the secretary is adding photos
    # (checked as a typed reply is); otherwise left alone, as before.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.PHOTO, meeting.photo_message)
    )
    # A member who stops the bot: their secretaries hear of it.
    application.add_handler(ChatMemberHandler(org.bot_blocked, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(common.error_handler)

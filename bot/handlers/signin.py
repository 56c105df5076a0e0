"""签到 at the meeting, in chat.

* ``/signin`` — a secretary opens sign-in for the branch's meeting whose window holds now and
  gets the QR code with the short code, then a message with the live count (edited in place by
  ``SigninBoard``) and a button to 代签 the rest. A member sends ``/signin 1234``, or
  ``/signin`` and then the code.
* The QR code's link, ``/start si-<token>``, signs the member in at once.
* A code typed on its own in the private chat is read as one (forgiving of spaces, full-width
  digits and Chinese numerals: ``bot/meetings/codes.py``) when the member's branch has a
  sign-in or the code is one.
* 代签 / 补签: the list of members not signed in, a page at a time, each a button, and
  按姓名查找 for a name typed in part. Before the window closes a tap is 代签, after it 补签;
  both are recorded with who tapped and when.

Every refusal says why: not yet or no longer the window, another branch's meeting, a wrong code
(with the tries left), too many wrong codes, already signed in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import PROXY, SIGN, ProxyTap, SigninTap, SignTap
from bot.handlers.scope import branch_example, home_branch
from bot.handlers.signin_board import board_keyboard, board_text, title
from bot.i18n import Texts
from bot.meetings.codes import format_code, parse_code
from bot.meetings.events import Event, Meeting
from bot.meetings.qr import qr_png, signin_link
from bot.meetings.signin import FAILURE_WINDOW, START_PREFIX, Outcome, Refusal
from bot.org.access import Role
from bot.schedule.occurrences import EVENT_KINDS

PAGE_SIZE = 8
"""Names on one page of the 代签 list (two a row), with room for the paging buttons."""
SEARCH_SHOWN = 10


@dataclass(frozen=True)
class SigninCode(conversation.State):
    """A member sent /signin and is typing the code."""

    kind = "signin_code"


@dataclass(frozen=True)
class ProxySearch(conversation.State):
    """The secretary tapped 按姓名查找 on the 代签 list of ``event`` and is typing a name."""

    kind = "signin_proxy_search"
    event: int


def _clock(context: BotContext, moment: datetime) -> str:
    return moment.astimezone(context.services.settings.zone).strftime("%H:%M")


def _day(context: BotContext, event: Event) -> str:
    local = event.occurs_at.astimezone(context.services.settings.zone)
    return context.services.texts.month_day(local.date())


def _refusal_text(context: BotContext, outcome: Outcome) -> str:
    texts = context.services.texts
    refusal = outcome.refusal
    event, session = outcome.event, outcome.session
    if refusal is Refusal.NOT_YET and event is not None and session is not None:
        return texts.signin_refused_not_yet.format(
            title=title(texts, event),
            opens=_clock(context, session.opens_at),
            closes=_clock(context, session.closes_at),
        )
    if refusal is Refusal.ENDED and session is not None:
        return texts.signin_refused_ended.format(closes=_clock(context, session.closes_at))
    if refusal is Refusal.ALREADY:
        at = outcome.at
        return texts.signin_refused_already.format(time=_clock(context, at) if at else "")
    if refusal is Refusal.WRONG_CODE:
        return texts.signin_refused_wrong_code.format(left=outcome.attempts_left)
    if refusal is Refusal.TOO_MANY:
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        return texts.signin_refused_too_many.format(minutes=minutes)
    return {
        Refusal.NO_MEETING: texts.signin_refused_no_meeting,
        Refusal.CANCELLED: texts.signin_refused_cancelled,
        Refusal.NOT_MEMBER: texts.signin_refused_not_member,
        Refusal.OTHER_BRANCH: texts.signin_refused_other_branch,
        Refusal.NOT_INVITED: texts.signin_refused_not_invited,
        Refusal.BAD_LINK: texts.signin_refused_bad_link,
    }.get(refusal or Refusal.BAD_LINK, texts.signin_refused_bad_link)


async def _answer(
    context: BotContext, outcome: Outcome, reply: Callable[[str], Awaitable[object]]
) -> None:
    """Tell the member how their sign-in went; a success updates the secretary's count."""
    services = context.services
    if outcome.refusal is not None or outcome.event is None or outcome.at is None:
        await reply(_refusal_text(context, outcome))
        return
    event = outcome.event
    await reply(
        services.texts.signin_done.format(
            branch=services.org.branch_name(event.branch_id),
            date=_day(context, event),
            title=title(services.texts, event),
            time=_clock(context, outcome.at),
        )
    )
    services.board.changed(event.id)


async def scanned(update: Update, context: BotContext, payload: str) -> None:
    """/start si-<token>: the member scanned the QR code shown at the meeting."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = context.services
    actor = await services.org.actor(user.id)
    token = payload.removeprefix(START_PREFIX)
    outcome = await services.signin.by_token(actor.member, user.id, token)
    await _answer(context, outcome, message.reply_text)


async def typed_code(update: Update, context: BotContext) -> bool:
    """Text that reads as a sign-in code, from someone whose branch has a sign-in open or
    with a code that is one: sign them in (or say why not). False: not a sign-in."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    code = parse_code(message.text)
    if code is None:
        return False
    services = context.services
    actor = await services.org.actor(user.id)
    if not await services.signin.expects(actor.member, code):
        return False
    outcome = await services.signin.by_code(actor.member, user.id, code)
    await _answer(context, outcome, message.reply_text)
    return True


async def code_text(update: Update, context: BotContext, state: SigninCode) -> None:
    """The code typed after /signin. Text that is not 4 digits is not a guess: the member is
    asked again (the question stays open), and nothing is counted."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = context.services
    code = parse_code(message.text)
    if code is None:
        await message.reply_text(services.texts.signin_not_a_code)
        return
    await conversation.end(context, user.id)
    actor = await services.org.actor(user.id)
    outcome = await services.signin.by_code(actor.member, user.id, code)
    await _answer(context, outcome, message.reply_text)


async def signin_command(update: Update, context: BotContext) -> None:
    """/signin — a secretary opens sign-in for the meeting now; a member signs in with the
    code (/signin 1234, or /signin and then the code)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = context.services
    texts = services.texts
    actor = context.actor
    args = list(context.args or [])
    # A unit id that happens to be four digits names a branch, not a code.
    named = any(arg in services.org.tree.by_id for arg in args)
    code = parse_code(" ".join(args)) if args and not named else None
    if code is not None:
        outcome = await services.signin.by_code(actor.member, user.id, code)
        await _answer(context, outcome, message.reply_text)
        return
    if not actor.allowed(Role.SECRETARY):
        if actor.member is None or actor.member.branch_id is None:
            await message.reply_text(texts.signin_refused_not_member)
            return
        if not await services.signin.open_for(actor.member):
            await message.reply_text(texts.signin_refused_no_meeting)
            return
        await conversation.ask(context, user.id, SigninCode())
        await message.reply_text(texts.signin_ask_code)
        return
    branch_id, _ = home_branch(actor, args)
    if branch_id is None:
        await message.reply_text(
            texts.choose_branch.format(example=branch_example(actor, "signin"))
        )
        return
    await _store_planned(context, branch_id)
    current = await services.signin.current(branch_id)
    event = current.event
    branch = services.org.branch_name(branch_id)
    if event is None:
        await message.reply_text(texts.signin_no_meeting.format(branch=branch))
        return
    if current.refusal is Refusal.NOT_YET and current.opens_at is not None:
        await message.reply_text(
            texts.signin_not_yet.format(
                branch=branch,
                date=_day(context, event),
                time=_clock(context, event.occurs_at),
                title=title(texts, event),
                opens=_clock(context, current.opens_at),
            )
        )
        return
    await _open(context, message.chat_id, event)


async def _store_planned(context: BotContext, branch_id: str) -> None:
    """The branch's meetings the schedule plans around now, stored (as reminders store them),
    so that sign-in can open even where no reminder went out."""
    services = context.services
    unit = services.org.tree.by_id[branch_id]
    plan = services.schedule.branch(unit.id, unit.kind)
    now = services.clock.now()
    planned = plan.occurrences(now - timedelta(days=1), now + timedelta(days=1), kinds=EVENT_KINDS)
    await services.meetings.coming(
        [
            Meeting(
                unit.id,
                o.occurs_at,
                o.topic or o.title,
                o.place,
                kind=o.kind.value,
                rule=o.rule_key,
                title=o.title if o.rule_key != "theme_day" else "",
            )
            for o in planned
        ]
    )


async def _open(context: BotContext, chat_id: int, event: Event) -> None:
    """Open (or show again) sign-in for ``event``: the QR code and code, then the count."""
    services = context.services
    texts = services.texts
    opening = await services.signin.open(event, context.actor.telegram_id)
    session = opening.session
    if session is None:
        if opening.refusal is Refusal.ENDED:
            _, closes = services.signin.window(event)
            await context.bot.send_message(
                chat_id,
                texts.signin_open_ended.format(closes=_clock(context, closes)),
                reply_markup=board_keyboard(texts, event, late=True),
            )
        elif opening.refusal is Refusal.NOT_YET and opening.opens_at is not None:
            await context.bot.send_message(
                chat_id,
                texts.signin_not_yet.format(
                    branch=services.org.branch_name(event.branch_id),
                    date=_day(context, event),
                    time=_clock(context, event.occurs_at),
                    title=title(texts, event),
                    opens=_clock(context, opening.opens_at),
                ),
            )
        else:
            await context.bot.send_message(chat_id, texts.signin_refused_cancelled)
        return
    link = signin_link(context.bot.username, session.token, START_PREFIX)
    caption = texts.signin_caption.format(
        branch=services.org.branch_name(event.branch_id),
        date=_day(context, event),
        title=title(texts, event),
        code=format_code(session.code),
        opens=_clock(context, session.opens_at),
        closes=_clock(context, session.closes_at),
    )
    await context.bot.send_photo(chat_id, qr_png(link), caption=caption)
    board = await services.signin.board(event.id)
    assert board is not None
    sent = await context.bot.send_message(
        chat_id,
        board_text(texts, services.org.tree, services.settings.zone, board),
        reply_markup=board_keyboard(texts, event, late=False),
    )
    await services.signin.set_board(session, chat_id, sent.message_id)


async def _event_in_scope(context: BotContext, event_id: int) -> Event | None:
    event = await context.services.signin.event(event_id)
    if event is None or not context.actor.can_see(event.branch_id):
        return None
    return event


async def signin_callback(update: Update, context: BotContext, tap: SigninTap) -> None:
    """开启签到 under /attendance or /themeday."""
    query = update.callback_query
    if query is None:
        return
    event = await _event_in_scope(context, tap.event_id)
    if event is None:
        await query.answer(context.services.texts.tap_invalid)
        return
    await query.answer()
    await _open(context, query.from_user.id, event)


def _proxy_page(
    context: BotContext, event: Event, absent: list[tuple[int, str]], page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the 代签/补签 list: the names as buttons, 上一页/下一页, 按姓名查找."""
    services = context.services
    texts = services.texts
    late = services.signin.sign_kind(event) == "late"
    day, name = _day(context, event), title(texts, event)
    if not absent:
        return texts.signin_proxy_all_signed.format(date=day, title=name), None
    pages = max(1, -(-len(absent) // PAGE_SIZE))
    page = min(page, pages - 1)
    shown = absent[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    header = (texts.signin_late_title if late else texts.signin_proxy_title).format(
        date=day, title=name, count=len(absent)
    )
    if pages > 1:
        header += "\n" + texts.page_of.format(page=page + 1, pages=pages)
    rows = _name_rows(texts, event, shown, page, late)
    nav = []
    if page > 0:
        nav.append(_button(texts.page_previous, PROXY.pack(ProxyTap(event.id, page - 1))))
    if page + 1 < pages:
        nav.append(_button(texts.page_next, PROXY.pack(ProxyTap(event.id, page + 1))))
    if nav:
        rows.append(nav)
    rows.append([_button(texts.signin_search_button, PROXY.pack(ProxyTap(event.id, None)))])
    return header, InlineKeyboardMarkup(rows)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _name_rows(
    texts: Texts, event: Event, members: list[tuple[int, str]], page: int, late: bool
) -> list[list[InlineKeyboardButton]]:
    label = texts.late_sign_button if late else texts.proxy_sign_button
    buttons = [
        _button(label.format(name=name), SIGN.pack(SignTap(event.id, member_id, page)))
        for member_id, name in members
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def _absent(context: BotContext, event: Event, name: str = "") -> list[tuple[int, str]]:
    return [(m.id, m.name) for m in await context.services.signin.absent(event, name)]


async def proxy_callback(update: Update, context: BotContext, tap: ProxyTap) -> None:
    """A page of the 代签/补签 list, or 按姓名查找."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    event = await _event_in_scope(context, tap.event_id)
    if event is None:
        await query.answer(services.texts.tap_invalid)
        return
    await query.answer()
    if tap.page is None:
        await conversation.ask(context, query.from_user.id, ProxySearch(event.id))
        await context.bot.send_message(query.from_user.id, services.texts.signin_search_ask)
        return
    text, keyboard = _proxy_page(context, event, await _absent(context, event), tap.page)
    if _is_list(query.message):
        # 上一页/下一页: the list turns its page in place.
        await query.edit_message_text(text, reply_markup=keyboard)
    else:
        # From the count message or /attendance, which stay as they are.
        await context.bot.send_message(query.from_user.id, text, reply_markup=keyboard)


def _is_list(message: object) -> bool:
    """Whether a tapped message is a page of the 代签 list (it has a name's button)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    return markup is not None and any(
        SIGN.unpack(button.callback_data) is not None
        for row in markup.inline_keyboard
        for button in row
    )


async def search_text(update: Update, context: BotContext, state: ProxySearch) -> None:
    """A name (or part of one) to find among those not signed in."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    event = await _event_in_scope(context, state.event)
    await conversation.end(context, user.id)
    if event is None:
        await message.reply_text(texts.tap_refused)
        return
    name = "".join(message.text.split())[:20]
    found = await _absent(context, event, name)
    if not found:
        await message.reply_text(texts.signin_search_none.format(name=name))
        return
    late = services.signin.sign_kind(event) == "late"
    rows = _name_rows(texts, event, found[:SEARCH_SHOWN], 0, late)
    await message.reply_text(
        texts.signin_search_title.format(name=name, count=len(found)),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def sign_callback(update: Update, context: BotContext, tap: SignTap) -> None:
    """代签 or 补签 of one member, then the list again without them."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    texts = services.texts
    event = await _event_in_scope(context, tap.event_id)
    if event is None:
        await query.answer(texts.tap_invalid)
        return
    member = await services.org.member_by_id(tap.member_id)
    if member is None or member.branch_id != event.branch_id:
        await query.answer(texts.tap_invalid)
        return
    kind = await services.signin.proxy(event, member.id, query.from_user.id)
    if kind is None:
        await query.answer(texts.tap_stale)
    else:
        done = texts.tap_signed_late if kind == "late" else texts.tap_signed_proxy
        await query.answer(done.format(name=member.name))
        services.board.changed(event.id)
    text, keyboard = _proxy_page(context, event, await _absent(context, event), tap.page)
    await query.edit_message_text(text, reply_markup=keyboard)

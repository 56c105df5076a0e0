"""Joining and running a branch: invite links, real names and their approval, transfers,
roles, group chats."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import REQUEST, TRANSFER, RequestTap, TransferTap
from bot.handlers.scope import branch_example, home_branch, one_named
from bot.i18n import Texts
from bot.numbers import parse_int, parse_telegram_id
from bot.org.access import ADMIN_UNIT, Actor
from bot.org.joining import INVITE_DAYS, MAX_INVITE_DAYS, Decision, JoinRequest, RequestKind
from bot.org.members import Departure, Member
from bot.org.service import AwaitingApproval, Joined, JoinProblem, RenameProblem
from bot.org.transfers import (
    TRANSFER_REQUEST_DAYS,
    TransferAction,
    TransferOutcome,
    TransferRequest,
    TransferStatus,
)
from bot.org.tree import Level

log = logging.getLogger(__name__)


async def invite_command(update: Update, context: BotContext) -> None:
    """/invite [支部编号] [天数] — a join link for the branch; /invite revoke [支部编号]."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    branch_id, rest = home_branch(context.actor, list(context.args or []))
    if branch_id is None:
        await message.reply_text(
            texts.choose_branch.format(example=branch_example(context.actor, "invite"))
        )
        return
    name = services.org.branch_name(branch_id)
    revoke = rest[:1] == ["revoke"]
    # 长期: a link that works until revoked; no number: INVITE_DAYS.
    for_good = bool(rest) and not revoke and rest[-1] in texts.invite_for_good.split()
    days = parse_int(rest[-1], 1, MAX_INVITE_DAYS) if rest and not (revoke or for_good) else None
    extra = rest[1:] if revoke else rest[:-1] if days is not None or for_good else rest
    if extra:
        # A word that is neither "revoke" nor a number of days is a unit id we do not know:
        # never fall back to the caller's own branch (its links would be revoked).
        number = extra[0].isdigit()  # any digits, "²" too: a mistyped number of days
        await message.reply_text(
            texts.invite_usage if number else texts.unit_unknown.format(unit=extra[0])
        )
        return
    if revoke:
        count = await services.org.revoke_invites(branch_id)
        await message.reply_text(texts.invites_revoked.format(branch=name, count=count))
        return
    days = None if for_good else days or INVITE_DAYS
    code = await services.org.create_invite(context.actor, branch_id, days)
    link = f"https://t.me/{context.bot.username}?start={code}"
    expiry = texts.invite_expires.format(days=days) if days else texts.invite_no_expiry
    approval = (
        texts.invite_approval_on
        if services.org.approval_needed(branch_id)
        else texts.invite_approval_off
    )
    await message.reply_text(
        texts.invite_link.format(branch=name, link=link, expiry=expiry, approval=approval)
    )


@dataclass(frozen=True)
class JoinName(conversation.State):
    """Someone opened the invite link ``code`` and is typing their real name."""

    kind = "join_name"
    code: str


async def begin_join(update: Update, context: BotContext, code: str) -> None:
    """Someone opened an invite link: check it, then ask for their real name."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    member = await services.org.member(user.id)
    if member is None:
        return
    outcome = await services.org.start_join(member, code)
    texts = services.texts
    if isinstance(outcome, JoinProblem):
        await message.reply_text(_join_problem(context, outcome, member.branch_id))
        return
    await conversation.ask(context, user.id, JoinName(code))
    needed = services.org.approval_needed(outcome.branch_id)
    await message.reply_text(
        texts.join_ask_name.format(
            branch=services.org.branch_name(outcome.branch_id),
            next=texts.join_next_approval if needed else texts.join_next_direct,
        )
    )


def _join_problem(context: BotContext, problem: JoinProblem, branch_id: str | None) -> str:
    texts = context.services.texts
    return {
        JoinProblem.UNKNOWN: texts.join_invalid,
        JoinProblem.EXPIRED: texts.join_expired,
        JoinProblem.REVOKED: texts.join_revoked,
        JoinProblem.ALREADY_MEMBER: texts.join_already.format(
            branch=context.services.org.branch_name(branch_id)
        ),
    }[problem]


async def join_name(update: Update, context: BotContext, state: JoinName) -> None:
    """The real name of someone who opened an invite link; asked again until it is one."""
    message = update.effective_message
    user = update.effective_user
    member = context.actor.member
    if message is None or message.text is None or user is None or member is None:
        return
    services = context.services
    outcome = await services.org.finish_join(member, state.code, message.text)
    texts = services.texts
    if outcome is None:
        await message.reply_text(texts.join_bad_name)
        return
    await conversation.end(context, user.id)
    if isinstance(outcome, AwaitingApproval):
        request = outcome.request
        branch = services.org.branch_name(request.branch_id)
        await message.reply_text(texts.join_waiting.format(name=request.name, branch=branch))
        notice = texts.join_request_notice.format(
            name=request.name, telegram_name=member.first_name, branch=branch
        )
        await _tell_approvers(
            context, request.branch_id, notice, _decision_keyboard(context, request)
        )
    elif isinstance(outcome, Joined):
        branch = services.org.branch_name(outcome.branch_id)
        name = outcome.name
        await message.reply_text(texts.joined.format(name=texts.address(name), branch=branch))
        notice = texts.joined_notice.format(name=name, branch=branch)
        await _tell_approvers(context, outcome.branch_id, notice)
    else:
        await message.reply_text(_join_problem(context, outcome, member.branch_id))


async def name_command(update: Update, context: BotContext) -> None:
    """/name <姓名> — ask for one's registered real name to be corrected; the branch's
    secretary approves it with one tap."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    member = context.actor.member
    if member is None or member.branch_id is None:
        await message.reply_text(texts.no_branch)
        return
    outcome = await services.org.request_rename(member, " ".join(context.args or []))
    if outcome is RenameProblem.SAME:
        await message.reply_text(texts.name_same.format(name=member.name))
        return
    if isinstance(outcome, RenameProblem):
        await message.reply_text(texts.name_usage)
        return
    await message.reply_text(texts.name_requested.format(old=member.name, new=outcome.name))
    notice = texts.rename_request_notice.format(
        branch=services.org.branch_name(outcome.branch_id), old=member.name, new=outcome.name
    )
    await _tell_approvers(context, outcome.branch_id, notice, _decision_keyboard(context, outcome))


def _decision_keyboard(context: BotContext, request: JoinRequest) -> InlineKeyboardMarkup:
    texts = context.services.texts
    approve = texts.join_approve if request.kind is RequestKind.JOIN else texts.rename_approve
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    approve, callback_data=REQUEST.pack(RequestTap(request.id, True))
                ),
                InlineKeyboardButton(
                    texts.request_reject, callback_data=REQUEST.pack(RequestTap(request.id, False))
                ),
            ]
        ]
    )


async def _tell_approvers(
    context: BotContext,
    branch_id: str,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Tell a branch's secretaries (or the admins, when it has none). One who cannot be
    reached (blocked the bot) does not stop the others; the failure is logged."""
    for telegram_id in await context.services.org.approvers_of(branch_id):
        try:
            await context.bot.send_message(telegram_id, text, reply_markup=keyboard)
        except TelegramError as error:
            log.warning(
                "could not tell secretary %s of branch %s: %s", telegram_id, branch_id, error
            )


async def request_callback(update: Update, context: BotContext, tap: RequestTap) -> None:
    """同意 or 不同意 under a join or rename request: decided with the tapper's roles and scope
    now (the registry has checked the role; the service checks the branch)."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    decision, request = await services.org.decide(context.actor, tap.request_id, tap.approve)
    if decision is Decision.OUT_OF_SCOPE or request is None:
        await query.answer(texts.tap_refused if request else texts.tap_invalid, show_alert=True)
        return
    # Only the request's own message changes; a tap forged on another message leaves it be.
    own = _carries(query.message, query.data)
    if decision in (Decision.DECIDED, Decision.GONE):
        await query.answer(
            texts.request_decided if decision is Decision.DECIDED else texts.request_gone,
            show_alert=True,
        )
        if own:
            await query.edit_message_reply_markup(None)
        return
    await query.answer()
    approved = decision is Decision.APPROVED
    branch = services.org.branch_name(request.branch_id)
    old = request.old_name or ""
    if request.kind is RequestKind.JOIN:
        notice = texts.join_approved_notice if approved else texts.join_rejected_notice
        told = texts.joined if approved else texts.join_rejected
        done = notice.format(name=request.name, branch=branch)
        name = texts.address(request.name) if approved else request.name
        told = told.format(name=name, branch=branch)
    else:
        notice = texts.rename_approved_notice if approved else texts.rename_rejected_notice
        told = texts.rename_approved if approved else texts.rename_rejected
        done = notice.format(old=old, new=request.name)
        told = told.format(name=request.name)
    if own:
        await query.edit_message_text(done)
    else:
        await context.bot.send_message(query.from_user.id, done)
    await _tell_member(context, request, told)


async def _tell_member(context: BotContext, request: JoinRequest, text: str) -> None:
    try:
        await context.bot.send_message(request.telegram_id, text)
    except TelegramError as error:
        log.warning(
            "could not tell user %s of request %s: %s", request.telegram_id, request.id, error
        )


async def bot_blocked(update: Update, context: BotContext) -> None:
    """A member stopped the bot in their private chat: tell their branch's secretaries, who
    can no longer reach them through it."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status != ChatMemberStatus.BANNED:
        return
    member = await context.services.org.member(change.from_user.id)
    if member is None or member.branch_id is None:
        return
    services = context.services
    text = services.texts.left_notice.format(
        name=member.name, branch=services.org.branch_name(member.branch_id)
    )
    await _tell_approvers(context, member.branch_id, text)


async def transfer_command(update: Update, context: BotContext) -> None:
    """/transfer <姓名或编号> <目标支部编号> — 组织关系转接, history kept: at once between
    branches one answers for, else a request the receiving branch accepts."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    args = list(context.args or [])
    tree = services.org.tree
    if (
        len(args) != 2
        or args[1] not in tree.by_id
        or tree.by_id[args[1]].level is not Level.BRANCH
    ):
        await message.reply_text(texts.transfer_usage)
        return
    member = await one_named(context, message, args[0])
    if member is None:
        return
    target = args[1]
    names = {
        "name": member.name,
        "source": services.org.branch_name(member.branch_id),
        "target": services.org.branch_name(target),
    }
    if not context.actor.can_see(target):
        # Moving someone into a branch the sender does not answer for would hand that
        # branch a member (and their record) without its secretary knowing or agreeing.
        await _request_transfer(update, context, message, member, target, names)
        return
    await services.org.transfer(context.actor, member, target)
    await message.reply_text(texts.transferred.format(**names))
    await _tell_transferred(update, context, member, (member.branch_id, target), names)


async def _request_transfer(
    update: Update,
    context: BotContext,
    message: Message,
    member: Member,
    target: str,
    names: dict[str, str],
) -> None:
    """Into a branch outside the sender's scope: a request to whoever decides there (its
    secretaries, or the admins when it has none), with 接收 / 不接收; the sender may withdraw."""
    services = context.services
    texts = services.texts
    receivers = await services.org.approvers_of(target)
    if not receivers:
        await message.reply_text(texts.transfer_no_receiver.format(**names))
        return
    request, opened = await services.org.request_transfer(context.actor, member, target)
    expiry = _expiry(context, request)
    if not opened:
        await message.reply_text(
            texts.transfer_duplicate.format(
                **expiry,
                name=member.name,
                target=services.org.branch_name(request.to_branch),
            )
        )
        return
    withdraw = TRANSFER.pack(TransferTap(request.id, TransferAction.WITHDRAW))
    copy = await message.reply_text(
        texts.transfer_requested.format(**names, **expiry),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.transfer_withdraw_button, callback_data=withdraw)]]
        ),
    )
    await services.org.note_transfer_message(request.id, copy.message_id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label, callback_data=TRANSFER.pack(TransferTap(request.id, action))
                )
                for label, action in (
                    (texts.transfer_accept, TransferAction.ACCEPT),
                    (texts.transfer_decline, TransferAction.DECLINE),
                )
            ]
        ]
    )
    notice = texts.transfer_request_notice.format(
        **names, **expiry, by=_sender_name(update, context)
    )
    await _tell(context, receivers, notice, keyboard)


def _expiry(context: BotContext, request: TransferRequest) -> dict[str, str]:
    """When a request lapses, as the locale writes it, in the configured time zone."""
    local = request.expires_at.astimezone(context.services.settings.zone)
    return {"date": context.services.texts.month_day(local.date()), "time": f"{local:%H:%M}"}


def _sender_name(update: Update, context: BotContext) -> str:
    """Who acted, as the others are told: their registered name, else their Telegram name."""
    actor, user = context.actor, update.effective_user
    if actor.member is not None:
        return actor.member.name
    return user.first_name if user is not None else str(actor.telegram_id)


async def _tell(
    context: BotContext,
    chat_ids: Iterable[int | None],
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Send ``text`` to each private chat once, leaving out the person acting (who sees the
    outcome in their own chat); one who cannot be reached does not stop the others."""
    sender = context.actor.telegram_id
    for chat_id in dict.fromkeys(chat_ids):
        if chat_id is None or chat_id == sender:
            continue
        try:
            await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        except TelegramError as error:
            log.warning("transfer notice to %s not delivered: %s", chat_id, error)


async def _tell_transferred(
    update: Update,
    context: BotContext,
    member: Member,
    branches: tuple[str | None, str],
    names: dict[str, str],
    extra: Iterable[int] = (),
) -> None:
    """Everyone concerned hears of a move: the member and the secretaries on both sides."""
    services = context.services
    texts = services.texts
    await _tell(context, [member.telegram_id], texts.transfer_member_notice.format(**names))
    secretaries = [*extra]
    for branch in branches:
        secretaries += await services.org.secretaries_of(branch) if branch else []
    notice = texts.transfer_secretary_notice.format(**names, by=_sender_name(update, context))
    await _tell(context, [s for s in secretaries if s != member.telegram_id], notice)


async def transfer_callback(update: Update, context: BotContext, tap: TransferTap) -> None:
    """接收 / 不接收 under a transfer request, or 撤回 under the sender's copy: decided with the
    tapper's scope now (the registry has checked the role; the service checks the branch)."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    outcome, request = await services.org.act_on_transfer(
        context.actor, tap.request_id, tap.action
    )
    if outcome is TransferOutcome.OUT_OF_SCOPE or request is None:
        await query.answer(texts.tap_refused if request else texts.tap_invalid, show_alert=True)
        return
    # The request's own message is edited; a tap forged on another of the tapper's messages
    # (a quiz, a preview) leaves that message as it was.
    own = _carries(query.message, query.data)
    if outcome in (TransferOutcome.CLOSED, TransferOutcome.GONE):
        status = TransferStatus.VOID if outcome is TransferOutcome.GONE else request.status
        await query.answer(_closed(texts, status), show_alert=True)
        if own:
            await query.edit_message_reply_markup(None)
        tapped = query.message.message_id if query.message is not None else None
        lapsed = status in (TransferStatus.EXPIRED, TransferStatus.VOID)
        if lapsed and not (own and tapped == request.sender_message):
            await _drop_withdraw(context, request)
        return
    await query.answer()
    member = await services.org.member_by_id(request.member_id)
    names = {
        "name": member.name if member else f"#{request.member_id}",
        "source": services.org.branch_name(request.from_branch),
        "target": services.org.branch_name(request.to_branch),
    }
    if outcome is TransferOutcome.ACCEPTED:
        done = texts.transfer_accepted_notice
    elif outcome is TransferOutcome.DECLINED:
        done = texts.transfer_declined_notice
    else:
        done = texts.transfer_withdrawn_notice
    if own:
        await query.edit_message_text(done.format(**names))
    else:
        await context.bot.send_message(query.from_user.id, done.format(**names))
    if outcome is not TransferOutcome.WITHDRAWN:
        await _drop_withdraw(context, request)
    if outcome is TransferOutcome.ACCEPTED:
        if member is not None:
            branches = (request.from_branch, request.to_branch)
            await _tell_transferred(
                update, context, member, branches, names, [request.requested_by]
            )
    elif outcome is TransferOutcome.DECLINED:
        await _tell(context, [request.requested_by], texts.transfer_declined.format(**names))
    else:
        receivers = await services.org.approvers_of(request.to_branch)
        await _tell(context, receivers, texts.transfer_withdrawn.format(**names))


async def _drop_withdraw(context: BotContext, request: TransferRequest) -> None:
    """The request is decided: the 撤回 under the sender's copy goes (a failure to edit it is
    harmless — a later tap on it says what became of the request)."""
    if request.sender_message is None:
        return
    try:
        await context.bot.edit_message_reply_markup(
            request.requested_by, request.sender_message, reply_markup=None
        )
    except TelegramError as error:
        log.info("could not clear the withdraw button of request %s: %s", request.id, error)


def _carries(message: object, data: str | None) -> bool:
    """Whether ``message`` shows a button with this callback data."""
    if not isinstance(message, Message) or message.reply_markup is None or data is None:
        return False
    keyboard = message.reply_markup.inline_keyboard
    return any(button.callback_data == data for row in keyboard for button in row)


def _closed(texts: Texts, status: TransferStatus) -> str:
    """Why a tap on a request that is no longer pending did nothing."""
    return {
        TransferStatus.ACCEPTED: texts.transfer_closed_accepted,
        TransferStatus.DECLINED: texts.transfer_closed_declined,
        TransferStatus.WITHDRAWN: texts.transfer_closed_withdrawn,
        TransferStatus.EXPIRED: texts.transfer_closed_expired.format(days=TRANSFER_REQUEST_DAYS),
        TransferStatus.VOID: texts.transfer_closed_void,
        TransferStatus.PENDING: texts.request_decided,
    }[status]


def departure_reasons(texts: Texts) -> dict[str, Departure]:
    """The words a secretary writes for each reason, as the catalogue names them."""
    return {
        texts.departure_expelled: Departure.EXPELLED,
        texts.departure_died: Departure.DIED,
        texts.departure_moved_out: Departure.MOVED_OUT,
    }


async def depart_command(update: Update, context: BotContext) -> None:
    """/depart <姓名或编号> <出党|去世|转出本系统> [日期] — 党员减少, history kept."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    args = list(context.args or [])
    zone = services.settings.zone
    today = services.clock.now().astimezone(zone).date()
    reason = departure_reasons(texts).get(args[1]) if len(args) in (2, 3) else None
    try:
        on = date.fromisoformat(args[2]) if len(args) == 3 else today
    except ValueError:
        on = None
    if reason is None or on is None or on > today:
        await message.reply_text(texts.depart_usage)
        return
    member = await one_named(context, message, args[0])
    if member is None:
        return
    branch = services.org.branch_name(member.branch_id)
    joined = await services.org.depart(context.actor, member, reason, on, zone)
    if joined is None:
        await message.reply_text(texts.depart_too_early.format(name=member.name, branch=branch))
        return
    await message.reply_text(
        texts.departed.format(
            name=member.name, date=texts.long_date(on), reason=args[1], branch=branch
        )
    )


def promotion_args(context: BotContext) -> tuple[int, str] | None:
    """/promote's and /demote's arguments: whose role, and which unit (or admin)."""
    args = list(context.args or [])
    user = parse_telegram_id(args[0]) if len(args) == 2 else None
    if user is None:
        return None
    unit = ADMIN_UNIT if args[1] == "admin" else args[1]
    if unit != ADMIN_UNIT and unit not in context.services.org.tree.by_id:
        return None
    return user, unit


async def promote_command(update: Update, context: BotContext) -> None:
    """/promote <Telegram 用户ID> <组织编号|admin> — make a secretary of a unit, or an admin."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    parsed = promotion_args(context)
    if parsed is None:
        await message.reply_text(texts.promote_usage)
        return
    user, unit = parsed
    await services.org.promote(context.actor, user, unit)
    if unit == ADMIN_UNIT:
        await message.reply_text(texts.promoted_admin.format(user=user))
    else:
        await message.reply_text(
            texts.promoted.format(user=user, unit=services.org.branch_name(unit))
        )


async def demote_command(update: Update, context: BotContext) -> None:
    """/demote <Telegram 用户ID> <组织编号|admin> — take back a role given with /promote."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    parsed = promotion_args(context)
    if parsed is None:
        await message.reply_text(texts.demote_usage)
        return
    user, unit = parsed
    done = await services.org.demote(user, unit)
    if unit == ADMIN_UNIT:
        text = texts.demoted_admin if done else texts.demote_nothing_admin
    else:
        text = texts.demoted if done else texts.demote_nothing
    await message.reply_text(text.format(user=user, unit=services.org.branch_name(unit)))


async def bindgroup_command(update: Update, context: BotContext) -> None:
    """/bindgroup [组织编号] — in a group chat: this is the group of that branch."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    services = context.services
    texts = services.texts
    if chat.type == "private":
        await message.reply_text(texts.bindgroup_in_group)
        return
    args = list(context.args or [])
    unknown = [a for a in args if a not in services.org.tree.by_id]
    if unknown:
        await message.reply_text(texts.unit_unknown.format(unit=unknown[0]))
        return
    units = args or context.actor.home_units[:1]
    unit = units[0] if units else None
    if unit is None or not _answers_for(context.actor, unit):
        await message.reply_text(
            texts.choose_branch.format(example=branch_example(context.actor, "bindgroup"))
        )
        return
    if not await _group_admin(context, chat.id, context.actor.telegram_id):
        await message.reply_text(texts.bindgroup_not_group_admin)
        return
    kept = await services.org.bind_group(context.actor, chat.id, unit)
    if kept is not None:
        await message.reply_text(
            texts.group_bound_elsewhere.format(unit=services.org.branch_name(kept))
        )
        return
    await message.reply_text(texts.group_bound.format(unit=services.org.branch_name(unit)))


async def _group_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether Telegram says the person owns or administers the group: binding decides where
    a branch's reminders go, so a secretary who is only a member of someone's group (or not
    in it at all) cannot claim it."""
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


def _answers_for(actor: Actor, unit: str) -> bool:
    """Whether ``unit`` is one of the actor's units or lies below one."""
    return actor.admin or any(unit in actor.tree.descendants(u) for u in actor.secretary_of)

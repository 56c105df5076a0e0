"""Theme-day attendance in chat: 参加/请假 on reminders, a reason for leave, /attendance for
secretaries with a button to 代签 (补签 after the meeting) those not signed in, and one to open
sign-in while the meeting's window is open (``handlers/signin.py`` does both).

A reply sticks: the member's own reminder is edited to say what they answered, with one button
to change it, so an older member sees at a glance that the tap counted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import (
    LEAVE_CHOICE,
    PROXY,
    RSVP,
    SIGNIN,
    LeaveChoice,
    LeaveChoiceTap,
    ProxyTap,
    RsvpTap,
    SigninTap,
)
from bot.handlers.pages import MESSAGE_LIMIT, fit, fit_names, length
from bot.handlers.scope import branch_example, home_branch
from bot.i18n import Texts
from bot.meetings.events import Event
from bot.meetings.service import LEAVE_REASON_LIMIT, RsvpOutcome, Sheet


@dataclass(frozen=True)
class LeaveReason(conversation.State):
    """The member tapped 请假 and is typing the reason."""

    kind = "leave_reason"
    event: int
    message: int = 0
    """The reminder tapped, edited to show the leave once the reason is in (0: none)."""
    reminder: str = ""
    """That reminder's text without any earlier answer on it."""


def _reminder_text(texts: Texts, text: str) -> str:
    """A reminder's own text, without the answer an earlier tap put under it."""
    head, _, last = text.rpartition("\n\n")
    marks = (texts.rsvp_state_yes, texts.rsvp_state_leave.split("{")[0])
    return head if head and last.startswith(marks) else text


def _answered(
    texts: Texts, reminder: str, event_id: int, reason: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder as it stays after an answer: the answer under it, and a button to change
    it (refused once the meeting has begun)."""
    if reason is None:
        state, label, tap = (
            texts.rsvp_state_yes,
            texts.rsvp_change_to_leave,
            RsvpTap(event_id, "leave"),
        )
    else:
        state = texts.rsvp_state_leave.format(reason=reason)
        label, tap = texts.rsvp_change_to_yes, RsvpTap(event_id, "yes")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=RSVP.pack(tap))]])
    return f"{reminder}\n\n{state}", keyboard


async def rsvp_callback(update: Update, context: BotContext, tap: RsvpTap) -> None:
    """参加 or 请假 on a reminder; a tap after the day is answered and changes nothing."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    member = context.actor.member
    if member is None:
        await query.answer(texts.tap_invalid)
        return
    outcome = await services.meetings.rsvp(member, tap.event_id, tap.reply)
    if outcome is RsvpOutcome.PAST:
        await query.answer(texts.rsvp_past, show_alert=True)
    elif outcome is RsvpOutcome.NOT_INVITED:
        await query.answer(texts.tap_invalid)
    elif outcome is RsvpOutcome.ASK_REASON:
        await query.answer()
        shown = query.message
        reminder = _reminder_text(texts, shown.text or "") if isinstance(shown, Message) else ""
        state = LeaveReason(tap.event_id, shown.message_id if shown else 0, reminder)
        await conversation.ask(context, query.from_user.id, state)
        choices: list[LeaveChoice] = ["trip", "ill", "work"]
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _leave_label(texts, choice),
                        callback_data=LEAVE_CHOICE.pack(LeaveChoiceTap(tap.event_id, choice)),
                    )
                    for choice in choices
                ]
            ]
        )
        await context.bot.send_message(
            query.from_user.id,
            texts.rsvp_ask_reason.format(limit=LEAVE_REASON_LIMIT),
            reply_markup=keyboard,
        )
    else:
        await query.answer(texts.rsvp_recorded)
        if isinstance(query.message, Message) and query.message.text:
            text, keyboard = _answered(
                texts, _reminder_text(texts, query.message.text), tap.event_id, None
            )
            await query.edit_message_text(text, reply_markup=keyboard)


def _leave_label(texts: Texts, choice: LeaveChoice) -> str:
    return {"trip": texts.leave_trip, "ill": texts.leave_ill, "work": texts.leave_work}[choice]


async def _record_leave(
    context: BotContext,
    telegram_id: int,
    state: LeaveReason,
    reason: str,
    tell: Callable[[str], Awaitable[object]],
) -> None:
    """Record leave with ``reason``, ``tell`` the member, then show it on their reminder."""
    services = context.services
    member = context.actor.member
    await conversation.end(context, telegram_id)
    outcome = (
        await services.meetings.leave_reason(member, state.event, reason)
        if member is not None
        else RsvpOutcome.NOT_INVITED
    )
    if outcome is RsvpOutcome.PAST:
        await tell(services.texts.rsvp_past)
        return
    if outcome is RsvpOutcome.NOT_INVITED:
        await tell(services.texts.tap_refused)
        return
    # Only a theme day's absentees get its 补课 afterwards: a meeting called in the chat (党课,
    # 支委会 …) promises nothing it does not send.
    event = await services.meetings.find(state.event)
    recorded = (
        services.texts.rsvp_leave_recorded
        if event is not None and not event.adhoc
        else services.texts.rsvp_leave_recorded_meeting
    )
    await tell(recorded.format(reason=reason))
    if state.message and state.reminder:
        text, keyboard = _answered(services.texts, state.reminder, state.event, reason)
        await context.bot.edit_message_text(
            text, chat_id=telegram_id, message_id=state.message, reply_markup=keyboard
        )


async def leave_reason(update: Update, context: BotContext, state: LeaveReason) -> None:
    """A typed reason for leave, recorded if the member is still invited and the day is
    ahead."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    reason = message.text.strip()
    if length(reason) > LEAVE_REASON_LIMIT:
        # The question stays open: the member shortens the reason and sends it again.
        await message.reply_text(
            context.services.texts.text_too_long.format(
                length=length(reason), limit=LEAVE_REASON_LIMIT
            )
        )
        return
    await _record_leave(context, user.id, state, reason, message.reply_text)


async def leave_choice_callback(update: Update, context: BotContext, tap: LeaveChoiceTap) -> None:
    """出差, 生病 or 工作冲突 tapped under the question: the same as typing it, and only while
    that question is open for that theme day."""
    query = update.callback_query
    if query is None:
        return
    texts = context.services.texts
    user_id = query.from_user.id
    state = await conversation.current(context, user_id, [LeaveReason])
    if not isinstance(state, LeaveReason) or state.event != tap.event_id:
        await query.answer(texts.tap_invalid)
        return
    await query.answer()
    reason = _leave_label(texts, tap.reason)
    await _record_leave(context, user_id, state, reason, query.edit_message_text)


SECTION_LIMIT = 760
"""Characters each of the sheet's five lists may take: with the title they stay well inside
one message however many members a branch has and however long their leave reasons are."""


def _names(texts: Texts, names: list[str]) -> str:
    return fit_names(names, SECTION_LIMIT, texts) or "—"


def sheet_text(texts: Texts, branch: str, sheet: Sheet, day: str) -> str:
    leave = [f"{m.name}（{reason}）" if reason else m.name for m, reason in sheet.leave]
    kinds = {"proxy": texts.signed_proxy, "late": texts.signed_late, "self": ""}
    present = [m.name + kinds.get(kind, "") for m, kind in sheet.present]
    text = "\n".join(
        [
            texts.attendance_title.format(branch=branch, date=day, topic=sheet.event.topic),
            "",
            texts.attendance_coming.format(
                count=len(sheet.coming), names=_names(texts, [m.name for m in sheet.coming])
            ),
            texts.attendance_leave.format(count=len(sheet.leave), names=_names(texts, leave)),
            texts.attendance_no_reply.format(
                count=len(sheet.no_reply), names=_names(texts, [m.name for m in sheet.no_reply])
            ),
            texts.attendance_unreachable.format(
                count=len(sheet.unreachable),
                names=_names(texts, [m.name for m in sheet.unreachable]),
            ),
            texts.attendance_present.format(
                count=len(sheet.present), names=_names(texts, present)
            ),
            *(
                [
                    texts.attendance_studied.format(
                        count=len(sheet.studied),
                        names=_names(texts, [m.name for m in sheet.studied]),
                    )
                ]
                if sheet.studied
                else []
            ),
        ]
    )
    return fit(text, MESSAGE_LIMIT, texts.truncated)


def sheet_keyboard(
    texts: Texts, sheet: Sheet, *, late: bool, can_open: bool
) -> InlineKeyboardMarkup | None:
    """代签 (补签 after the meeting) of those not signed in, a page at a time — one button
    here, not one per member — and 开启签到 while the meeting's sign-in window is open."""
    signed = {m.id for m, _ in sheet.present}
    absent = sum(
        1
        for m in sheet.coming + [m for m, _ in sheet.leave] + sheet.no_reply + sheet.unreachable
        if m.id not in signed
    )
    rows = []
    if can_open:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.signin_open_button,
                    callback_data=SIGNIN.pack(SigninTap(sheet.event.id)),
                )
            ]
        )
    if absent:
        label = texts.attendance_late_button if late else texts.attendance_proxy_button
        rows.append(
            [
                InlineKeyboardButton(
                    label.format(count=absent),
                    callback_data=PROXY.pack(ProxyTap(sheet.event.id, 0)),
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def _pick(events: list[Event], wanted: date | None, context: BotContext) -> Event | None:
    zone = context.services.settings.zone
    now = context.services.clock.now()
    if wanted is not None:
        return next(
            (e for e in events if e.occurs_at.astimezone(zone).date() == wanted),
            None,
        )
    past = [
        e for e in events if e.occurs_at.astimezone(zone).date() <= now.astimezone(zone).date()
    ]
    return past[0] if past else (events[-1] if events else None)


async def attendance_command(update: Update, context: BotContext) -> None:
    """/attendance [日期] [支部编号] — who comes, who is on leave, who has not answered."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    args = list(context.args or [])
    branch_id, rest = home_branch(context.actor, args)
    if branch_id is None:
        await message.reply_text(
            texts.choose_branch.format(example=branch_example(context.actor, "attendance"))
        )
        return
    wanted: date | None = None
    if rest:
        try:
            wanted = date.fromisoformat(rest[0])
        except ValueError:
            await message.reply_text(texts.attendance_usage)
            return
    event = _pick(await services.meetings.events(branch_id), wanted, context)
    if event is None:
        await message.reply_text(texts.attendance_none)
        return
    sheet = await services.meetings.sheet(event.id)
    assert sheet is not None
    day = event.occurs_at.astimezone(services.settings.zone).strftime("%Y-%m-%d")
    opens, closes = services.signin.window(event)
    now = services.clock.now()
    await message.reply_text(
        sheet_text(texts, services.org.branch_name(branch_id), sheet, day),
        # A closed record (/meeting) is frozen: no sign-in to open, and only 补签.
        reply_markup=sheet_keyboard(
            texts,
            sheet,
            late=services.signin.sign_kind(event) == "late",
            can_open=opens <= now <= closes and not event.closed,
        ),
    )

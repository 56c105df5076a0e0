"""Theme-day attendance in chat: 参加/请假 on reminders, a reason for leave, /attendance for
secretaries with 签到 buttons (代签 on the day, 补签 afterwards)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import SIGN, RsvpTap, SignTap
from bot.handlers.pages import MESSAGE_LIMIT, fit, fit_names, length
from bot.handlers.scope import home_branch
from bot.i18n import Texts
from bot.meetings.events import Event, Meeting
from bot.meetings.service import LEAVE_REASON_LIMIT, RsvpOutcome, Sheet
from bot.schedule.holidays import Adjustment
from bot.schedule.occurrences import OccurrenceKind

SIGN_BUTTONS = 40


@dataclass(frozen=True)
class LeaveReason(conversation.State):
    """The member tapped 请假 and is typing the reason."""

    kind = "leave_reason"
    event: int


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
        await conversation.ask(context, query.from_user.id, LeaveReason(tap.event_id))
        await context.bot.send_message(
            query.from_user.id, texts.rsvp_ask_reason.format(limit=LEAVE_REASON_LIMIT)
        )
    else:
        await query.answer(texts.rsvp_recorded, show_alert=True)


async def leave_reason(update: Update, context: BotContext, state: LeaveReason) -> None:
    """The reason for leave, recorded if the member is still invited and the day is ahead."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    member = context.actor.member
    reason = message.text.strip()
    if length(reason) > LEAVE_REASON_LIMIT:
        # The question stays open: the member shortens the reason and sends it again.
        await message.reply_text(
            services.texts.text_too_long.format(length=length(reason), limit=LEAVE_REASON_LIMIT)
        )
        return
    await conversation.end(context, user.id)
    outcome = (
        await services.meetings.leave_reason(member, state.event, reason)
        if member is not None
        else RsvpOutcome.NOT_INVITED
    )
    if outcome is RsvpOutcome.PAST:
        await message.reply_text(services.texts.rsvp_past)
    elif outcome is RsvpOutcome.NOT_INVITED:
        await message.reply_text(services.texts.tap_refused)
    else:
        await message.reply_text(services.texts.rsvp_leave_recorded.format(reason=reason))


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
        ]
    )
    return fit(text, MESSAGE_LIMIT, texts.truncated)


def sheet_keyboard(texts: Texts, sheet: Sheet) -> InlineKeyboardMarkup | None:
    signed = {m.id for m, _ in sheet.present}
    candidates = [
        m
        for m in sheet.coming + [m for m, _ in sheet.leave] + sheet.no_reply + sheet.unreachable
        if m.id not in signed
    ]
    buttons = [
        InlineKeyboardButton(
            texts.sign_button.format(name=m.name),
            callback_data=SIGN.pack(SignTap(sheet.event.id, m.id)),
        )
        for m in candidates[:SIGN_BUTTONS]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
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
        await message.reply_text(texts.choose_branch.format(example="/attendance zb-001"))
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
    await message.reply_text(
        sheet_text(texts, services.org.branch_name(branch_id), sheet, day),
        reply_markup=sheet_keyboard(texts, sheet),
    )


async def sign_callback(update: Update, context: BotContext, tap: SignTap) -> None:
    """A secretary signs a member in from the attendance list."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    texts = services.texts
    event = await services.meetings.find(tap.event_id)
    if event is None or not context.actor.can_see(event.branch_id):
        await query.answer(texts.tap_invalid)
        return
    member = await services.org.member_by_id(tap.member_id)
    if member is None or member.branch_id != event.branch_id:
        await query.answer(texts.tap_invalid)
        return
    kind = await services.meetings.sign_in(event, member.id, query.from_user.id)
    await query.answer(texts.signed_now.format(name=member.name) if kind else texts.tap_stale)
    sheet = await services.meetings.sheet(event.id)
    if sheet is None:
        return
    day = event.occurs_at.astimezone(services.settings.zone).strftime("%Y-%m-%d")
    await query.edit_message_text(
        sheet_text(texts, services.org.branch_name(event.branch_id), sheet, day),
        reply_markup=sheet_keyboard(texts, sheet),
    )


async def themeday_command(update: Update, context: BotContext) -> None:
    """/themeday [支部编号] — the branch's next three theme days, as the schedule has them."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    actor = context.actor
    branch_id, _ = home_branch(actor, list(context.args or []))
    if branch_id is None and actor.member is not None:
        branch_id = actor.member.branch_id
    if branch_id is None:
        await message.reply_text(texts.no_branch)
        return
    unit = services.org.tree.by_id[branch_id]
    plan = services.schedule.branch(unit.id, unit.kind)
    events = plan.next_occurrences(services.clock.now(), 3, kinds=[OccurrenceKind.THEME_DAY])
    if not events:
        await message.reply_text(texts.themeday_none.format(branch=unit.name))
        return
    lines = [texts.themeday_title.format(branch=unit.name), ""]
    for event in events:
        day = Meeting(unit.id, event.occurs_at, event.topic or event.title, event.place)
        lines.append(services.meetings.describe(day))
        if event.holiday is not None and event.holiday.adjustment is Adjustment.MOVED:
            lines.append(
                texts.themeday_moved.format(
                    date=texts.month_day(event.holiday.rule_date),
                    holiday=event.holiday.holiday or "",
                )
            )
        lines.append("")
    await message.reply_text("\n".join(lines).strip())

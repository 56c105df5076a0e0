"""/themeday: the branch's coming theme days (and the other meetings organised in the chat),
and for its secretary a menu on each one to set the topic, place, agenda or speaker of that
occurrence, to move it to another date and time, or to cancel it (both announced to every
member). Each step is a typed state; nothing changes before the preview's 确认, and every step
checks the secretary's scope again at the moment it acts."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import (
    MEET,
    SIGNIN,
    MeetAction,
    MeetConfirmTap,
    MeetTap,
    SigninTap,
)
from bot.handlers.meeting import (
    confirm_keyboard,
    confirm_meeting,
    event_day,
    event_in_scope,
    event_rows,
    from_ms,
    meeting_states,
    moment_text,
    ms,
    settle_confirm,
    too_long,
    typed_moment,
)
from bot.handlers.scope import home_branch
from bot.i18n import Texts
from bot.meetings.events import (
    CANCEL_REASON_LIMIT,
    Audience,
    Detail,
    Event,
    EventStatus,
    Meeting,
)
from bot.meetings.service import MOVE_REASON_LIMIT, EditRefusal
from bot.org.access import Role
from bot.schedule.holidays import Adjustment
from bot.schedule.occurrences import OccurrenceKind

CANCEL = "cancel"
"""The ``field`` of a confirmation that cancels the occurrence rather than setting a detail."""


@dataclass(frozen=True)
class EventDetailText(conversation.State):
    """The secretary is typing one detail (a ``Detail`` value) of one occurrence."""

    kind = "event_detail"
    event: int
    detail: str


@dataclass(frozen=True)
class CancelReason(conversation.State):
    """The secretary is typing why one occurrence is cancelled."""

    kind = "event_cancel_reason"
    event: int


@dataclass(frozen=True)
class EventConfirm(conversation.State):
    """The preview is shown; 确认 or 放弃 is next. ``field`` is a ``Detail`` value or
    ``cancel``; ``stamp`` is in the preview's buttons."""

    kind = "event_confirm"
    event: int
    field: str
    value: str
    stamp: int


@dataclass(frozen=True)
class MoveWhen(conversation.State):
    """The secretary is typing the new date (and time) of one occurrence."""

    kind = "event_move_when"
    event: int


@dataclass(frozen=True)
class MoveReason(conversation.State):
    """The secretary is typing why the occurrence moves to ``to`` (UTC milliseconds)."""

    kind = "event_move_reason"
    event: int
    to: int


@dataclass(frozen=True)
class MoveConfirm(conversation.State):
    """The move's preview is shown; 确认 or 放弃 is next."""

    kind = "event_move_confirm"
    event: int
    to: int
    reason: str
    stamp: int


def _detail_name(texts: Texts, detail: Detail) -> str:
    return {
        Detail.TOPIC: texts.themeday_detail_topic,
        Detail.PLACE: texts.themeday_detail_place,
        Detail.AGENDA: texts.themeday_detail_agenda,
        Detail.SPEAKER: texts.themeday_detail_speaker,
        Detail.MATERIAL: texts.themeday_detail_material,
    }[detail]


def _refusal_text(texts: Texts, refusal: EditRefusal, kind: str) -> str:
    return {
        EditRefusal.PAST: texts.themeday_edit_past,
        EditRefusal.CANCELLED: texts.themeday_edit_cancelled,
    }[refusal].format(kind=kind)


async def themeday_command(update: Update, context: BotContext) -> None:
    """/themeday [支部编号] — the branch's next three theme days with this month's topic and
    place as set; its secretaries get a button on each to change it."""
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
    planned = plan.next_occurrences(services.clock.now(), 3, kinds=[OccurrenceKind.THEME_DAY])
    makeups = await _makeup_lines(context, unit.id)
    events = await services.meetings.coming(
        [Meeting(unit.id, o.occurs_at, o.topic or o.title, o.place) for o in planned]
    )
    listed = {e.id for e in events}
    # A 支委会 is the committee's business: members see the meetings called for the branch.
    officer = actor.allowed(Role.SECRETARY) and actor.can_see(unit.id)
    others = [
        e
        for e in await services.meetings.coming_elsewhere(unit.id)
        if e.id not in listed and (officer or e.audience is Audience.BRANCH)
    ]
    if not planned and not others:
        none = texts.themeday_none.format(branch=unit.name)
        await message.reply_text("\n".join([*makeups, none]))
        return
    lines = [texts.themeday_title.format(branch=unit.name), "", *makeups]
    if not planned:
        lines += [texts.themeday_none.format(branch=unit.name), ""]
    for occurrence, event in zip(planned, events, strict=True):
        lines.append(services.meetings.describe(event.as_meeting()))
        if event.status is EventStatus.CANCELLED:
            lines.append(texts.themeday_cancelled_mark)
        holiday = occurrence.holiday
        # A date the secretary moved is the one shown; the holiday's move no longer applies.
        moved_by_holiday = holiday is not None and holiday.adjustment is Adjustment.MOVED
        if holiday is not None and moved_by_holiday and event.moved_from is None:
            lines.append(
                texts.themeday_moved.format(
                    date=texts.month_day(holiday.rule_date), holiday=holiday.holiday or ""
                )
            )
        lines.append("")
    if others:
        lines.append(texts.themeday_other_meetings)
        for event in others:
            lines.append(texts.themeday_other_kind.format(kind=services.meetings.kind_name(event)))
            lines.append(services.meetings.describe(event.as_meeting()))
            lines.append("")
    keyboard = None
    if actor.allowed(Role.SECRETARY) and actor.can_see(unit.id):
        editable = [e for e in events + others if services.meetings.refusal(e) is None]
        now = services.clock.now()
        # Sign-in opens shortly before the start: the button shows while it can be opened.
        signing = [
            e
            for e in editable
            if services.signin.window(e)[0] <= now <= services.signin.window(e)[1]
        ]
        rows = [
            [
                InlineKeyboardButton(
                    texts.themeday_signin_button.format(date=event_day(context, e)),
                    callback_data=SIGNIN.pack(SigninTap(e.id)),
                )
            ]
            for e in signing
        ]
        rows += event_rows(
            context,
            editable,
            texts.themeday_manage_button,
            lambda e: MEET.pack(MeetTap(e.id, "open")),
        )
        if editable:
            lines.append(texts.themeday_manage_hint)
        keyboard = InlineKeyboardMarkup(rows) if rows else None
    await message.reply_text("\n".join(lines).strip(), reply_markup=keyboard)


async def _makeup_lines(context: BotContext, branch_id: str) -> list[str]:
    """The 补课 still to come of meetings already held: coming events too."""
    services = context.services
    texts = services.texts
    zone = services.settings.zone
    lines = []
    for event, due in await services.scheduler.coming_makeups(branch_id):
        local = due.astimezone(zone)
        lines.append(
            texts.themeday_makeup_line.format(
                date=texts.month_day(local.date()),
                time=local.strftime("%H:%M"),
                day=texts.month_day(event.occurs_at.astimezone(zone).date()),
            )
        )
    return [*lines, ""] if lines else []


def _menu(texts: Texts, event_id: int) -> InlineKeyboardMarkup:
    def button(label: str, action: MeetAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=MEET.pack(MeetTap(event_id, action)))

    return InlineKeyboardMarkup(
        [
            [button(texts.themeday_set_topic, "topic"), button(texts.themeday_set_place, "place")],
            [
                button(texts.themeday_set_agenda, "agenda"),
                button(texts.themeday_set_speaker, "speaker"),
            ],
            [button(texts.themeday_set_material, "material")],
            [
                button(texts.themeday_move_button, "move"),
                button(texts.themeday_cancel_button, "cancel"),
            ],
        ]
    )


async def _refused(query: CallbackQuery, context: BotContext, event: Event) -> bool:
    """Whether the occurrence can no longer be changed (held or cancelled): then the tap is
    answered with why."""
    services = context.services
    refusal = services.meetings.refusal(event)
    if refusal is None:
        return False
    await query.answer(
        _refusal_text(services.texts, refusal, services.meetings.kind_name(event)),
        show_alert=True,
    )
    return True


async def meet_callback(update: Update, context: BotContext, tap: MeetTap) -> None:
    """A secretary's button on one occurrence: its menu, or the question for one detail or
    for the reason of cancelling."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    event = await event_in_scope(context, tap.event_id)
    if event is None:
        await query.answer(texts.tap_invalid)
        return
    if await _refused(query, context, event):
        return
    await query.answer()
    chat = query.from_user.id
    if tap.action == "open":
        text = texts.themeday_manage_title.format(
            branch=services.org.branch_name(event.branch_id),
            details=services.meetings.describe(event.as_meeting()),
            kind=services.meetings.kind_name(event),
        )
        await context.bot.send_message(chat, text, reply_markup=_menu(texts, event.id))
    elif tap.action == "move":
        await conversation.ask(context, chat, MoveWhen(event.id))
        await context.bot.send_message(chat, texts.themeday_ask_move_when)
    elif tap.action == CANCEL:
        await conversation.ask(context, chat, CancelReason(event.id))
        await context.bot.send_message(
            chat, texts.themeday_ask_cancel_reason.format(limit=CANCEL_REASON_LIMIT)
        )
    else:
        detail = Detail(tap.action)
        await conversation.ask(context, chat, EventDetailText(event.id, detail.value))
        await context.bot.send_message(
            chat,
            texts.themeday_ask_detail.format(
                detail=_detail_name(texts, detail), limit=detail.limit
            ),
        )


async def _preview(
    update: Update, context: BotContext, event_id: int, field: str, limit: int
) -> None:
    """Check the typed value against its limit and the secretary's scope, then show it back
    with 确认 / 放弃."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    event = await _editable(update, context, event_id)
    if event is None:
        return
    value = message.text.strip()
    if await too_long(message, texts, value, limit):
        return
    stamp = int(services.clock.now().timestamp() * 1000)
    await conversation.ask(context, user.id, EventConfirm(event.id, field, value, stamp))
    kind = services.meetings.kind_name(event)
    if field == CANCEL:
        count = await services.meetings.audience(event.branch_id, event.audience)
        text = texts.themeday_cancel_preview.format(
            date=event_day(context, event), count=count, reason=value, kind=kind
        )
    else:
        text = texts.themeday_preview.format(
            date=event_day(context, event),
            detail=_detail_name(texts, Detail(field)),
            value=value,
            kind=kind,
        )
    await message.reply_text(text, reply_markup=confirm_keyboard(texts, stamp))


async def detail_text(update: Update, context: BotContext, state: EventDetailText) -> None:
    """The new topic, place, agenda or speaker: previewed, not yet saved."""
    detail = Detail(state.detail)
    await _preview(update, context, state.event, detail.value, detail.limit)


async def cancel_reason_text(update: Update, context: BotContext, state: CancelReason) -> None:
    """Why the occurrence is cancelled: previewed with the number of members told."""
    await _preview(update, context, state.event, CANCEL, CANCEL_REASON_LIMIT)


async def _editable(update: Update, context: BotContext, event_id: int) -> Event | None:
    """The occurrence if the secretary may still change it; else says why and ends the step."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    services = context.services
    event = await event_in_scope(context, event_id)
    refusal = services.meetings.refusal(event) if event is not None else None
    if event is None or refusal is not None:
        await conversation.end(context, user.id)
        await message.reply_text(texts_refusal(context, event, refusal))
        return None
    return event


def texts_refusal(context: BotContext, event: Event | None, refusal: EditRefusal | None) -> str:
    texts = context.services.texts
    if event is None or refusal is None:
        return texts.tap_refused
    return _refusal_text(texts, refusal, context.services.meetings.kind_name(event))


async def move_when_text(update: Update, context: BotContext, state: MoveWhen) -> None:
    """The new date and time (a date alone keeps the time of day): checked, then the reason
    is asked for."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    event = await _editable(update, context, state.event)
    if event is None:
        return
    to = await typed_moment(context, message, message.text, event.occurs_at)
    if to is None:
        return
    if to == event.occurs_at:
        await message.reply_text(texts.themeday_move_same)
        return
    await conversation.ask(context, user.id, MoveReason(event.id, ms(to)))
    await message.reply_text(
        texts.themeday_ask_move_reason.format(to=moment_text(context, to), limit=MOVE_REASON_LIMIT)
    )


async def move_reason_text(update: Update, context: BotContext, state: MoveReason) -> None:
    """Why it moves: previewed with whom it will be announced to."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    event = await _editable(update, context, state.event)
    if event is None:
        return
    reason = message.text.strip()
    if await too_long(message, texts, reason, MOVE_REASON_LIMIT):
        return
    stamp = ms(services.clock.now())
    await conversation.ask(context, user.id, MoveConfirm(event.id, state.to, reason, stamp))
    count = await services.meetings.audience(event.branch_id, event.audience)
    text = texts.themeday_move_preview.format(
        kind=services.meetings.kind_name(event),
        was=moment_text(context, event.occurs_at),
        to=moment_text(context, from_ms(state.to)),
        count=count,
        reason=reason,
    )
    await message.reply_text(text, reply_markup=confirm_keyboard(texts, stamp))


async def meet_confirm_callback(update: Update, context: BotContext, tap: MeetConfirmTap) -> None:
    """确认 or 放弃 under a preview: a stale, repeated, lapsed or no longer authorised tap
    changes nothing."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    user_id = query.from_user.id
    # Every preview of the meetings feature has its 确认 here: an edit, a move, a new meeting
    # (``meeting.py``) or closing a record; each is checked again at the moment it acts.
    states: list[type[conversation.State]] = [EventConfirm, MoveConfirm, *meeting_states()]
    state = await conversation.confirmation(context, query, states, tap.stamp)
    if state is None:
        return
    if not isinstance(state, EventConfirm | MoveConfirm):
        await confirm_meeting(update, context, state, tap.save)
        return
    await conversation.end(context, user_id)
    event = await event_in_scope(context, state.event)
    if event is not None and await _refused(query, context, event):
        return
    if not await settle_confirm(query, texts, event is not None, tap.save) or event is None:
        return
    kind = services.meetings.kind_name(event)
    if isinstance(state, MoveConfirm):
        to = from_ms(state.to)
        if to <= services.clock.now():
            await query.edit_message_text(texts.when_past)
            return
        moved = await services.meetings.move(event, to, state.reason, user_id)
        if moved is None:
            await query.edit_message_text(texts.tap_invalid)
            return
        count = await services.meetings.audience(event.branch_id, event.audience)
        services.sender.wake()
        await query.edit_message_text(
            texts.themeday_move_done.format(kind=kind, to=moment_text(context, to), count=count)
        )
        return
    if state.field == CANCEL:
        await services.meetings.cancel(event, state.value, user_id)
        count = await services.meetings.audience(event.branch_id, event.audience)
        services.sender.wake()
        await query.edit_message_text(texts.themeday_cancel_done.format(count=count, kind=kind))
        return
    detail = Detail(state.field)
    await services.meetings.set_detail(event, detail, state.value, user_id)
    saved = (
        texts.themeday_saved_material
        if detail is Detail.MATERIAL
        else texts.themeday_saved.format(detail=_detail_name(texts, detail))
    )
    await query.edit_message_text(saved)

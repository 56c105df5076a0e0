"""/meeting: 三会一课 organised in the chat. ``/meeting`` lists a branch's coming meetings and
its latest held ones; ``/meeting new`` organises a 党课, 支委会, 党员大会 or 党小组会 in typed
steps (date and time, topic, place, speaker) with a preview, announced on 确认 to those it is
for with 参加/请假; a held meeting's record takes minutes and photos, gives the photos back,
and is closed to freeze the attendance. Every step checks the secretary's scope again at the
moment it acts; the previews' 确认 arrives through ``themeday.meet_confirm_callback``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.dates import When, WhenProblem, WhenRefusal, parse_when
from bot.handlers import conversation
from bot.handlers.access import admit
from bot.handlers.callbacks import (
    MEET,
    MEET_CONFIRM,
    MEETING_KIND,
    PROXY,
    RECORD,
    MeetConfirmTap,
    MeetingKindTap,
    MeetTap,
    NewMeetingKind,
    ProxyTap,
    RecordAction,
    RecordTap,
)
from bot.handlers.pages import MESSAGE_LIMIT, fit
from bot.handlers.scope import branch_example, home_branch
from bot.i18n import Texts
from bot.meetings.events import (
    MINUTES_LIMIT,
    PHOTO_BYTES_LIMIT,
    PHOTOS_LIMIT,
    Audience,
    Detail,
    Event,
    Meeting,
    MeetingKind,
    kind_name,
)
from bot.meetings.records import PhotoOutcome, PhotoSize, RecordRefusal
from bot.org.access import Role
from bot.schedule.occurrences import OccurrenceKind

NONE_WORDS = frozenset({"-", "—", "/"})
"""Typed for "no speaker", beside the catalogue's word (无)."""


def ms(moment: datetime) -> int:
    """A moment as stored in a state: UTC milliseconds."""
    return int(moment.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def when_refusal_text(texts: Texts, refusal: WhenRefusal) -> str:
    """Why a typed date and time cannot be taken, with the forms that can."""
    return {
        WhenProblem.FORM: texts.when_form,
        WhenProblem.MONTH: texts.when_month,
        WhenProblem.DAY: texts.when_day,
        WhenProblem.TIME: texts.when_time,
        WhenProblem.PAST: texts.when_past,
    }[refusal.problem]


def local_moment(context: BotContext, when: When, default: datetime | None) -> datetime | None:
    """The typed day at the typed time (or ``default``'s time of day), in UTC; None when no
    time was typed and there is no default."""
    zone = context.services.settings.zone
    if when.at is None:
        if default is None:
            return None
        at = default.astimezone(zone).time().replace(tzinfo=None)
    else:
        at = when.at
    return datetime.combine(when.day, at, tzinfo=zone).astimezone(UTC)


def moment_text(context: BotContext, moment: datetime) -> str:
    """12月10日（星期四）14:30, as previews and announcements write a time."""
    texts = context.services.texts
    local = moment.astimezone(context.services.settings.zone)
    return texts.themeday_when_short.format(
        date=texts.long_date(local), weekday=texts.weekday(local), time=local.strftime("%H:%M")
    )


def confirm_keyboard(texts: Texts, stamp: int) -> InlineKeyboardMarkup:
    """确认 / 放弃 under a preview, naming it by ``stamp``."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.themeday_confirm,
                    callback_data=MEET_CONFIRM.pack(MeetConfirmTap(True, stamp)),
                ),
                InlineKeyboardButton(
                    texts.themeday_discard,
                    callback_data=MEET_CONFIRM.pack(MeetConfirmTap(False, stamp)),
                ),
            ]
        ]
    )


def event_day(context: BotContext, event: Event) -> str:
    """The meeting's day (12月10日), as buttons and previews name it."""
    local = event.occurs_at.astimezone(context.services.settings.zone)
    return context.services.texts.month_day(local.date())


def event_rows(
    context: BotContext, events: list[Event], label: str, data: Callable[[Event], str]
) -> list[list[InlineKeyboardButton]]:
    """A button a row for each meeting: ``label`` with its day and kind, tapping ``data``."""
    kind_name = context.services.meetings.kind_name
    return [
        [
            InlineKeyboardButton(
                label.format(date=event_day(context, e), kind=kind_name(e)), callback_data=data(e)
            )
        ]
        for e in events
    ]


async def event_in_scope(context: BotContext, event_id: int) -> Event | None:
    """A meeting (a theme day or one organised in the chat) of a branch the actor of this
    moment answers for, else None."""
    event = await context.services.meetings.find(event_id)
    if event is None or not context.actor.can_see(event.branch_id):
        return None
    return event


async def too_long(message: Message, texts: Texts, typed: str, limit: int) -> bool:
    """Whether the typed text is over its limit: then it is said, with both lengths, and the
    question stays open for a shorter one."""
    if len(typed) <= limit:
        return False
    await message.reply_text(texts.themeday_too_long.format(length=len(typed), limit=limit))
    return True


async def waiting_confirm(update: Update, context: BotContext, state: conversation.State) -> None:
    """Text while a preview waits for its buttons: point at them."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.services.texts.themeday_waiting_confirm)


async def typed_moment(
    context: BotContext, message: Message, typed: str, default: datetime | None
) -> datetime | None:
    """The typed date and time (a date alone takes ``default``'s time of day), in UTC; None
    after saying why it cannot be taken (not a date, no time, already past)."""
    services = context.services
    texts = services.texts
    today = services.clock.now().astimezone(services.settings.zone).date()
    when = parse_when(typed, today)
    if isinstance(when, WhenRefusal):
        await message.reply_text(when_refusal_text(texts, when))
        return None
    at = local_moment(context, when, default)
    if at is None:
        await message.reply_text(texts.when_no_time)
        return None
    if at <= services.clock.now():
        await message.reply_text(texts.when_past)
        return None
    return at


# --- /meeting new -------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingDraft(conversation.State):
    """A new meeting being typed, one step at a time: ``step`` is what comes next
    (``when``, ``topic``, ``place``, ``speaker``); the fields before it are filled."""

    kind = "meeting_draft"
    branch: str
    meeting: str
    step: str
    at: int = 0
    topic: str = ""
    place: str = ""


@dataclass(frozen=True)
class MeetingConfirm(conversation.State):
    """The new meeting's preview is shown; 确认 announces it."""

    kind = "meeting_confirm"
    branch: str
    meeting: str
    at: int
    topic: str
    place: str
    speaker: str
    stamp: int


@dataclass(frozen=True)
class MinutesText(conversation.State):
    """The secretary is typing the minutes of a held meeting."""

    kind = "record_minutes"
    event: int


@dataclass(frozen=True)
class RecordPhotos(conversation.State):
    """The secretary is sending photos of a held meeting."""

    kind = "record_photos"
    event: int


@dataclass(frozen=True)
class CloseConfirm(conversation.State):
    """Closing a record is previewed (it cannot be undone); 确认 closes it."""

    kind = "record_close"
    event: int
    stamp: int


def meeting_states() -> list[type[conversation.State]]:
    """The previews of this module that ``meetok`` (确认/放弃) answers."""
    return [MeetingConfirm, CloseConfirm]


KINDS: tuple[NewMeetingKind, ...] = (
    "member_meeting",
    "committee_meeting",
    "group_meeting",
    "party_lecture",
)


async def meeting_command(update: Update, context: BotContext) -> None:
    """/meeting [new] [支部编号] — the branch's coming and latest held meetings (records);
    ``new`` organises a 党课, 支委会, 党员大会 or 党小组会."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    args = list(context.args or [])
    new = bool(args) and args[0].lower() in ("new", texts.meeting_new_word)
    branch_id, _ = home_branch(context.actor, args[1:] if new else args)
    if branch_id is None:
        await message.reply_text(
            texts.choose_branch.format(
                example=branch_example(context.actor, "meeting new" if new else "meeting")
            )
        )
        return
    if new:
        buttons = [
            InlineKeyboardButton(
                kind_name(texts, kind),
                callback_data=MEETING_KIND.pack(MeetingKindTap(branch_id, kind)),
            )
            for kind in KINDS
        ]
        await message.reply_text(
            texts.meeting_choose_kind.format(branch=services.org.branch_name(branch_id)),
            reply_markup=InlineKeyboardMarkup([buttons[0:2], buttons[2:4]]),
        )
        return
    text, keyboard = await _listing(context, branch_id)
    await message.reply_text(text, reply_markup=keyboard)


async def _listing(context: BotContext, branch_id: str) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    texts = services.texts
    unit = services.org.tree.by_id[branch_id]
    plan = services.schedule.branch(unit.id, unit.kind)
    now = services.clock.now()
    planned = plan.next_occurrences(now, 1, kinds=[OccurrenceKind.THEME_DAY])
    coming = await services.meetings.coming(
        [Meeting(unit.id, o.occurs_at, o.topic or o.title, o.place) for o in planned]
    )
    listed = {e.id for e in coming}
    coming += [e for e in await services.meetings.coming_elsewhere(unit.id) if e.id not in listed]
    coming = sorted(
        (e for e in coming if services.meetings.refusal(e) is None), key=lambda e: e.occurs_at
    )
    held = await services.records.recent(unit.id)
    lines = [texts.meeting_list_title.format(branch=unit.name), "", texts.meeting_list_coming]
    lines += [_line(context, e) for e in coming] or [texts.meeting_list_none]
    lines += ["", texts.meeting_list_held]
    lines += [_line(context, e) for e in held] or [texts.meeting_list_none]
    lines += ["", texts.meeting_list_hint]
    rows = event_rows(
        context, coming, texts.meeting_edit_button, lambda e: MEET.pack(MeetTap(e.id, "open"))
    )
    rows += event_rows(
        context, held, texts.meeting_record_button, lambda e: RECORD.pack(RecordTap(e.id, "open"))
    )
    text = fit("\n".join(lines), MESSAGE_LIMIT, texts.truncated)
    return text, InlineKeyboardMarkup(rows) if rows else None


def _line(context: BotContext, event: Event) -> str:
    services = context.services
    texts = services.texts
    return texts.meeting_list_line.format(
        when=moment_text(context, event.occurs_at),
        kind=services.meetings.kind_name(event),
        topic=event.topic or "—",
    )


async def meeting_kind_callback(update: Update, context: BotContext, tap: MeetingKindTap) -> None:
    """The kind picked: the date and time are asked for first."""
    query = update.callback_query
    if query is None:
        return
    texts = context.services.texts
    if not context.actor.can_see(tap.branch_id):
        await query.answer(texts.tap_invalid)
        return
    await query.answer()
    chat = query.from_user.id
    await conversation.ask(context, chat, MeetingDraft(tap.branch_id, tap.kind, "when"))
    await context.bot.send_message(
        chat, texts.meeting_ask_when.format(kind=kind_name(texts, tap.kind))
    )


async def draft_text(update: Update, context: BotContext, state: MeetingDraft) -> None:
    """One step of a new meeting: the date and time, the topic, the place, the speaker; the
    last one brings the preview."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    if not context.actor.can_see(state.branch):
        await conversation.end(context, user.id)
        await message.reply_text(texts.tap_refused)
        return
    typed = message.text.strip()
    if state.step == "when":
        at = await typed_moment(context, message, typed, None)
        if at is None:
            return
        await conversation.ask(context, user.id, _next(state, "topic", at=ms(at)))
        await message.reply_text(texts.meeting_ask_topic.format(limit=Detail.TOPIC.limit))
        return
    limits = {"topic": Detail.TOPIC.limit, "place": Detail.PLACE.limit}
    limit = limits.get(state.step, Detail.SPEAKER.limit)
    if await too_long(message, texts, typed, limit):
        return
    if state.step == "topic":
        await conversation.ask(context, user.id, _next(state, "place", topic=typed))
        await message.reply_text(texts.meeting_ask_place.format(limit=Detail.PLACE.limit))
        return
    if state.step == "place":
        await conversation.ask(context, user.id, _next(state, "speaker", place=typed))
        await message.reply_text(texts.meeting_ask_speaker.format(limit=Detail.SPEAKER.limit))
        return
    speaker = "" if typed in NONE_WORDS or typed == texts.meeting_none_word else typed
    stamp = ms(services.clock.now())
    confirm = MeetingConfirm(
        state.branch, state.meeting, state.at, state.topic, state.place, speaker, stamp
    )
    await conversation.ask(context, user.id, confirm)
    meeting = _meeting(confirm)
    audience = (
        Audience.COMMITTEE if state.meeting == MeetingKind.COMMITTEE.value else Audience.BRANCH
    )
    count = await services.meetings.audience(state.branch, audience)
    whom = (
        texts.meeting_audience_committee
        if audience is Audience.COMMITTEE
        else texts.meeting_audience_branch
    ).format(count=count)
    await message.reply_text(
        texts.meeting_new_preview.format(
            branch=services.org.branch_name(state.branch),
            kind=kind_name(texts, state.meeting),
            details=services.meetings.describe(meeting),
            audience=whom,
        ),
        reply_markup=confirm_keyboard(texts, stamp),
    )


def _next(state: MeetingDraft, step: str, **filled: Any) -> MeetingDraft:
    return dataclasses.replace(state, step=step, **filled)


def _meeting(state: MeetingConfirm) -> Meeting:
    return Meeting(
        state.branch,
        from_ms(state.at),
        state.topic,
        state.place,
        kind=state.meeting,
        rule=state.meeting,
        speaker=state.speaker,
    )


async def confirm_meeting(
    update: Update, context: BotContext, state: conversation.State, save: bool
) -> None:
    """确认 or 放弃 under a new meeting's or a record's closing preview (already matched to
    its stamp by the caller), checked against the secretary's scope of this moment."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    user_id = query.from_user.id
    await conversation.end(context, user_id)
    if isinstance(state, MeetingConfirm):
        if not await settle_confirm(query, texts, context.actor.can_see(state.branch), save):
            return
        if from_ms(state.at) <= services.clock.now():
            await query.edit_message_text(texts.when_past)
            return
        key = f"adhoc:{state.branch}:{user_id}:{state.stamp}"
        event = await services.meetings.create(_meeting(state), key, user_id)
        if event is None:
            await query.edit_message_text(texts.tap_invalid)
            return
        count = await services.meetings.audience(event.branch_id, event.audience)
        services.sender.wake()
        await query.edit_message_text(
            texts.meeting_created.format(kind=services.meetings.kind_name(event), count=count)
        )
        return
    if isinstance(state, CloseConfirm):
        event = await event_in_scope(context, state.event)
        if not await settle_confirm(query, texts, event is not None, save) or event is None:
            return
        closed = await services.records.close(event, user_id)
        await query.edit_message_text(texts.record_closed if closed else texts.record_is_closed)


async def settle_confirm(query: CallbackQuery, texts: Texts, allowed: bool, save: bool) -> bool:
    """Answer 确认 or 放弃: refused when the secretary may no longer act, the preview closed
    on 放弃; True when the change is to be made."""
    if not allowed:
        await query.answer(texts.tap_refused, show_alert=True)
        return False
    await query.answer()
    if not save:
        await query.edit_message_text(texts.themeday_discarded)
        return False
    return True


# --- Records ------------------------------------------------------------------------------


def _record_refusal_text(texts: Texts, refusal: RecordRefusal) -> str:
    return {
        RecordRefusal.NOT_HELD: texts.record_not_held,
        RecordRefusal.CLOSED: texts.record_is_closed,
    }[refusal]


async def _open_record(
    context: BotContext, message: Message, user_id: int, event: Event | None
) -> Event | None:
    """The record if it still takes minutes and photos; else says why and ends the step."""
    texts = context.services.texts
    refusal = context.services.records.refusal(event) if event is not None else None
    if event is None or refusal is not None:
        await conversation.end(context, user_id)
        await message.reply_text(
            texts.tap_refused if refusal is None else _record_refusal_text(texts, refusal)
        )
        return None
    return event


async def record_text(context: BotContext, event: Event) -> str:
    """The record as the secretary sees it: the meeting, its counts, minutes, photos, and
    whether the attendance is frozen."""
    services = context.services
    texts = services.texts
    sheet = await services.meetings.sheet(event.id)
    photos = await services.records.photos(event)
    signed = {m.id for m, _ in sheet.present} if sheet else set()
    present = len(signed)
    # 请假 as the ledger counts it: on leave and not signed in after all.
    leave = len([m for m, _ in sheet.leave if m.id not in signed]) if sheet else 0
    state = (
        texts.record_state_closed.format(
            date=moment_text(context, event.closed_at) if event.closed_at else ""
        )
        if event.closed
        else texts.record_state_open
    )
    text = texts.record_title.format(
        when=moment_text(context, event.occurs_at),
        kind=services.meetings.kind_name(event),
        topic=event.topic or "—",
        present=present,
        leave=leave,
        minutes=event.minutes or texts.record_minutes_none,
        photos=len(photos),
        state=state,
    )
    return fit(text, MESSAGE_LIMIT, texts.truncated)


def _record_keyboard(texts: Texts, event: Event) -> InlineKeyboardMarkup:
    def button(label: str, action: RecordAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=RECORD.pack(RecordTap(event.id, action)))

    # 代签/补签 from sign-in's list: the way for a meeting /attendance does not list (党课 …),
    # and still open once the record is closed (as 补签).
    sign = InlineKeyboardButton(
        texts.record_sign_button, callback_data=PROXY.pack(ProxyTap(event.id, 0))
    )
    rows = [[button(texts.record_show_button, "show"), sign]]
    if not event.closed:
        rows.insert(
            0,
            [
                button(texts.record_minutes_button, "minutes"),
                button(texts.record_photos_button, "photos"),
            ],
        )
        rows.append([button(texts.record_close_button, "close")])
    return InlineKeyboardMarkup(rows)


async def record_callback(update: Update, context: BotContext, tap: RecordTap) -> None:
    """A secretary's button on a held meeting's record."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    event = await event_in_scope(context, tap.event_id)
    if event is None:
        await query.answer(texts.tap_invalid)
        return
    chat = query.from_user.id
    if tap.action == "show":
        await query.answer()
        photos = await services.records.photos(event)
        if not photos:
            await context.bot.send_message(chat, texts.record_no_photos)
        for photo in photos:
            await context.bot.send_photo(chat, photo.file_id)
        return
    if tap.action == "done":
        await query.answer()
        # Only the photos of this record end here: an old 完成 leaves another question open.
        pending = await conversation.current(context, chat, [RecordPhotos])
        if isinstance(pending, RecordPhotos) and pending.event == event.id:
            await conversation.end(context, chat)
        count = len(await services.records.photos(event))
        await context.bot.send_message(chat, texts.record_photos_done.format(count=count))
        return
    refusal = services.records.refusal(event)
    if tap.action == "open":
        await query.answer()
        await context.bot.send_message(
            chat, await record_text(context, event), reply_markup=_record_keyboard(texts, event)
        )
        return
    if refusal is not None:
        await query.answer(_record_refusal_text(texts, refusal), show_alert=True)
        return
    await query.answer()
    if tap.action == "minutes":
        await conversation.ask(context, chat, MinutesText(event.id))
        await context.bot.send_message(chat, texts.record_ask_minutes.format(limit=MINUTES_LIMIT))
    elif tap.action == "photos":
        await conversation.ask(context, chat, RecordPhotos(event.id))
        done = InlineKeyboardButton(
            texts.record_done_button, callback_data=RECORD.pack(RecordTap(event.id, "done"))
        )
        await context.bot.send_message(
            chat,
            texts.record_ask_photos.format(
                size=PHOTO_BYTES_LIMIT // (1024 * 1024), limit=PHOTOS_LIMIT
            ),
            reply_markup=InlineKeyboardMarkup([[done]]),
        )
    else:
        stamp = ms(services.clock.now())
        await conversation.ask(context, chat, CloseConfirm(event.id, stamp))
        await context.bot.send_message(
            chat,
            texts.record_close_preview.format(
                date=event_day(context, event), kind=services.meetings.kind_name(event)
            ),
            reply_markup=confirm_keyboard(texts, stamp),
        )


async def minutes_text(update: Update, context: BotContext, state: MinutesText) -> None:
    """The minutes: saved (replacing earlier ones) while the record is open."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    services = context.services
    texts = services.texts
    event = await event_in_scope(context, state.event)
    event = await _open_record(context, message, user.id, event)
    if event is None:
        return
    minutes = message.text.strip()
    if await too_long(message, texts, minutes, MINUTES_LIMIT):
        return
    await conversation.end(context, user.id)
    await services.records.set_minutes(event, minutes, user.id)
    await message.reply_text(texts.record_minutes_saved.format(length=len(minutes)))


async def waiting_photos(update: Update, context: BotContext, state: RecordPhotos) -> None:
    """Text while photos are awaited: say how to finish."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.services.texts.record_photos_waiting)


async def photo_message(update: Update, context: BotContext) -> None:
    """A photo in private: kept with the record the secretary is adding photos to (checked
    as a typed reply is: the role and scope of this moment); otherwise not the bot's to keep."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.photo:
        return
    services = context.services
    texts = services.texts
    state = await conversation.current(context, user.id, [RecordPhotos])
    if isinstance(state, conversation.Expired):
        minutes = services.settings.pending_input_minutes
        await message.reply_text(texts.input_expired.format(minutes=minutes))
        return
    if state is None:
        return
    refused = await admit(
        context, user.id, "private", what=f"input:{state.kind}", role=Role.SECRETARY, private=True
    )
    event = await event_in_scope(context, state.event) if refused is None else None
    event = await _open_record(context, message, user.id, event)
    if event is None:
        return
    sizes = [
        PhotoSize(p.file_id, p.file_unique_id, p.file_size, p.width, p.height)
        for p in message.photo
    ]
    outcome = await services.records.add_photo(event, sizes, user.id)
    count = len(await services.records.photos(event))
    await message.reply_text(_photo_reply(texts, outcome, count))


def _photo_reply(texts: Texts, outcome: PhotoOutcome, count: int) -> str:
    return {
        PhotoOutcome.KEPT: texts.record_photo_kept.format(count=count),
        PhotoOutcome.AGAIN: texts.record_photo_again,
        PhotoOutcome.TOO_LARGE: texts.record_photo_too_large.format(
            size=PHOTO_BYTES_LIMIT // (1024 * 1024)
        ),
        PhotoOutcome.FULL: texts.record_photo_full.format(limit=PHOTOS_LIMIT),
    }[outcome]

"""Plain text in a private chat: whatever the person was asked for last, else a pointer.

What someone is in the middle of saying — their real name after an invite, a broadcast's text,
a reason for leave, a correction — is a typed state (``bot/handlers/conversation.py``) declared
next to the handler that consumes it; ``INPUTS`` routes each state to that handler behind the
same access check as commands, made now and not when the question was asked.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Update

from bot.context import BotContext
from bot.dates import DateProblem, DateRefusal, parse_date
from bot.handlers import (
    attendance,
    broadcast,
    conversation,
    corrections,
    me,
    meeting,
    org,
    quiz,
    signin,
    themeday,
)
from bot.handlers.access import admit
from bot.handlers.common import unknown_text
from bot.org.access import Role

S = TypeVar("S", bound=conversation.State)


@dataclass(frozen=True)
class Input(Generic[S]):
    """A state the bot can be waiting in, the handler of the text that answers it, and the
    least role that may still give that answer."""

    state: type[S]
    callback: Callable[[Update, BotContext, S], Coroutine[Any, Any, None]]
    role: Role = Role.MEMBER


INPUTS: tuple[Input[Any], ...] = (
    Input(broadcast.BroadcastText, broadcast.broadcast_text, Role.SECRETARY),
    Input(broadcast.BroadcastConfirm, broadcast.waiting_confirm, Role.SECRETARY),
    Input(corrections.CorrectionText, corrections.correction_text),
    # Whether the replier may still close is decided by the corrections service when it arrives.
    Input(corrections.CorrectionReply, corrections.correction_reply),
    Input(attendance.LeaveReason, attendance.leave_reason),
    Input(themeday.EventDetailText, themeday.detail_text, Role.SECRETARY),
    Input(themeday.CancelReason, themeday.cancel_reason_text, Role.SECRETARY),
    Input(themeday.EventConfirm, themeday.waiting_confirm, Role.SECRETARY),
    Input(themeday.MoveWhen, themeday.move_when_text, Role.SECRETARY),
    Input(themeday.MoveReason, themeday.move_reason_text, Role.SECRETARY),
    Input(themeday.MoveConfirm, themeday.waiting_confirm, Role.SECRETARY),
    Input(meeting.MeetingDraft, meeting.draft_text, Role.SECRETARY),
    Input(meeting.MeetingConfirm, meeting.waiting_draft_confirm, Role.SECRETARY),
    Input(meeting.MinutesText, meeting.minutes_text, Role.SECRETARY),
    Input(meeting.RecordPhotos, meeting.waiting_photos, Role.SECRETARY),
    Input(meeting.CloseConfirm, meeting.waiting_draft_confirm, Role.SECRETARY),
    Input(signin.SigninCode, signin.code_text),
    Input(signin.ProxySearch, signin.search_text, Role.SECRETARY),
    Input(me.JoinDate, me.joindate_text),
    Input(org.JoinName, org.join_name),
)
_BY_STATE: dict[type[conversation.State], Input[Any]] = {i.state: i for i in INPUTS}


async def text_message(update: Update, context: BotContext) -> None:
    """Text in a private chat: the answer to the pending state, a real name, or a pointer."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None or message.text.startswith("/"):
        await unknown_text(update, context)
        return
    services = context.services
    state = await conversation.current(context, user.id, list(_BY_STATE))
    if isinstance(state, conversation.Expired):
        minutes = services.settings.pending_input_minutes
        await message.reply_text(services.texts.input_expired.format(minutes=minutes))
        return
    if state is not None:
        expected = _BY_STATE[type(state)]
        refused = await admit(
            context,
            user.id,
            "private",
            what=f"input:{state.kind}",
            role=expected.role,
            private=True,
        )
        if refused is not None:
            await conversation.end(context, user.id)
            await message.reply_text(services.texts.tap_refused)
            return
        await expected.callback(update, context, state)
        return
    # A sign-in code typed on its own (also in the middle of a quiz: the meeting is now).
    if await signin.typed_code(update, context):
        return
    if await quiz.repeat_question(update, context):
        return
    today = services.clock.now().astimezone(services.settings.zone).date()
    if parse_date(message.text, today) != DateRefusal(DateProblem.FORM):
        await message.reply_text(services.texts.date_hint)
        return
    await unknown_text(update, context)

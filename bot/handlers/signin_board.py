"""The secretary's live sign-in count: one message per opened sign-in, edited in place as
members sign in (应到 / 已签到 / 请假 / 未签到 and the latest names).

Telegram refuses more than about one edit a second in a chat (and fewer in groups), and fifty
members scanning at once would send fifty. So an edit waits until ``INTERVAL`` seconds after
the last one; sign-ins in between are folded into that one edit, which reads the count when it
is made. The message's chat and id are stored with the session, so the count carries on after
a restart. (Throttling is about Telegram's pace, so it uses the event loop's time, not the
bot's clock, which the sandbox moves.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.handlers.callbacks import PROXY, ProxyTap
from bot.i18n import Texts
from bot.meetings.events import Event
from bot.meetings.signin import Board, SigninService
from bot.org.tree import OrgTree

log = logging.getLogger(__name__)

INTERVAL = 2.0
"""Seconds between two edits of one count message."""


def title(texts: Texts, event: Event) -> str:
    """What a meeting is called in sign-in messages: its title (主题党日 for a theme day) and
    its topic, so a member sees which meeting they signed in to."""
    name = event.title or texts.meeting_title_default
    topic = event.topic if event.topic and event.topic != name else ""
    return texts.meeting_with_topic.format(title=name, topic=topic) if topic else name


def board_text(texts: Texts, tree: OrgTree, zone: ZoneInfo, board: Board) -> str:
    event = board.event
    local = event.occurs_at.astimezone(zone)
    recent = "、".join(f"{name} {at.astimezone(zone):%H:%M}" for name, at in board.recent)
    unit = tree.by_id.get(event.branch_id)
    return texts.signin_board.format(
        branch=unit.name if unit else event.branch_id,
        date=texts.month_day(local.date()),
        title=title(texts, event),
        expected=board.expected,
        present=board.present,
        leave=board.leave,
        absent=board.absent,
        recent=recent or texts.signin_board_nobody,
    )


def board_keyboard(texts: Texts, event: Event, late: bool) -> InlineKeyboardMarkup:
    """代签 (or, after the window, 补签) of those not signed in."""
    label = texts.signin_late_button if late else texts.signin_proxy_button
    data = PROXY.pack(ProxyTap(event.id, 0))
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


class SigninBoard:
    def __init__(
        self, bot: Bot, signin: SigninService, texts: Texts, tree: OrgTree, zone: ZoneInfo
    ) -> None:
        self._bot = bot
        self._signin = signin
        self._texts = texts
        self._tree = tree
        self._zone = zone
        self._last: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self.edits = 0
        """Edits made since start (for tests and the benchmark)."""

    def changed(self, event_id: int) -> None:
        """Someone signed in to ``event_id``: its count message is edited soon, once."""
        if event_id in self._pending:
            return  # the edit already waiting reads the count when it runs
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last.get(event_id, -INTERVAL) + INTERVAL - loop.time())
        self._pending[event_id] = loop.create_task(self._edit_after(event_id, delay))

    async def _edit_after(self, event_id: int, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
        finally:
            self._pending.pop(event_id, None)
        self._last[event_id] = asyncio.get_running_loop().time()
        try:
            await self.show(event_id)
        except TelegramError as error:
            log.warning("sign-in count of event %d not updated: %s", event_id, error)

    async def show(self, event_id: int) -> None:
        """Edit the count message of ``event_id`` to the count of now."""
        session = await self._signin.session(event_id)
        board = await self._signin.board(event_id)
        if session is None or board is None or session.board_chat is None:
            return
        if session.board_message is None:
            return
        late = self._signin.sign_kind(board.event) == "late"
        try:
            await self._bot.edit_message_text(
                board_text(self._texts, self._tree, self._zone, board),
                chat_id=session.board_chat,
                message_id=session.board_message,
                reply_markup=board_keyboard(self._texts, board.event, late),
            )
            self.edits += 1
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    async def close(self) -> None:
        """Drop the edits still waiting (the count is read again when next shown)."""
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

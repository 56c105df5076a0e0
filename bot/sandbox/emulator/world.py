"""The simulated Telegram world: users, chats, messages, files, queries, updates and events.

One :class:`World` belongs to one emulator instance and holds everything mutable. The Bot API
layer (``botapi.py``) and the control API (``control.py``) both act on it. Besides the
Telegram-side state it keeps the *event log*: every action of the bot and of the simulated users,
numbered by an increasing ``seq``, which tests long-poll to await the bot's reaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    BOT_BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    NOT_A_MEMBER,
    ApiError,
    bad_request,
    forbidden,
    server_error,
    too_many_requests,
)

JsonDict = dict[str, Any]

# Update kinds Telegram leaves out while allowed_updates is empty or was never set.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_USER_ID = 100_000_001
FIRST_GROUP_ID = -4_000_000_001
FIRST_SUPERGROUP_ID = -1_001_000_000_001


class Signal:
    """Wakes every coroutine waiting on it; the building block of all long polls."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Return on the next :meth:`notify` or after ``seconds``, whichever is first."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)


@dataclass
class User:
    """A simulated Telegram user (or the bot itself, with ``is_bot``)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False  # has ever written to the bot in private
    blocked: bool = False  # has blocked the bot

    def to_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class Chat:
    """A private chat with the bot, or a group/supergroup; owns its messages by id."""

    id: int
    type: str
    title: str | None = None
    user: User | None = None  # the other side of a private chat
    members: set[int] = field(default_factory=set)
    creator: int | None = None  # the group's owner: the first member it was created with
    admins: set[int] = field(default_factory=set)  # administrators besides the owner
    bot_member: bool = True
    messages: dict[int, JsonDict] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: JsonDict | None = None

    def to_json(self) -> JsonDict:
        if self.user is not None:
            data = {k: v for k, v in self.user.to_json().items() if k not in ("is_bot",)}
            data.pop("language_code", None)
            return {**data, "type": self.type}
        return {"id": self.id, "title": self.title, "type": self.type}

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class StoredFile:
    """An uploaded file kept in memory, addressable by ``file_id`` and by ``file_path``."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0


@dataclass
class CallbackRecord:
    """A callback query a user produced, and what the bot answered."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0

    def to_json(self) -> JsonDict:
        return {
            "callback_query_id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "cache_time": self.cache_time,
        }

    def popup(self, seq: int, time: float) -> JsonDict:
        """The answer's text as the tapping user sees it, for ``GET /_emulator/popups``."""
        return {
            "seq": seq,
            "time": time,
            "callback_query_id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "show_alert": self.show_alert,
        }


@dataclass
class PollRecord:
    """Where a poll lives and who voted for what."""

    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Fault:
    """An injected fault: the next ``remaining`` calls of ``method`` (for ``chat_id``) fail."""

    id: int
    method: str  # lower-case method name
    chat_id: int | None
    remaining: int
    error_code: int
    description: str | None
    retry_after: int | None

    def to_error(self) -> ApiError:
        if self.error_code == 429:
            return too_many_requests(self.retry_after if self.retry_after is not None else 1)
        if self.description is not None:
            return ApiError(self.error_code, self.description)
        if self.error_code >= 500:
            return server_error(self.error_code)
        if self.error_code == 403:
            return forbidden(BOT_BLOCKED)
        return bad_request("fault injected by the emulator")

    def to_json(self) -> JsonDict:
        return {
            "id": self.id,
            "method": self.method,
            "chat_id": self.chat_id,
            "remaining": self.remaining,
            "error_code": self.error_code,
            "description": self.to_error().description,
            "retry_after": self.retry_after,
        }


@dataclass
class BotSettings:
    """Identity and behaviour knobs of the single bot this world serves."""

    bot_id: int
    username: str
    first_name: str
    privacy_mode: bool = True
    callback_timeout: float = 15.0
    latency_ms: float = 0.0


class World:
    """All state of one emulator instance. Not thread-safe; lives on one event loop."""

    def __init__(self, settings: BotSettings, now: Callable[[], float] = time.time):
        self.settings = settings
        self.now = now
        self.bot = User(settings.bot_id, settings.first_name, username=settings.username)
        self.bot.is_bot = True
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        # Answered callback queries with a text: the popups users saw, oldest first.
        self.popups: list[JsonDict] = []
        self.polls: dict[str, PollRecord] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.webhook: JsonDict | None = None
        self.faults: list[Fault] = []
        # Bot API calls received, by method: benchmarks count the calls an answer costs.
        self.calls: Counter[str] = Counter()
        # updates
        self.updates: deque[JsonDict] = deque()
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] | None = None
        self.poll_generation = 0
        self.updates_signal = Signal()
        # events
        self.events: list[JsonDict] = []
        self.events_signal = Signal()
        self.closing = False
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ helpers
    def date(self) -> int:
        return int(self.now())

    def unique(self) -> int:
        """A fresh small integer, unique within this world (ids, counters)."""
        return next(self._ids)

    def log(self, kind: str, **payload: Any) -> int:
        """Append an event; returns its ``seq``."""
        seq = len(self.events) + 1
        self.events.append({"seq": seq, "type": kind, "time": self.now(), **payload})
        self.events_signal.notify()
        return seq

    @property
    def last_seq(self) -> int:
        return len(self.events)

    def push_update(self, kind: str, payload: JsonDict) -> int | None:
        """Queue an update for the bot unless allowed_updates filters it out."""
        allowed = self.allowed_updates
        if allowed is None or not allowed:
            if kind in OPT_IN_UPDATES:
                return None
        elif kind not in allowed:
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: copy.deepcopy(payload)})
        self.updates_signal.notify()
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """Apply getUpdates ``offset`` semantics (positive confirms, negative keeps the tail)."""
        if offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()
            return
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()

    def take_fault(self, method: str, chat_id: int | None) -> ApiError | None:
        """Consume one matching injected fault, if any."""
        for fault in self.faults:
            if fault.method == method.lower() and fault.chat_id in (None, chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault.to_error()
        return None

    # ------------------------------------------------------------------ users & chats
    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        user_id: int | None = None,
    ) -> User:
        if user_id is None:
            user_id = FIRST_USER_ID + len(self.users)
            while user_id in self.users or user_id == self.bot.id:
                user_id += 1
        if user_id in self.users or user_id == self.bot.id or user_id <= 0:
            raise bad_request(f"user id {user_id} is already taken or invalid")
        user = User(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        return user

    def user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(404, f"Not Found: no user {user_id}")
        return user

    def private_chat(self, user: User) -> Chat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, "private", user=user)
            self.chats[user.id] = chat
        return chat

    def add_group(
        self,
        title: str,
        member_ids: list[int],
        *,
        supergroup: bool,
        with_bot: bool,
        admin_ids: list[int] | None = None,
    ) -> Chat:
        for member in member_ids:
            self.user(member)
        base = FIRST_SUPERGROUP_ID if supergroup else FIRST_GROUP_ID
        chat_id = base - sum(1 for c in self.chats.values() if c.type != "private")
        while chat_id in self.chats:
            chat_id -= 1
        chat = Chat(
            chat_id,
            "supergroup" if supergroup else "group",
            title=title,
            members=set(member_ids),
            creator=member_ids[0] if member_ids else None,
            admins=set(admin_ids or ()) & set(member_ids),
            bot_member=with_bot,
        )
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(404, f"Not Found: no chat {chat_id}")
        return chat

    def chat_for_bot(self, raw: object, *, sending: bool = True) -> Chat:
        """Resolve a Bot API ``chat_id`` the way Telegram does, with its errors."""
        chat_id = parse_chat_id(raw)
        if chat_id is None:
            raise bad_request(CHAT_NOT_FOUND)
        chat = self.chats.get(chat_id)
        user = self.users.get(chat_id)
        if chat is None or (user is not None and not user.started):
            if user is not None and sending:
                raise forbidden(CANT_INITIATE)
            raise bad_request(CHAT_NOT_FOUND)
        if sending and chat.user is not None and chat.user.blocked:
            raise forbidden(BOT_BLOCKED)
        if chat.type != "private" and not chat.bot_member:
            if sending:
                kind = "supergroup" if chat.type == "supergroup" else "group"
                raise forbidden(NOT_A_MEMBER.replace("group", kind))
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def store_message(self, chat: Chat, sender: JsonDict, content: JsonDict) -> JsonDict:
        """Create a message in ``chat`` and return the stored (live) dict."""
        message: JsonDict = {
            "message_id": chat.take_message_id(),
            "from": sender,
            "chat": chat.to_json(),
            "date": self.date(),
            **content,
        }
        chat.messages[message["message_id"]] = message
        return message

    def new_callback_id(self) -> str:
        return str(4_300_000_000_000_000_000 + self.unique())


def parse_chat_id(raw: object) -> int | None:
    """Integer chat id from an int or a numeric string; ``None`` for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            return None
    return None


def chat_instance(chat_id: int) -> str:
    """Stable opaque ``chat_instance`` for callback queries from ``chat_id``."""
    return str((chat_id * 2_654_435_761) % (2**63 - 25))


def snapshot(message: JsonDict) -> JsonDict:
    """A detached copy of a stored message, safe to hand out and to log."""
    return copy.deepcopy(message)

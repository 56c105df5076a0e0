"""The control API: what simulated users do, and what tests and the chat page can inspect.

Everything lives under ``/_emulator/`` and speaks JSON (see ``docs/emulator.md`` for the full
list). :class:`ControlApi` holds the user-side actions as plain methods (a user writes, taps a
button, votes, blocks the bot) so that in-process code can call them directly, and registers thin
aiohttp handlers around them. Each action answers the ``seq`` of the event it logged, which is
the cursor from which a test awaits the bot's reaction.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from .errors import MESSAGE_TEXT_EMPTY, ApiError, bad_request, forbidden
from .markup import finish_text
from .media import image_size, new_file_ids
from .world import (
    CallbackRecord,
    Chat,
    Fault,
    StoredFile,
    User,
    World,
    chat_instance,
    snapshot,
)

JsonDict = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_EVENT_WAIT = 60.0


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def reply(data: JsonDict, status: int = 200) -> web.Response:
    """A JSON response in the emulator's own (UTF-8, unescaped) encoding."""
    return web.json_response(data, status=status, dumps=_dumps)


CONTROL_PREFIXES = ("/_emulator/", "/_sandbox/")


class ControlApi:
    """User-side actions and inspection of one world, plus their HTTP routes."""

    def __init__(self, world: World):
        self.world = world

    # ------------------------------------------------------------------ user-side actions
    def create_user(self, body: JsonDict) -> JsonDict:
        first_name = body.get("first_name")
        if not isinstance(first_name, str) or not first_name:
            raise bad_request("first_name is empty")
        user = self.world.add_user(
            first_name,
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "zh-hans"),
            user_id=body.get("id"),
        )
        # A user who pressed Start long ago (e.g. a benchmark's prepared audience), without
        # producing an update now.
        if body.get("started", False):
            user.started = True
            self.world.private_chat(user)
        seq = self.world.log("user_created", user=user.to_json())
        return {"user": user.to_json(), "seq": seq}

    def create_group(self, body: JsonDict) -> JsonDict:
        title = body.get("title")
        members = body.get("member_ids", [])
        if not isinstance(title, str) or not title:
            raise bad_request("title is empty")
        if not isinstance(members, list) or not all(isinstance(m, int) for m in members):
            raise bad_request("member_ids must be an array of user ids")
        admins = body.get("admin_ids", [])
        if not isinstance(admins, list) or not all(isinstance(m, int) for m in admins):
            raise bad_request("admin_ids must be an array of user ids")
        with_bot = bool(body.get("with_bot", True))
        chat = self.world.add_group(
            title,
            members,
            supergroup=bool(body.get("supergroup", False)),
            with_bot=with_bot,
            admin_ids=admins,
        )
        if with_bot and members:
            self._push_my_chat_member(chat, self.world.user(members[0]), "left", "member")
        seq = self.world.log("group_created", chat=chat.to_json(), member_ids=members)
        return {"chat": chat.to_json(), "seq": seq}

    def send_message(self, body: JsonDict) -> JsonDict:
        user = self.world.user(_int(body, "user_id"))
        chat = self._chat_of(user, body.get("chat_id"))
        text, entities = finish_text(str(body.get("text", "")), [])
        if not text:
            raise bad_request(MESSAGE_TEXT_EMPTY)
        content: JsonDict = {"text": text}
        if entities:
            content["entities"] = entities
        replied = None
        if body.get("reply_to_message_id") is not None:
            replied = chat.messages.get(_int(body, "reply_to_message_id"))
            if replied is None:
                raise ApiError(404, "Not Found: message to reply to not found")
            content["reply_to_message"] = {
                k: v for k, v in snapshot(replied).items() if k != "reply_to_message"
            }
        message = self.world.store_message(chat, user.to_json(), content)
        update_id = None
        if self._bot_sees(chat, text, replied):
            update_id = self.world.push_update("message", message)
        seq = self.world.log(
            "user_message",
            user_id=user.id,
            chat_id=chat.id,
            message_id=message["message_id"],
            message=snapshot(message),
            update_id=update_id,
        )
        return {"message": snapshot(message), "update_id": update_id, "seq": seq}

    def send_photo(self, body: JsonDict) -> JsonDict:
        """The user sends a photo (``photo``: the image, base64), with an optional caption.
        Telegram reports it as its sizes; the emulator keeps the one size it was given."""
        user = self.world.user(_int(body, "user_id"))
        chat = self._chat_of(user, body.get("chat_id"))
        try:
            data = base64.b64decode(str(body.get("photo", "")), validate=True)
        except (binascii.Error, ValueError) as error:
            raise bad_request("photo must be base64") from error
        size = image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        file_id, unique_id = new_file_ids("photo")
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind="photo",
            data=data,
            file_path=f"photos/file_{self.world.unique()}.jpg",
            width=size[0],
            height=size[1],
        )
        self.world.files[file_id] = stored
        self.world.files_by_path[stored.file_path] = stored
        content: JsonDict = {
            "photo": [
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_size": len(data),
                    "width": size[0],
                    "height": size[1],
                }
            ]
        }
        caption = str(body.get("caption", ""))
        if caption:
            content["caption"] = caption
        message = self.world.store_message(chat, user.to_json(), content)
        update_id = None
        if self._bot_sees(chat, caption, None):
            update_id = self.world.push_update("message", message)
        seq = self.world.log(
            "user_message",
            user_id=user.id,
            chat_id=chat.id,
            message_id=message["message_id"],
            message=snapshot(message),
            update_id=update_id,
        )
        return {"message": snapshot(message), "update_id": update_id, "seq": seq}

    def tap_button(self, body: JsonDict) -> JsonDict:
        user = self.world.user(_int(body, "user_id"))
        chat = self._chat_of(user, body.get("chat_id"))
        message = chat.messages.get(_int(body, "message_id"))
        if message is None:
            raise ApiError(404, "Not Found: message not found")
        data = body.get("callback_data")
        if not isinstance(data, str):
            raise bad_request("callback_data is empty")
        forge = bool(body.get("forge", False))
        buttons = [
            button.get("callback_data")
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]
        if not forge and data not in buttons:
            raise bad_request("the message has no button with this callback_data")
        record = CallbackRecord(
            id=self.world.new_callback_id(),
            user_id=user.id,
            chat_id=chat.id,
            message_id=message["message_id"],
            data=data,
            created_at=self.world.now(),
        )
        self.world.callbacks[record.id] = record
        query = {
            "id": record.id,
            "from": user.to_json(),
            "message": snapshot(message),
            "chat_instance": chat_instance(chat.id),
            "data": data,
        }
        update_id = self.world.push_update("callback_query", query)
        seq = self.world.log(
            "callback_query",
            callback_query_id=record.id,
            user_id=user.id,
            chat_id=chat.id,
            message_id=record.message_id,
            data=data,
            forged=forge,
            update_id=update_id,
        )
        return {"callback_query_id": record.id, "update_id": update_id, "seq": seq}

    def vote(self, body: JsonDict) -> JsonDict:
        user = self.world.user(_int(body, "user_id"))
        chat = self._chat_of(user, body.get("chat_id"))
        message = chat.messages.get(_int(body, "message_id"))
        if message is None or "poll" not in message:
            raise ApiError(404, "Not Found: poll message not found")
        poll = message["poll"]
        record = self.world.polls[poll["id"]]
        options = body.get("option_ids")
        if not isinstance(options, list) or not all(isinstance(o, int) for o in options):
            raise bad_request("option_ids must be an array of integers")
        if poll["is_closed"]:
            raise bad_request("the poll is closed")
        if len(set(options)) != len(options) or any(
            not 0 <= o < len(poll["options"]) for o in options
        ):
            raise bad_request("invalid option_ids")
        if len(options) > 1 and not poll["allows_multiple_answers"]:
            raise bad_request("the poll allows only one answer")
        previous = record.votes.get(user.id)
        if previous is not None and poll["type"] == "quiz":
            raise bad_request("quiz answers can't be changed")
        if previous is None and not options:
            raise bad_request("nothing to retract")
        for option in previous or []:
            poll["options"][option]["voter_count"] -= 1
        for option in options:
            poll["options"][option]["voter_count"] += 1
        if options:
            record.votes[user.id] = list(options)
        else:
            del record.votes[user.id]
        poll["total_voter_count"] = len(record.votes)
        if not poll["is_anonymous"]:
            self.world.push_update(
                "poll_answer",
                {
                    "poll_id": poll["id"],
                    "user": user.to_json(),
                    "option_ids": list(options),
                    "option_persistent_ids": [
                        poll["options"][o]["persistent_id"] for o in options
                    ],
                },
            )
        self.world.push_update("poll", poll)
        seq = self.world.log(
            "poll_answer",
            user_id=user.id,
            chat_id=chat.id,
            message_id=message["message_id"],
            option_ids=list(options),
            poll=snapshot(poll),
        )
        return {"poll": snapshot(poll), "seq": seq}

    def set_blocked(self, user_id: int, blocked: bool) -> JsonDict:
        user = self.world.user(user_id)
        if user.blocked != blocked:
            user.blocked = blocked
            if user.started:
                old, new = ("member", "kicked") if blocked else ("kicked", "member")
                self._push_my_chat_member(self.world.private_chat(user), user, old, new)
        seq = self.world.log("user_blocked" if blocked else "user_unblocked", user_id=user_id)
        return {"user_id": user_id, "blocked": blocked, "seq": seq}

    # ------------------------------------------------------------------ inspection
    def chat_info(self, chat_id: int) -> JsonDict:
        chat = self.world.chat(chat_id)
        return {
            "chat": chat.to_json(),
            "member_ids": sorted(chat.members) if chat.type != "private" else [chat.id],
            "bot_member": chat.bot_member,
            "reply_keyboard": chat.reply_keyboard,
        }

    def messages(self, chat_id: int) -> JsonDict:
        chat = self.world.chat(chat_id)
        return {"messages": [snapshot(m) for m in chat.messages.values()]}

    def callback(self, callback_query_id: str) -> JsonDict:
        record = self.world.callbacks.get(callback_query_id)
        if record is None:
            raise ApiError(404, "Not Found: no such callback query")
        return record.to_json()

    def popups(self, user_id: int | None, chat_id: int | None, after: int) -> JsonDict:
        """The popups (answerCallbackQuery texts) shown to ``user_id`` in ``chat_id`` after
        event ``after``; either filter may be left out."""
        return {
            "popups": [
                dict(p)
                for p in self.world.popups
                if p["seq"] > after
                and user_id in (None, p["user_id"])
                and chat_id in (None, p["chat_id"])
            ],
            "last_seq": self.world.last_seq,
        }

    def commands(self, scope: JsonDict | None, language_code: str) -> JsonDict:
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return {"commands": [dict(c) for c in self.world.commands.get(key, [])]}

    async def events(self, after: int, wait_s: float, limit: int) -> JsonDict:
        world = self.world
        deadline = min(max(wait_s, 0.0), MAX_EVENT_WAIT)
        if world.last_seq <= after and deadline > 0:
            await world.events_signal.wait(deadline)
        batch = world.events[max(after, 0) : max(after, 0) + limit]
        return {"events": batch, "last_seq": world.last_seq}

    def add_fault(self, body: JsonDict) -> JsonDict:
        method = body.get("method")
        if not isinstance(method, str) or not method:
            raise bad_request("method is empty")
        error_code = _int(body, "error_code")
        count = int(body.get("count", 1))
        chat_id = body.get("chat_id")
        retry_after = body.get("retry_after")
        description = body.get("description")
        if error_code == 400 and not description:
            raise bad_request("a 400 fault needs a description")
        fault = Fault(
            id=self.world.unique(),
            method=method.lower(),
            chat_id=int(chat_id) if chat_id is not None else None,
            remaining=count,
            error_code=error_code,
            description=str(description) if description else None,
            retry_after=int(retry_after) if retry_after is not None else None,
        )
        if count > 0:
            self.world.faults.append(fault)
        return {"fault": fault.to_json()}

    # ------------------------------------------------------------------ internals
    def _chat_of(self, user: User, raw_chat_id: Any) -> Chat:
        if raw_chat_id is None or raw_chat_id == user.id:
            if user.blocked:
                raise ApiError(409, "Conflict: the user has blocked the bot; unblock it first")
            user.started = True
            return self.world.private_chat(user)
        chat = self.world.chat(int(raw_chat_id))
        if chat.type == "private" or user.id not in chat.members:
            raise ApiError(403, "Forbidden: the user is not a member of this chat")
        return chat

    def _bot_sees(self, chat: Chat, text: str, replied: JsonDict | None) -> bool:
        if chat.type == "private":
            return True
        if not chat.bot_member:
            return False
        if not self.world.settings.privacy_mode:
            return True
        if replied is not None and replied["from"]["id"] == self.world.bot.id:
            return True
        if not text.startswith("/"):
            return False
        command = text.split(maxsplit=1)[0]
        target = command.partition("@")[2]
        return not target or target.lower() == self.world.settings.username.lower()

    def _push_my_chat_member(self, chat: Chat, actor: User, old: str, new: str) -> None:
        bot = self.world.bot.to_json()

        def member(status: str) -> JsonDict:
            data: JsonDict = {"status": status, "user": bot}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self.world.push_update(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": actor.to_json(),
                "date": self.world.date(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # ------------------------------------------------------------------ HTTP
    @staticmethod
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        """The control API drives every simulated person, and it listens where a browser can
        reach it: a web page elsewhere must not be able to post to it. A change is accepted
        only as JSON (which a cross-site page cannot send without a preflight this server
        never allows) and never from another origin."""
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.path.startswith(
            CONTROL_PREFIXES
        ):
            return await handler(request)
        origin = request.headers.get("Origin")
        own = f"{request.scheme}://{request.host}"
        site = request.headers.get("Sec-Fetch-Site", "same-origin")
        if (origin is not None and origin != own) or site not in ("same-origin", "none"):
            return reply(forbidden("cross-site requests are refused").to_json(), 403)
        if request.content_type != "application/json":
            return reply(bad_request("send JSON (Content-Type: application/json)").to_json(), 415)
        return await handler(request)

    def routes(self) -> list[web.RouteDef]:
        """The aiohttp routes of the control API."""
        p = "/_emulator"
        return [
            web.get(f"{p}/bot", self._h_bot),
            web.post(f"{p}/users", self._json(self.create_user)),
            web.get(f"{p}/users/{{user_id}}", self._h_user),
            web.post(f"{p}/users/{{user_id}}/block", self._h_block),
            web.post(f"{p}/users/{{user_id}}/unblock", self._h_unblock),
            web.post(f"{p}/groups", self._json(self.create_group)),
            web.post(f"{p}/messages", self._json(self.send_message)),
            web.post(f"{p}/photos", self._json(self.send_photo)),
            web.post(f"{p}/callbacks", self._json(self.tap_button)),
            web.get(f"{p}/callbacks/{{callback_query_id}}", self._h_callback),
            web.get(f"{p}/popups", self._h_popups),
            web.post(f"{p}/polls/votes", self._json(self.vote)),
            web.get(f"{p}/chats/{{chat_id}}", self._h_chat),
            web.get(f"{p}/chats/{{chat_id}}/messages", self._h_messages),
            web.get(f"{p}/commands", self._h_commands),
            web.get(f"{p}/menu_button", self._h_menu_button),
            web.get(f"{p}/files/{{file_id}}", self._h_file),
            web.get(f"{p}/events", self._h_events),
            web.post(f"{p}/faults", self._json(self.add_fault)),
            web.get(f"{p}/faults", self._h_faults),
            web.delete(f"{p}/faults", self._h_clear_faults),
            web.get(f"{p}/latency", self._h_latency),
            web.get(f"{p}/calls", self._h_calls),
            web.delete(f"{p}/calls", self._h_calls),
            web.put(f"{p}/latency", self._h_latency),
        ]

    def _json(self, action: Callable[[JsonDict], JsonDict]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            try:
                body = await request.json() if request.body_exists else {}
            except ValueError:
                return reply(bad_request("the body is not JSON").to_json(), 400)
            if not isinstance(body, dict):
                return reply(bad_request("the body must be a JSON object").to_json(), 400)
            return _run(lambda: action(body))

        return handler

    async def _h_bot(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        return reply(
            {
                "bot": world.bot.to_json(),
                "webhook": world.webhook,
                "pending_update_count": len(world.updates),
                "last_seq": world.last_seq,
            }
        )

    async def _h_user(self, request: web.Request) -> web.StreamResponse:
        def run() -> JsonDict:
            user = self.world.user(_path_int(request, "user_id"))
            return {"user": user.to_json(), "started": user.started, "blocked": user.blocked}

        return _run(run)

    async def _h_block(self, request: web.Request) -> web.StreamResponse:
        return _run(lambda: self.set_blocked(_path_int(request, "user_id"), True))

    async def _h_unblock(self, request: web.Request) -> web.StreamResponse:
        return _run(lambda: self.set_blocked(_path_int(request, "user_id"), False))

    async def _h_callback(self, request: web.Request) -> web.StreamResponse:
        return _run(lambda: self.callback(request.match_info["callback_query_id"]))

    async def _h_popups(self, request: web.Request) -> web.StreamResponse:
        def run() -> JsonDict:
            query = request.query
            user_id = _query_int(query, "user_id")
            chat_id = _query_int(query, "chat_id")
            return self.popups(user_id, chat_id, _query_int(query, "after") or 0)

        return _run(run)

    async def _h_chat(self, request: web.Request) -> web.StreamResponse:
        return _run(lambda: self.chat_info(_path_int(request, "chat_id")))

    async def _h_messages(self, request: web.Request) -> web.StreamResponse:
        return _run(lambda: self.messages(_path_int(request, "chat_id")))

    async def _h_commands(self, request: web.Request) -> web.StreamResponse:
        def run() -> JsonDict:
            raw_scope = request.query.get("scope")
            try:
                scope = json.loads(raw_scope) if raw_scope else None
            except ValueError:
                raise bad_request("scope is not JSON") from None
            return self.commands(scope, request.query.get("language_code", ""))

        return _run(run)

    async def _h_menu_button(self, request: web.Request) -> web.StreamResponse:
        raw = request.query.get("chat_id")
        buttons = self.world.menu_buttons
        button = buttons.get(int(raw)) if raw else None
        return reply({"menu_button": button or buttons.get(None) or {"type": "commands"}})

    async def _h_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            return reply(ApiError(404, "Not Found").to_json(), 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _h_events(self, request: web.Request) -> web.StreamResponse:
        try:
            after = int(request.query.get("after", "0"))
            timeout = float(request.query.get("timeout", "0"))
            limit = int(request.query.get("limit", "1000"))
        except ValueError:
            return reply(bad_request("after, timeout and limit must be numbers").to_json(), 400)
        return reply(await self.events(after, timeout, max(limit, 1)))

    async def _h_faults(self, request: web.Request) -> web.StreamResponse:
        return reply({"faults": [f.to_json() for f in self.world.faults]})

    async def _h_clear_faults(self, request: web.Request) -> web.StreamResponse:
        self.world.faults.clear()
        return reply({"faults": []})

    async def _h_calls(self, request: web.Request) -> web.StreamResponse:
        """The Bot API calls counted by method since the start or the last DELETE."""
        calls = dict(self.world.calls)
        if request.method == "DELETE":
            self.world.calls.clear()
        return reply({"calls": calls})

    async def _h_latency(self, request: web.Request) -> web.StreamResponse:
        if request.method == "PUT":
            body = await request.json()
            if not isinstance(body, dict) or not isinstance(body.get("ms"), int | float):
                return reply(bad_request("ms must be a number").to_json(), 400)
            self.world.settings.latency_ms = max(float(body["ms"]), 0.0)
        return reply({"ms": self.world.settings.latency_ms})


def _run(action: Callable[[], JsonDict]) -> web.Response:
    try:
        return reply(action())
    except ApiError as error:
        return reply(error.to_json(), error.error_code)


def _int(body: JsonDict, name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"{name} must be an integer")
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None


def _query_int(query: Mapping[str, str], name: str) -> int | None:
    """An optional integer from the query string; None when it is not there."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None

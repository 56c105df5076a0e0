"""Async Python client for the emulator's control API (``/_emulator/...``).

Tests and tools drive simulated users and await the bot's reactions through
:class:`EmulatorClient`. The client keeps a *cursor* (an event ``seq``): every user action moves it
to the action's event, and every ``wait_for_*`` call looks only at events after it and moves it to
the event it returns, so consecutive waits consume the bot's reactions in order, without sleeps.
Messages, polls and users are plain dicts shaped exactly like Telegram's JSON objects.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import aiohttp

JsonDict = dict[str, Any]
Predicate = Callable[[JsonDict], bool]


class EmulatorError(Exception):
    """The control API refused a request (e.g. unknown user, button not on the message)."""

    def __init__(self, status: int, description: str):
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class EmulatorClient:
    """Control-API client; use as ``async with EmulatorClient(emu.url) as client:``."""

    def __init__(self, url: str, *, wait: float = 5.0):
        self.url = url.rstrip("/") + "/_emulator"
        self.cursor = 0
        self.wait = wait
        """How long the ``wait_for_*`` calls wait when not told: a suite on a busy machine
        gives the bot longer (a report worker's first chart can take seconds there)."""
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(
        self,
        method: str,
        path: str,
        body: JsonDict | None = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        if body is None and method != "GET":
            body = {}  # changes are sent as JSON, as the control API requires
        async with self._session.request(
            method, self.url + path, json=body, params=query
        ) as response:
            if response.content_type != "application/json":
                if response.status >= 400:
                    raise EmulatorError(response.status, await response.text())
                return await response.read()
            data = await response.json()
            if response.status >= 400:
                raise EmulatorError(response.status, str(data.get("description", data)))
            return data

    def _advance(self, data: JsonDict) -> JsonDict:
        self.cursor = max(self.cursor, int(data["seq"]))
        return data

    # ------------------------------------------------------------------ simulated users
    async def create_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        user_id: int | None = None,
    ) -> JsonDict:
        """Create a user; returns the Telegram ``User`` object."""
        body: JsonDict = {"first_name": first_name, "language_code": language_code}
        if last_name is not None:
            body["last_name"] = last_name
        if username is not None:
            body["username"] = username
        if user_id is not None:
            body["id"] = user_id
        data = await self._request("POST", "/users", body)
        return dict(data["user"])

    async def create_group(
        self,
        title: str,
        member_ids: list[int],
        *,
        supergroup: bool = False,
        with_bot: bool = True,
        admin_ids: list[int] | None = None,
    ) -> JsonDict:
        """Create a group (or supergroup) with these users, the bot included by default. The
        first member is its owner (``creator``); ``admin_ids`` are its administrators."""
        body = {
            "title": title,
            "member_ids": member_ids,
            "admin_ids": admin_ids or [],
            "supergroup": supergroup,
            "with_bot": with_bot,
        }
        data = self._advance(await self._request("POST", "/groups", body))
        return dict(data["chat"])

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """The user writes ``text`` (private chat with the bot unless ``chat_id``)."""
        body: JsonDict = {"user_id": user_id, "text": text}
        if chat_id is not None:
            body["chat_id"] = chat_id
        if reply_to_message_id is not None:
            body["reply_to_message_id"] = reply_to_message_id
        data = self._advance(await self._request("POST", "/messages", body))
        return dict(data["message"])

    async def send_photo(
        self, user_id: int, data: bytes, *, caption: str = "", chat_id: int | None = None
    ) -> JsonDict:
        """The user sends the image ``data`` as a photo (private chat with the bot unless
        ``chat_id``)."""
        body: JsonDict = {"user_id": user_id, "photo": base64.b64encode(data).decode()}
        if caption:
            body["caption"] = caption
        if chat_id is not None:
            body["chat_id"] = chat_id
        data_ = self._advance(await self._request("POST", "/photos", body))
        return dict(data_["message"])

    async def tap_button(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        forge: bool = False,
    ) -> str:
        """The user taps an inline button; returns the callback query id.

        The data must belong to a button currently on the message unless ``forge`` is set.
        Tapping twice produces two distinct queries, as real clients do on a double tap.
        """
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "callback_data": callback_data,
            "forge": forge,
        }
        data = self._advance(await self._request("POST", "/callbacks", body))
        return str(data["callback_query_id"])

    async def vote_poll(
        self, user_id: int, chat_id: int, message_id: int, option_ids: list[int]
    ) -> JsonDict:
        """The user votes (an empty list retracts); returns the updated ``Poll``."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "option_ids": option_ids,
        }
        data = self._advance(await self._request("POST", "/polls/votes", body))
        return dict(data["poll"])

    async def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: sends to them now fail with 403."""
        self._advance(await self._request("POST", f"/users/{user_id}/block"))

    async def unblock_bot(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self._advance(await self._request("POST", f"/users/{user_id}/unblock"))

    # ------------------------------------------------------------------ inspection
    async def get_bot(self) -> JsonDict:
        """The bot's ``User``, webhook, pending update count and last event seq."""
        return dict(await self._request("GET", "/bot"))

    async def get_user(self, user_id: int) -> JsonDict:
        """``{"user": User, "started": bool, "blocked": bool}``."""
        return dict(await self._request("GET", f"/users/{user_id}"))

    async def get_chat(self, chat_id: int) -> JsonDict:
        """``{"chat": Chat, "member_ids", "bot_member", "reply_keyboard"}``."""
        return dict(await self._request("GET", f"/chats/{chat_id}"))

    async def get_messages(self, chat_id: int) -> list[JsonDict]:
        """The chat's messages as they stand now (edits applied, deleted ones gone)."""
        data = await self._request("GET", f"/chats/{chat_id}/messages")
        return list(data["messages"])

    async def get_message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """One message as it stands now, or ``None`` if deleted or unknown."""
        for message in await self.get_messages(chat_id):
            if message["message_id"] == message_id:
                return message
        return None

    async def get_callback_answer(self, callback_query_id: str) -> JsonDict:
        """``{"answered", "text", "show_alert", "url", "cache_time", ...}`` of a query."""
        return dict(await self._request("GET", f"/callbacks/{callback_query_id}"))

    async def get_popups(
        self, user_id: int | None = None, chat_id: int | None = None, after: int = 0
    ) -> list[JsonDict]:
        """The popups (answered callback queries with a text) shown to ``user_id`` in
        ``chat_id`` after event ``after``, oldest first."""
        query = {"after": str(after)}
        if user_id is not None:
            query["user_id"] = str(user_id)
        if chat_id is not None:
            query["chat_id"] = str(chat_id)
        data = await self._request("GET", "/popups", query=query)
        return list(data["popups"])

    async def get_commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The bot's command menu for a scope (default scope) and language."""
        query = {"language_code": language_code}
        if scope is not None:
            query["scope"] = json.dumps(scope)
        data = await self._request("GET", "/commands", query=query)
        return list(data["commands"])

    async def get_menu_button(self, chat_id: int | None = None) -> JsonDict:
        """The menu button set for a private chat (or the default one)."""
        query = {"chat_id": str(chat_id)} if chat_id is not None else {}
        data = await self._request("GET", "/menu_button", query=query)
        return dict(data["menu_button"])

    async def download_file(self, file_id: str) -> bytes:
        """Bytes of an uploaded file."""
        data = await self._request("GET", f"/files/{file_id}")
        if not isinstance(data, bytes):
            raise EmulatorError(500, "expected file bytes")
        return data

    # ------------------------------------------------------------------ events
    async def events(
        self,
        after: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109
    ) -> list[JsonDict]:
        """Events with ``seq > after``; waits up to ``timeout`` s for the first one."""
        data = await self._request(
            "GET", "/events", query={"after": str(after), "timeout": str(timeout)}
        )
        return list(data["events"])

    async def wait_for_event(
        self,
        predicate: Predicate,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        after: int | None = None,
    ) -> JsonDict:
        """First event after the cursor (or ``after``) matching ``predicate``."""
        position = self.cursor if after is None else after
        deadline = time.monotonic() + (self.wait if timeout is None else timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching emulator event after seq {position}")
            for event in await self.events(position, min(remaining, 30.0)):
                position = event["seq"]
                if predicate(event):
                    self.cursor = max(self.cursor, position)
                    return event

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        after: int | None = None,
    ) -> JsonDict:
        """Next message the bot sends to ``chat_id`` (optionally matching ``predicate``)."""
        event = await self.wait_for_event(
            lambda ev: (
                ev["type"] == "message_sent"
                and ev["chat_id"] == chat_id
                and (predicate is None or predicate(ev["message"]))
            ),
            timeout=timeout,
            after=after,
        )
        return dict(event["message"])

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int | None = None,
        predicate: Predicate | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        after: int | None = None,
    ) -> JsonDict:
        """Next edit the bot makes in ``chat_id`` (of ``message_id`` if given)."""
        event = await self.wait_for_event(
            lambda ev: (
                ev["type"] == "message_edited"
                and ev["chat_id"] == chat_id
                and (message_id is None or ev["message_id"] == message_id)
                and (predicate is None or predicate(ev["message"]))
            ),
            timeout=timeout,
            after=after,
        )
        return dict(event["message"])

    async def wait_for_callback_answer(
        self,
        callback_query_id: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        after: int | None = None,
    ) -> JsonDict:
        """Wait until the bot answers the callback query; returns the answer."""
        event = await self.wait_for_event(
            lambda ev: (
                ev["type"] == "callback_answered" and ev["callback_query_id"] == callback_query_id
            ),
            timeout=timeout,
            after=after,
        )
        return dict(event)

    # ------------------------------------------------------------------ faults & latency
    async def inject_fault(
        self,
        method: str,
        error_code: int,
        *,
        count: int = 1,
        chat_id: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> JsonDict:
        """The next ``count`` calls of ``method`` (for ``chat_id``) answer this error.

        429 gets ``retry_after`` (default 1); 5xx and 403 get Telegram's standard wording;
        400 needs a ``description``.
        """
        body: JsonDict = {"method": method, "error_code": error_code, "count": count}
        if chat_id is not None:
            body["chat_id"] = chat_id
        if description is not None:
            body["description"] = description
        if retry_after is not None:
            body["retry_after"] = retry_after
        data = await self._request("POST", "/faults", body)
        return dict(data["fault"])

    async def clear_faults(self) -> None:
        """Drop every pending injected fault."""
        await self._request("DELETE", "/faults")

    async def take_calls(self) -> dict[str, int]:
        """The Bot API calls received by method since the start or the last take."""
        return dict((await self._request("DELETE", "/calls"))["calls"])

    async def set_latency(self, ms: float) -> None:
        """Delay added before answering each Bot API call from now on."""
        await self._request("PUT", "/latency", {"ms": ms})

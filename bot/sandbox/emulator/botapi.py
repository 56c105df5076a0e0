"""The Bot API methods the emulator implements, acting on a :class:`~.world.World`.

Each public coroutine of :class:`BotApi` is one Telegram method, registered under its canonical
name in :attr:`BotApi.methods`. They take the call's :class:`~.params.Params`, validate them with
Telegram's rules and wording, change the world, log an event and return the JSON ``result``.
Required parameters are already checked against the reference by the server before dispatch.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import errors as e
from .markup import HtmlParseError, finish_text, parse_html, utf16_len
from .media import image_size, new_file_ids
from .params import Params, Upload
from .world import (
    Chat,
    PollRecord,
    StoredFile,
    World,
    parse_chat_id,
    snapshot,
)

JsonDict = dict[str, Any]
Method = Callable[[Params], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
COMMAND_NAME = re.compile(r"[a-z0-9_]+")  # what Telegram's servers accept in setMyCommands
LANGUAGE_CODE = re.compile(r"[a-z]{2}")  # TDLib: empty or two lowercase letters
MAX_POLL_OPTIONS = 12
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
INLINE_BUTTON_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}
"""What an administrator added by the group's owner may do by default (minus promoting)."""


class BotApi:
    """Implementations of the supported methods; ``methods`` maps canonical names to them."""

    def __init__(self, world: World):
        self.world = world
        self.methods: dict[str, Method] = {
            "getMe": self.get_me,
            "logOut": self.log_out,
            "close": self.log_out,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "sendChatAction": self.send_chat_action,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "getFile": self.get_file,
            "sendPoll": self.send_poll,
            "stopPoll": self.stop_poll,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
        }

    # ------------------------------------------------------------------ identity & updates
    async def get_me(self, p: Params) -> JsonDict:
        return {
            **self.world.bot.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.world.settings.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, p: Params) -> bool:
        return True

    async def get_updates(self, p: Params) -> list[JsonDict]:
        world = self.world
        if world.webhook is not None:
            raise e.conflict(e.GETUPDATES_WEBHOOK)
        offset = p.int_("offset") or 0
        limit = min(max(p.int_("limit") or 100, 1), 100)
        timeout = max(p.int_("timeout") or 0, 0)
        allowed = p.json_("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise e.bad_request("can't parse allowed_updates JSON object")
            world.allowed_updates = frozenset(str(kind) for kind in allowed)
        world.poll_generation += 1
        generation = world.poll_generation
        world.updates_signal.notify()  # an older long poll now ends with a conflict
        deadline = time.monotonic() + timeout
        while True:
            if generation != world.poll_generation:
                raise e.conflict(e.GETUPDATES_TERMINATED)
            world.confirm_updates(offset)
            if offset < 0:
                offset = 0
            batch = [world.updates[i] for i in range(min(limit, len(world.updates)))]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or world.closing:
                return batch
            await world.updates_signal.wait(remaining)

    async def set_webhook(self, p: Params) -> bool:
        url = p.str_("url")
        if url is not None and not url.startswith("https://"):
            raise e.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.bool_("drop_pending_updates"):
            self.world.updates.clear()
        if url is None:
            self.world.webhook = None
        else:
            allowed = p.json_("allowed_updates")
            self.world.webhook = {
                "url": url,
                "max_connections": p.int_("max_connections") or 40,
                **({"allowed_updates": allowed} if isinstance(allowed, list) else {}),
                **({"ip_address": p.str_("ip_address")} if p.has("ip_address") else {}),
            }
        self.world.log("webhook_changed", url=url)
        return True

    async def delete_webhook(self, p: Params) -> bool:
        if p.bool_("drop_pending_updates"):
            self.world.updates.clear()
        if self.world.webhook is not None:
            self.world.webhook = None
            self.world.log("webhook_changed", url=None)
        return True

    async def get_webhook_info(self, p: Params) -> JsonDict:
        webhook = self.world.webhook or {"url": ""}
        return {
            "url": webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
            **{k: v for k, v in webhook.items() if k != "url"},
        }

    # ------------------------------------------------------------------ messages
    async def send_message(self, p: Params) -> JsonDict:
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        text, entities = self._format(p, "text", "parse_mode", "entities", MAX_TEXT)
        content: JsonDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send(chat, p, content, "sendMessage")

    async def edit_message_text(self, p: Params) -> JsonDict:
        chat, message = self._message_to_edit(p)
        if "text" not in message:
            raise e.bad_request(e.NO_TEXT_TO_EDIT)
        text, entities = self._format(p, "text", "parse_mode", "entities", MAX_TEXT)
        markup = self._inline_markup(p)
        new = {"text": text, "entities": entities, "reply_markup": markup}
        return self._apply_edit(chat, message, new, "editMessageText")

    async def edit_message_caption(self, p: Params) -> JsonDict:
        chat, message = self._message_to_edit(p)
        if "photo" not in message and "document" not in message:
            raise e.bad_request(e.NO_CAPTION_TO_EDIT)
        caption, entities = self._format(
            p, "caption", "parse_mode", "caption_entities", MAX_CAPTION, required=False
        )
        markup = self._inline_markup(p)
        new = {"caption": caption or None, "caption_entities": entities, "reply_markup": markup}
        return self._apply_edit(chat, message, new, "editMessageCaption")

    async def edit_message_reply_markup(self, p: Params) -> JsonDict:
        chat, message = self._message_to_edit(p)
        markup = self._inline_markup(p)
        return self._apply_edit(chat, message, {"reply_markup": markup}, "editMessageReplyMarkup")

    async def delete_message(self, p: Params) -> bool:
        chat = self.world.chat_for_bot(p.raw("chat_id"), sending=False)
        message_id = p.int_("message_id")
        if message_id is None or chat.messages.pop(message_id, None) is None:
            raise e.bad_request(e.MESSAGE_TO_DELETE_NOT_FOUND)
        self.world.log("message_deleted", chat_id=chat.id, message_id=message_id)
        return True

    async def delete_messages(self, p: Params) -> bool:
        chat = self.world.chat_for_bot(p.raw("chat_id"), sending=False)
        ids = p.json_("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise e.bad_request("message_ids must be a non-empty array of at most 100 elements")
        for message_id in ids:
            if isinstance(message_id, int) and chat.messages.pop(message_id, None) is not None:
                self.world.log("message_deleted", chat_id=chat.id, message_id=message_id)
        return True

    async def send_chat_action(self, p: Params) -> bool:
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        action = p.str_("action")
        if action not in CHAT_ACTIONS:
            raise e.bad_request("wrong parameter action in request")
        self.world.log("chat_action", chat_id=chat.id, action=action)
        return True

    async def get_chat(self, p: Params) -> JsonDict:
        chat = self.world.chat_for_bot(p.raw("chat_id"), sending=False)
        return {
            **chat.to_json(),
            "accent_color_id": chat.id % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": dict(ACCEPTED_GIFT_TYPES),
        }

    async def get_chat_member(self, p: Params) -> JsonDict:
        """A ``ChatMember``: ``creator``, ``administrator``, ``member`` or ``left``; a user id
        the bot has never seen is "user not found", as on Telegram."""
        chat = self.world.chat_for_bot(p.raw("chat_id"), sending=False)
        user_id = p.int_("user_id")
        if user_id is None:
            raise e.bad_request("invalid user_id specified")
        if user_id == self.world.bot.id:
            return {"status": "member", "user": self.world.bot.to_json()}
        user = self.world.users.get(user_id)
        if user is None:
            raise e.bad_request("user not found")
        if chat.type == "private":
            status = "member" if chat.id == user.id else "left"
        elif user.id not in chat.members:
            status = "left"
        elif user.id == chat.creator:
            return {"status": "creator", "user": user.to_json(), "is_anonymous": False}
        elif user.id in chat.admins:
            return {"status": "administrator", "user": user.to_json(), **ADMIN_RIGHTS}
        else:
            status = "member"
        return {"status": status, "user": user.to_json()}

    # ------------------------------------------------------------------ callback queries
    async def answer_callback_query(self, p: Params) -> bool:
        record = self.world.callbacks.get(p.str_("callback_query_id") or "")
        timeout = self.world.settings.callback_timeout
        if record is None or record.answered or self.world.now() - record.created_at > timeout:
            raise e.bad_request(e.QUERY_TOO_OLD)
        text = p.str_("text")
        if text is not None and len(text) > 200:
            raise e.bad_request("MESSAGE_TOO_LONG")
        record.answered = True
        record.text = text
        record.show_alert = p.bool_("show_alert")
        record.url = p.str_("url")
        record.cache_time = p.int_("cache_time") or 0
        seq = self.world.log("callback_answered", **record.to_json())
        if text:
            # What the tapping user's client shows (a toast, or a dialog with show_alert),
            # kept for the chat page; the bot's answer is Telegram's plain True.
            self.world.popups.append(record.popup(seq, self.world.now()))
        return True

    # ------------------------------------------------------------------ commands & menu
    async def set_my_commands(self, p: Params) -> bool:
        """Telegram's checks, in its order: the list, then each command as TDLib trims and
        measures it, then the characters Telegram's servers allow (BOT_COMMAND_INVALID)."""
        commands = p.json_("commands")
        if not isinstance(commands, list):
            raise e.bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise e.bad_request("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise e.bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).strip().removeprefix("/")
            description = str(item.get("description", "")).strip()
            if not command:
                raise e.bad_request("command must be non-empty")
            if len(command) > 32:
                raise e.bad_request("command length must not exceed 32")
            if not description:
                raise e.bad_request("command description must be non-empty")
            if len(description) > 256:
                raise e.bad_request("command description length must not exceed 256")
            if not COMMAND_NAME.fullmatch(command):
                raise e.bad_request("BOT_COMMAND_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(p)
        if cleaned:
            self.world.commands[key] = cleaned
        else:
            self.world.commands.pop(key, None)
        self.world.log("commands_changed", scope=key[0], language_code=key[1], commands=cleaned)
        return True

    async def get_my_commands(self, p: Params) -> list[JsonDict]:
        return [dict(c) for c in self.world.commands.get(self._commands_key(p), [])]

    async def delete_my_commands(self, p: Params) -> bool:
        key = self._commands_key(p)
        self.world.commands.pop(key, None)
        self.world.log("commands_changed", scope=key[0], language_code=key[1], commands=[])
        return True

    async def set_chat_menu_button(self, p: Params) -> bool:
        chat_id = None
        if p.has("chat_id"):
            chat = self.world.chat_for_bot(p.raw("chat_id"), sending=False)
            if chat.type != "private":
                raise e.bad_request(e.CHAT_NOT_FOUND)
            chat_id = chat.id
        button = p.json_("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise e.bad_request("can't parse menu button JSON object")
        self.world.menu_buttons[chat_id] = button
        self.world.log("menu_button_set", chat_id=chat_id, menu_button=button)
        return True

    async def get_chat_menu_button(self, p: Params) -> JsonDict:
        buttons = self.world.menu_buttons
        button = None
        if p.has("chat_id"):
            button = buttons.get(self.world.chat_for_bot(p.raw("chat_id"), sending=False).id)
        if button is None or button["type"] == "default":
            button = buttons.get(None)
        if button is None or button["type"] == "default":
            button = {"type": "commands"}
        return dict(button)

    # ------------------------------------------------------------------ files
    async def send_photo(self, p: Params) -> JsonDict:
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        stored = self._input_file(p, "photo")
        content: JsonDict = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.data),
                    "width": stored.width,
                    "height": stored.height,
                }
            ]
        }
        self._add_caption(p, content)
        return self._send(chat, p, content, "sendPhoto")

    async def send_document(self, p: Params) -> JsonDict:
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        stored = self._input_file(p, "document")
        document: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        document["file_size"] = len(stored.data)
        content: JsonDict = {"document": document}
        self._add_caption(p, content)
        return self._send(chat, p, content, "sendDocument")

    async def get_file(self, p: Params) -> JsonDict:
        stored = self.world.files.get(p.str_("file_id") or "")
        if stored is None:
            raise e.bad_request(e.INVALID_FILE_ID)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ polls
    async def send_poll(self, p: Params) -> JsonDict:
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        question = (p.str_("question") or "").strip()
        if not question:
            raise e.bad_request("poll question must be non-empty")
        if len(question) > 300:
            raise e.bad_request("poll question length must not exceed 300")
        options = p.json_("options")
        if not isinstance(options, list):
            raise e.bad_request("can't parse options JSON object")
        texts = [str(o.get("text", "")) if isinstance(o, dict) else str(o) for o in options]
        if len(texts) < 2:
            raise e.bad_request("poll must have at least 2 option")
        if len(texts) > MAX_POLL_OPTIONS:
            raise e.bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
        if any(not t.strip() for t in texts):
            raise e.bad_request("poll options must be non-empty")
        if any(len(t) > 100 for t in texts):
            raise e.bad_request("poll options length must not exceed 100")
        poll_type = p.str_("type") or "regular"
        if poll_type not in ("regular", "quiz"):
            raise e.bad_request("poll type is invalid")
        poll_id = str(5_000_000_000_000_000_000 + self.world.unique())
        poll: JsonDict = {
            "id": poll_id,
            "question": question,
            "options": [
                {"persistent_id": str(i), "text": t.strip(), "voter_count": 0}
                for i, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": p.bool_("is_closed"),
            "is_anonymous": p.bool_("is_anonymous") if p.has("is_anonymous") else True,
            "type": poll_type,
            "allows_multiple_answers": p.bool_("allows_multiple_answers"),
            "allows_revoting": poll_type != "quiz",
            "members_only": False,
        }
        if poll_type == "quiz":
            self._quiz_fields(p, poll, len(texts))
        for name in ("open_period", "close_date"):
            value = p.int_(name)
            if value is not None:
                poll[name] = value
        message = self._send(chat, p, {"poll": poll}, "sendPoll")
        self.world.polls[poll_id] = PollRecord(chat.id, message["message_id"])
        return message

    async def stop_poll(self, p: Params) -> JsonDict:
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        message = chat.messages.get(p.int_("message_id") or 0)
        if message is None or "poll" not in message:
            raise e.bad_request("message with poll to stop not found")
        poll = message["poll"]
        if poll["is_closed"]:
            raise e.bad_request("poll has already been closed")
        poll["is_closed"] = True
        if p.has("reply_markup"):
            markup = self._inline_markup(p)
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
        self.world.push_update("poll", poll)
        self.world.log(
            "poll_stopped", chat_id=chat.id, message_id=message["message_id"], poll=snapshot(poll)
        )
        return snapshot(poll)

    # ------------------------------------------------------------------ helpers
    def _send(self, chat: Chat, p: Params, content: JsonDict, method: str) -> JsonDict:
        reply = self._reply_target(chat, p)
        if reply is not None:
            content["reply_to_message"] = reply
        inline = self._inline_markup(p)
        if inline is not None:
            content["reply_markup"] = inline
        elif p.has("reply_markup"):
            self._apply_reply_keyboard(chat, p.json_("reply_markup"))
        message = self.world.store_message(chat, self.world.bot.to_json(), content)
        result = snapshot(message)
        self.world.log(
            "message_sent",
            method=method,
            chat_id=chat.id,
            message_id=message["message_id"],
            message=result,
        )
        return result

    def _reply_target(self, chat: Chat, p: Params) -> JsonDict | None:
        target = p.json_("reply_parameters")
        if isinstance(target, dict):
            message_id = target.get("message_id")
            lenient = bool(target.get("allow_sending_without_reply"))
            if "chat_id" in target and parse_chat_id(target["chat_id"]) != chat.id:
                raise e.bad_request("cross-chat replies are not supported by the emulator")
        elif p.has("reply_to_message_id"):
            message_id = p.int_("reply_to_message_id")
            lenient = p.bool_("allow_sending_without_reply")
        else:
            return None
        replied = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if replied is None:
            if lenient:
                return None
            raise e.bad_request(e.REPLIED_NOT_FOUND)
        return {k: v for k, v in snapshot(replied).items() if k != "reply_to_message"}

    def _format(
        self,
        p: Params,
        field: str,
        mode_field: str,
        entities_field: str,
        limit: int,
        *,
        required: bool = True,
    ) -> tuple[str, list[JsonDict]]:
        raw = p.str_(field) or ""
        explicit = p.json_(entities_field)
        mode = (p.str_(mode_field) or "").lower()
        if explicit is not None:
            text, entities = raw, self._explicit_entities(explicit, raw)
        elif mode == "html":
            try:
                text, entities = parse_html(raw)
            except HtmlParseError as exc:
                raise e.bad_request(f"can't parse entities: {exc}") from None
        elif mode in ("markdown", "markdownv2"):
            raise e.bad_request(
                f"parse_mode {p.str_(mode_field)} is not supported by the emulator; use HTML"
            )
        elif mode:
            raise e.bad_request("unsupported parse_mode")
        else:
            text, entities = raw, []
        text, entities = finish_text(text, entities)
        if not text and required:
            raise e.bad_request(e.MESSAGE_TEXT_EMPTY)
        if len(text) > limit:
            raise e.bad_request(e.MESSAGE_TOO_LONG if field == "text" else e.CAPTION_TOO_LONG)
        return text, entities

    def _explicit_entities(self, value: Any, text: str) -> list[JsonDict]:
        if not isinstance(value, list):
            raise e.bad_request("can't parse entities JSON object")
        size = utf16_len(text)
        result = []
        for entity in value:
            if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
                raise e.bad_request("can't parse MessageEntity JSON object")
            offset, length = entity.get("offset"), entity.get("length")
            if not isinstance(offset, int) or not isinstance(length, int):
                raise e.bad_request("can't parse MessageEntity JSON object")
            if offset < 0 or length <= 0 or offset + length > size:
                continue
            result.append(dict(entity))
        return result

    def _add_caption(self, p: Params, content: JsonDict) -> None:
        caption, entities = self._format(
            p, "caption", "parse_mode", "caption_entities", MAX_CAPTION, required=False
        )
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities

    def _inline_markup(self, p: Params) -> JsonDict | None:
        """Validated inline keyboard from ``reply_markup``, or ``None`` when there is none."""
        markup = p.json_("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise e.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise e.bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        clean_rows = []
        for row in rows:
            clean_row = []
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise e.bad_request(
                        "can't parse inline keyboard button: Text is not specified"
                    )
                actions = [a for a in INLINE_BUTTON_ACTIONS if button.get(a) is not None]
                if not actions:
                    raise e.bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
                ):
                    raise e.bad_request(e.BUTTON_DATA_INVALID)
                clean_row.append({k: v for k, v in button.items() if v is not None})
            if clean_row:
                clean_rows.append(clean_row)
        if not clean_rows:
            return None
        return {"inline_keyboard": clean_rows}

    def _apply_reply_keyboard(self, chat: Chat, markup: JsonDict) -> None:
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        elif not markup.get("force_reply"):
            raise e.bad_request("can't parse reply keyboard markup JSON object")

    def _message_to_edit(self, p: Params) -> tuple[Chat, JsonDict]:
        if not p.has("chat_id"):
            if p.has("inline_message_id"):
                raise e.bad_request("inline messages are not supported by the emulator")
            raise e.bad_request("chat_id is empty")
        chat = self.world.chat_for_bot(p.raw("chat_id"))
        if not p.has("message_id"):
            raise e.bad_request("message_id is empty")
        message = chat.messages.get(p.int_("message_id") or 0)
        if message is None:
            raise e.bad_request(e.MESSAGE_TO_EDIT_NOT_FOUND)
        if message["from"]["id"] != self.world.bot.id:
            raise e.bad_request(e.MESSAGE_CANT_BE_EDITED)
        return chat, message

    def _apply_edit(self, chat: Chat, message: JsonDict, new: JsonDict, method: str) -> JsonDict:
        normalized = {k: v or None for k, v in new.items()}
        if all(message.get(k) == v for k, v in normalized.items()):
            raise e.bad_request(e.NOT_MODIFIED)
        for key, value in normalized.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = self.world.date()
        result = snapshot(message)
        self.world.log(
            "message_edited",
            method=method,
            chat_id=chat.id,
            message_id=message["message_id"],
            message=result,
        )
        return result

    def _input_file(self, p: Params, kind: str) -> StoredFile:
        value = p.file_(kind)
        if isinstance(value, Upload):
            return self._store_upload(value, kind)
        if value is None:
            raise e.bad_request(f"there is no {kind} in the request")
        stored = self.world.files.get(value)
        if stored is None:
            raise e.bad_request(e.WRONG_FILE_ID)
        if stored.kind != kind:
            raise e.bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _store_upload(self, upload: Upload, kind: str) -> StoredFile:
        width = height = 0
        if kind == "photo":
            size = image_size(upload.data)
            if size is None:
                raise e.bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
        file_id, unique_id = new_file_ids(kind)
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename)[0] or mime
        extension = mimetypes.guess_extension(mime or "") or ""
        if kind == "photo":
            extension = ".jpg"
        elif "." in upload.filename:
            extension = "." + upload.filename.rsplit(".", 1)[1]
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind=kind,
            data=upload.data,
            file_path=f"{folder}/file_{self.world.unique()}{extension}",
            file_name=upload.filename if kind == "document" else None,
            mime_type=mime if kind == "document" else None,
            width=width,
            height=height,
        )
        self.world.files[file_id] = stored
        self.world.files_by_path[stored.file_path] = stored
        return stored

    def _quiz_fields(self, p: Params, poll: JsonDict, count: int) -> None:
        correct = p.int_("correct_option_id")
        if correct is None:
            ids = p.json_("correct_option_ids")
            correct = ids[0] if isinstance(ids, list) and len(ids) == 1 else None
        if not isinstance(correct, int) or not 0 <= correct < count:
            raise e.bad_request("wrong correct option ID specified")
        poll["correct_option_ids"] = [correct]
        explanation = p.str_("explanation")
        if explanation:
            poll["explanation"] = explanation

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.json_("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise e.bad_request("can't parse BotCommandScope JSON object")
        language = p.str_("language_code") or ""
        if language and not LANGUAGE_CODE.fullmatch(language):
            raise e.bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

"""Raw HTTP: Telegram's exact error envelopes, statuses and wording, and request encodings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox.emulator import Emulator, EmulatorClient

from .conftest import FakeClock


class Api:
    """Minimal raw Bot API caller returning (HTTP status, parsed body)."""

    def __init__(self, session: aiohttp.ClientSession, emu: Emulator):
        self.session = session
        self.base = f"{emu.base_url}{emu.token}"
        self.root = emu.base_url

    async def __call__(self, method: str, **params: Any) -> tuple[int, Any]:
        async with self.session.post(f"{self.base}/{method}", json=params) as response:
            return response.status, await response.json()

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self(method, **params)
        assert body["ok"] is False and body["error_code"] == status, body
        return status, body["description"]


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, emu)


async def started(client: EmulatorClient) -> int:
    user = await client.create_user("小明")
    await client.send_text(user["id"], "/start")
    return int(user["id"])


async def test_tokens_and_unknown_methods(api: Api, emu: Emulator) -> None:
    async with api.session.get(f"{api.root}not-a-token/getMe") as response:
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found",
        }
    async with api.session.get(f"{api.root}42:{'A' * 35}/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    assert await api.error("noSuchMethod") == (404, "Not Found")
    for path in (api.base, f"{api.base}/", f"{api.base}/getMe/extra"):
        async with api.session.get(path) as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
    status, description = await api.error("sendSticker", chat_id=1, sticker="x")
    assert status == 400 and "not implemented by the emulator" in description
    status, body = await api("GETME")
    assert status == 200 and body["result"]["username"] == "branch_study_bot"


async def test_request_encodings(api: Api, client: EmulatorClient) -> None:
    user_id = await started(client)
    query = f"?chat_id={user_id}&text=%E4%BD%A0%E5%A5%BD"
    async with api.session.get(f"{api.base}/sendMessage{query}") as response:
        body = await response.json()
    assert body["ok"] and body["result"]["text"] == "你好"
    form = {
        "chat_id": str(user_id),
        "text": "表单",
        "reply_markup": '{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}',
        "unknown_parameter": "ignored",
    }
    async with api.session.post(f"{api.base}/sendMessage", data=form) as response:
        body = await response.json()
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    async with api.session.post(
        f"{api.base}/sendMessage", data=b"{", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400


async def test_missing_required_parameters(api: Api, client: EmulatorClient) -> None:
    user_id = await started(client)
    assert await api.error("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    assert await api.error("sendMessage", chat_id=user_id) == (
        400,
        "Bad Request: message text is empty",
    )
    assert await api.error("sendMessage", chat_id=user_id, text=" \n ") == (
        400,
        "Bad Request: message text is empty",
    )
    assert await api.error("sendMessage", chat_id=user_id, text="<b></b>", parse_mode="HTML") == (
        400,
        "Bad Request: message text is empty",
    )
    assert await api.error("sendPhoto", chat_id=user_id) == (
        400,
        "Bad Request: there is no photo in the request",
    )
    assert await api.error("sendDocument", chat_id=user_id) == (
        400,
        "Bad Request: there is no document in the request",
    )
    assert await api.error("answerCallbackQuery") == (
        400,
        "Bad Request: callback_query_id is empty",
    )


async def test_chat_errors(api: Api, client: EmulatorClient) -> None:
    stranger = await client.create_user("陌生人")
    assert await api.error("sendMessage", chat_id=999, text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id="@nobody", text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id=stranger["id"], text="x") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    assert await api.error("getChat", chat_id=stranger["id"]) == (
        400,
        "Bad Request: chat not found",
    )
    user_id = await started(client)
    await client.block_bot(user_id)
    assert await api.error("sendMessage", chat_id=user_id, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    with pytest.raises(Exception, match="blocked the bot"):
        await client.send_text(user_id, "我还在吗")
    await client.unblock_bot(user_id)
    status, _ = await api("sendMessage", chat_id=user_id, text="x")
    assert status == 200
    group = await client.create_group("没有机器人的群", [user_id], with_bot=False)
    assert await api.error("sendMessage", chat_id=group["id"], text="x") == (
        403,
        "Forbidden: bot is not a member of the group chat",
    )


async def test_text_limits_and_markup_errors(api: Api, client: EmulatorClient) -> None:
    user_id = await started(client)
    status, _ = await api("sendMessage", chat_id=user_id, text="字" * 4096)
    assert status == 200
    assert await api.error("sendMessage", chat_id=user_id, text="字" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    ok_data = "数" * 21  # 63 bytes
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": ok_data}]]}
    status, _ = await api("sendMessage", chat_id=user_id, text="x", reply_markup=keyboard)
    assert status == 200
    for bad in ("数" * 22, "x" * 65, ""):
        keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": bad}]]}
        assert await api.error(
            "sendMessage", chat_id=user_id, text="x", reply_markup=keyboard
        ) == (400, "Bad Request: BUTTON_DATA_INVALID")
    keyboard = {"inline_keyboard": [[{"text": "A"}]]}
    assert await api.error("sendMessage", chat_id=user_id, text="x", reply_markup=keyboard) == (
        400,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
        "inline keyboard",
    )
    assert await api.error("sendMessage", chat_id=user_id, text="<b>x", parse_mode="HTML") == (
        400,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )
    assert await api.error("sendMessage", chat_id=user_id, text="<x>", parse_mode="HTML") == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
    )
    assert await api.error("sendMessage", chat_id=user_id, text="x", parse_mode="bbcode") == (
        400,
        "Bad Request: unsupported parse_mode",
    )
    status, description = await api.error(
        "sendMessage", chat_id=user_id, text="*x*", parse_mode="MarkdownV2"
    )
    assert status == 400 and "not supported by the emulator" in description
    assert await api.error("sendChatAction", chat_id=user_id, action="dancing") == (
        400,
        "Bad Request: wrong parameter action in request",
    )


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("Bad Command", "x", "BOT_COMMAND_INVALID"),
        ("Quiz", "开始答题", "BOT_COMMAND_INVALID"),
        ("答题", "开始答题", "BOT_COMMAND_INVALID"),
        ("quiz-now", "开始答题", "BOT_COMMAND_INVALID"),
        ("  /  ", "开始答题", "command must be non-empty"),
        ("a" * 33, "开始答题", "command length must not exceed 32"),
        ("quiz", "", "command description must be non-empty"),
        ("quiz", "   ", "command description must be non-empty"),
        ("quiz", "题" * 257, "command description length must not exceed 256"),
    ],
)
async def test_set_my_commands_refuses_what_telegram_refuses(
    api: Api, command: str, description: str, error: str
) -> None:
    for scope in ({"type": "default"}, {"type": "all_group_chats"}):
        commands = [{"command": command, "description": description}]
        assert await api.error("setMyCommands", commands=commands, scope=scope) == (
            400,
            f"Bad Request: {error}",
        )


async def test_set_my_commands_takes_what_telegram_takes(api: Api) -> None:
    commands = [
        {"command": " /quiz_2 ", "description": " 开始答题 "},
        {"command": "a" * 32, "description": "题" * 256},
    ]
    status, _ = await api("setMyCommands", commands=commands)
    assert status == 200
    _, got = await api("getMyCommands")
    assert got["result"][0] == {"command": "quiz_2", "description": "开始答题"}
    too_many = [{"command": f"c{i}", "description": "x"} for i in range(101)]
    assert await api.error("setMyCommands", commands=too_many) == (
        400,
        "Bad Request: BOT_COMMANDS_TOO_MUCH",
    )
    assert await api.error("getMyCommands", language_code="zh-CN") == (
        400,
        "Bad Request: invalid language code specified",
    )


async def test_edit_and_delete_errors(api: Api, client: EmulatorClient) -> None:
    user_id = await started(client)
    _, sent = await api("sendMessage", chat_id=user_id, text="原文")
    message_id = sent["result"]["message_id"]
    assert await api.error(
        "editMessageText", chat_id=user_id, message_id=message_id, text="原文"
    ) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    assert await api.error("editMessageText", chat_id=user_id, message_id=10**6, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    assert await api.error("editMessageText", chat_id=user_id, message_id=1, text="x") == (
        400,
        "Bad Request: message can't be edited",
    )
    _, poll = await api("sendPoll", chat_id=user_id, question="问", options=["甲", "乙"])
    assert await api.error(
        "editMessageText", chat_id=user_id, message_id=poll["result"]["message_id"], text="x"
    ) == (400, "Bad Request: there is no text in the message to edit")
    assert await api.error("deleteMessage", chat_id=user_id, message_id=10**6) == (
        400,
        "Bad Request: message to delete not found",
    )
    reply = {"message_id": 10**6}
    assert await api.error("sendMessage", chat_id=user_id, text="x", reply_parameters=reply) == (
        400,
        "Bad Request: message to be replied not found",
    )
    reply["allow_sending_without_reply"] = True
    status, _ = await api("sendMessage", chat_id=user_id, text="x", reply_parameters=reply)
    assert status == 200


async def test_callback_query_errors(api: Api, client: EmulatorClient, clock: FakeClock) -> None:
    user_id = await started(client)
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    _, sent = await api("sendMessage", chat_id=user_id, text="题", reply_markup=keyboard)
    message_id = sent["result"]["message_id"]
    too_old = (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert await api.error("answerCallbackQuery", callback_query_id="12345") == too_old
    late = await client.tap_button(user_id, user_id, message_id, "a")
    clock.advance(16)
    assert await api.error("answerCallbackQuery", callback_query_id=late) == too_old
    twice = await client.tap_button(user_id, user_id, message_id, "a")
    status, _ = await api("answerCallbackQuery", callback_query_id=twice)
    assert status == 200
    assert await api.error("answerCallbackQuery", callback_query_id=twice) == too_old


async def test_webhook_conflict_wording(api: Api) -> None:
    await api("setWebhook", url="https://example.org/hook")
    assert await api.error("getUpdates") == (
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first",
    )
    await api("setWebhook", url="")
    status, body = await api("getUpdates")
    assert status == 200 and body == {"ok": True, "result": []}


async def test_injected_faults(api: Api, client: EmulatorClient) -> None:
    user_id = await started(client)
    other_id = int((await client.create_user("小刚"))["id"])
    await client.send_text(other_id, "hi")
    await client.inject_fault("sendmessage", 429, retry_after=7, count=2)
    for _ in range(2):
        status, body = await api("sendMessage", chat_id=user_id, text="x")
        assert (status, body) == (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
        )
    assert (await api("sendMessage", chat_id=user_id, text="x"))[0] == 200
    await client.inject_fault("sendMessage", 502)
    assert await api.error("sendMessage", chat_id=user_id, text="x") == (502, "Bad Gateway")
    await client.inject_fault("sendMessage", 500)
    assert await api.error("sendMessage", chat_id=user_id, text="x") == (
        500,
        "Internal Server Error",
    )
    await client.inject_fault("sendMessage", 403, chat_id=other_id)
    assert (await api("sendMessage", chat_id=user_id, text="x"))[0] == 200
    assert await api.error("sendMessage", chat_id=other_id, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    await client.inject_fault("editMessageText", 400, description="Bad Request: custom")
    assert await api.error("editMessageText", chat_id=user_id, message_id=1, text="x") == (
        400,
        "Bad Request: custom",
    )
    await client.inject_fault("getMe", 500, count=5)
    await client.clear_faults()
    assert (await api("getMe"))[0] == 200
    errors = [ev for ev in await client.events() if ev["type"] == "api_error"]
    assert [ev["error_code"] for ev in errors] == [429, 429, 502, 500, 403, 400]
    # faulted calls have no effect
    texts = [m.get("text") for m in await client.get_messages(user_id)]
    assert texts == ["/start", "x", "x"]

"""The committed reference extract matches the reference; every returned object matches it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.emulator import Emulator, EmulatorClient
from bot.sandbox.emulator.spec import SPEC_PATH, BotApiSpec, derive, main, render

from .schema import problems, result_problems

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "telegram-bot-api" / "api.json"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x03\x00\x00\x00\x02\x08\x02\x00\x00\x00"
    b"\x12\x16\xf1M\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_committed_extract_matches_reference() -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"the Bot API reference is not at {REFERENCE} (shared/ not laid out)")
    expected = render(derive(json.loads(REFERENCE.read_text(encoding="utf-8"))))
    assert SPEC_PATH.read_text(encoding="utf-8") == expected, (
        "botapi.json is stale: run python -m bot.sandbox.emulator.spec "
        "../shared/telegram-bot-api/api.json"
    )


def test_generator_entry_point(tmp_path: Path) -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"the Bot API reference is not at {REFERENCE} (shared/ not laid out)")
    target = tmp_path / "botapi.json"
    assert main([str(REFERENCE), str(target)]) == 0
    assert target.read_text(encoding="utf-8") == SPEC_PATH.read_text(encoding="utf-8")
    assert main([]) == 2


def test_implemented_methods_exist_in_reference(emu: Emulator) -> None:
    spec = BotApiSpec.load()
    assert set(emu.api.methods) <= set(spec.method_names)


def test_schema_checker_catches_mistakes() -> None:
    spec = BotApiSpec.load()
    assert problems(spec, "User", {"id": 1, "is_bot": False, "first_name": "a"}) == []
    assert problems(spec, "User", {"id": "1", "is_bot": False, "first_name": "a"})
    assert problems(spec, "User", {"id": 1, "is_bot": False})
    assert problems(spec, "User", {"id": 1, "is_bot": False, "first_name": "a", "nick": "x"})
    assert problems(spec, "MenuButton", {"type": "commands"}) == []


async def _call(session: aiohttp.ClientSession, base: str, method: str, params: Any) -> Any:
    async with session.post(f"{base}/{method}", json=params) as response:
        body = await response.json()
    assert body["ok"], (method, body)
    return body["result"]


async def test_every_returned_object_matches_reference(emu: Emulator) -> None:
    spec = BotApiSpec.load()
    url = f"{emu.base_url}{emu.token}"
    found: list[str] = []
    async with EmulatorClient(emu.url) as users, aiohttp.ClientSession() as session:

        async def call(method: str, **params: Any) -> Any:
            result = await _call(session, url, method, params)
            found.extend(result_problems(spec, method, result))
            return result

        alice = await users.create_user("小红", last_name="李", username="xiaohong")
        bob = await users.create_user("小刚")
        await users.send_text(alice["id"], "/start 你好 @someone #学习 https://example.org")
        group = await users.create_group("第一支部", [alice["id"], bob["id"]])
        await users.send_text(bob["id"], "/help@branch_study_bot", chat_id=group["id"])
        keyboard = {"inline_keyboard": [[{"text": "是", "callback_data": "yes"}]]}
        await call("getMe")
        await call("getWebhookInfo")
        msg = await call(
            "sendMessage",
            chat_id=alice["id"],
            text="<b>第一题</b> <a href='example.org'>链接</a>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        await call(
            "sendMessage", chat_id=group["id"], text="群消息", reply_parameters={"message_id": 1}
        )
        await users.tap_button(alice["id"], alice["id"], msg["message_id"], "yes")
        await call(
            "editMessageText",
            chat_id=alice["id"],
            message_id=msg["message_id"],
            text="已答",
            reply_markup=keyboard,
        )
        await call("editMessageReplyMarkup", chat_id=alice["id"], message_id=msg["message_id"])
        await call("setMyCommands", commands=[{"command": "start", "description": "开始"}])
        await call("getMyCommands")
        await call("setChatMenuButton", chat_id=alice["id"], menu_button={"type": "commands"})
        await call("getChatMenuButton", chat_id=alice["id"])
        await call("sendChatAction", chat_id=alice["id"], action="typing")
        form = aiohttp.FormData()
        form.add_field("chat_id", str(alice["id"]))
        form.add_field("caption", "<i>图</i>")
        form.add_field("parse_mode", "HTML")
        form.add_field("photo", io.BytesIO(PNG), filename="a.png", content_type="image/png")
        async with session.post(f"{url}/sendPhoto", data=form) as response:
            photo_msg = (await response.json())["result"]
        found.extend(result_problems(spec, "sendPhoto", photo_msg))
        form = aiohttp.FormData()
        form.add_field("chat_id", str(alice["id"]))
        form.add_field("document", b"hello", filename="notes.txt", content_type="text/plain")
        async with session.post(f"{url}/sendDocument", data=form) as response:
            doc_msg = (await response.json())["result"]
        found.extend(result_problems(spec, "sendDocument", doc_msg))
        await call(
            "editMessageCaption",
            chat_id=alice["id"],
            message_id=photo_msg["message_id"],
            caption="新说明",
        )
        await call("getFile", file_id=doc_msg["document"]["file_id"])
        await call("sendPhoto", chat_id=alice["id"], photo=photo_msg["photo"][0]["file_id"])
        poll_msg = await call(
            "sendPoll",
            chat_id=group["id"],
            question="选哪个？",
            options=[{"text": "甲"}, {"text": "乙"}],
            is_anonymous=False,
        )
        quiz_msg = await call(
            "sendPoll",
            chat_id=alice["id"],
            question="测验",
            options=["对", "错"],
            type="quiz",
            correct_option_id=0,
        )
        await users.vote_poll(bob["id"], group["id"], poll_msg["message_id"], [1])
        await users.vote_poll(alice["id"], alice["id"], quiz_msg["message_id"], [0])
        await call("stopPoll", chat_id=group["id"], message_id=poll_msg["message_id"])
        await call("getChat", chat_id=alice["id"])
        await call("getChat", chat_id=group["id"])
        await users.block_bot(alice["id"])
        await users.unblock_bot(alice["id"])
        updates = await call("getUpdates", allowed_updates=[])
        await call("deleteMessage", chat_id=alice["id"], message_id=msg["message_id"])
        await call("deleteMessages", chat_id=alice["id"], message_ids=[1, 2])
        await call("deleteMyCommands")
        await call("setWebhook", url="https://example.org/hook")
        await call("deleteWebhook")
        await call("logOut")
        await call("close")
        kinds = {k for u in updates for k in u if k != "update_id"}
        assert kinds == {"message", "callback_query", "poll", "poll_answer", "my_chat_member"}
        for message in await users.get_messages(alice["id"]):
            found.extend(problems(spec, "Message", message, "stored"))
    assert found == []

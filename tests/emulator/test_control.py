"""The control API and client: simulated users, waiting for reactions, a real PTB Application."""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox.emulator import Emulator, EmulatorClient, EmulatorError

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("开始", callback_data="go")]])


async def test_application_end_to_end(emu: Emulator, client: EmulatorClient) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("欢迎学习", reply_markup=KEYBOARD)

    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("好的")
        await query.edit_message_text("已开始")

    app = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(tapped))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            user = await client.create_user("小明")
            await client.send_text(user["id"], "/start")
            reply = await client.wait_for_message(user["id"], lambda m: m["text"] == "欢迎学习")
            query_id = await client.tap_button(user["id"], user["id"], reply["message_id"], "go")
            answer = await client.wait_for_callback_answer(query_id)
            assert answer["text"] == "好的"
            edited = await client.wait_for_edit(user["id"], reply["message_id"])
            assert edited["text"] == "已开始" and "reply_markup" not in edited
            assert (await client.get_message(user["id"], reply["message_id"])) == edited
        finally:
            await app.updater.stop()
            await app.stop()


async def test_taps(bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("小红")
    await client.send_text(user["id"], "hi")
    message = await bot.send_message(user["id"], "题", reply_markup=KEYBOARD)
    first = await client.tap_button(user["id"], user["id"], message.message_id, "go")
    second = await client.tap_button(user["id"], user["id"], message.message_id, "go")
    assert first != second
    with pytest.raises(EmulatorError, match="no button"):
        await client.tap_button(user["id"], user["id"], message.message_id, "other")
    forged = await client.tap_button(
        user["id"], user["id"], message.message_id, "x" * 200, forge=True
    )
    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.id for q in queries] == [first, second, forged]
    assert queries[-1].data == "x" * 200
    assert not (await client.get_callback_answer(first))["answered"]


async def test_group_privacy_mode(bot: Bot, client: EmulatorClient) -> None:
    alice = await client.create_user("小红")
    bob = await client.create_user("小刚")
    group = await client.create_group("第三支部", [alice["id"], bob["id"]], supergroup=True)
    assert group["type"] == "supergroup" and group["id"] < -1_000_000_000_000
    sent = await bot.send_message(group["id"], "大家好")
    await client.send_text(alice["id"], "闲聊", chat_id=group["id"])
    await client.send_text(alice["id"], "/quiz", chat_id=group["id"])
    await client.send_text(alice["id"], "/quiz@other_bot", chat_id=group["id"])
    await client.send_text(
        bob["id"], "回复你", chat_id=group["id"], reply_to_message_id=sent.message_id
    )
    updates = await bot.get_updates()
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    texts = [u.message.text for u in updates if u.message]
    assert texts == ["/quiz", "回复你"]
    stored = await client.get_messages(group["id"])
    assert [m["text"] for m in stored] == ["大家好", "闲聊", "/quiz", "/quiz@other_bot", "回复你"]
    with pytest.raises(EmulatorError, match="not a member"):
        await client.send_text((await client.create_user("外人"))["id"], "x", chat_id=group["id"])


async def test_block_and_unblock(bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("小明")
    await client.send_text(user["id"], "/start")
    await client.block_bot(user["id"])
    assert (await client.get_user(user["id"]))["blocked"]
    await client.unblock_bot(user["id"])
    updates = await bot.get_updates()
    statuses = [
        u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member is not None
    ]
    assert statuses == ["kicked", "member"]


async def test_poll_votes(bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("小明")
    await client.send_text(user["id"], "/start")
    anonymous = await bot.send_poll(
        user["id"], "问", ["甲", "乙", "丙"], allows_multiple_answers=True
    )
    poll = await client.vote_poll(user["id"], user["id"], anonymous.message_id, [0, 2])
    assert [o["voter_count"] for o in poll["options"]] == [1, 0, 1]
    poll = await client.vote_poll(user["id"], user["id"], anonymous.message_id, [])
    assert poll["total_voter_count"] == 0
    quiz = await bot.send_poll(user["id"], "测", ["对", "错"], type="quiz", correct_option_ids=[1])
    await client.vote_poll(user["id"], user["id"], quiz.message_id, [0])
    with pytest.raises(EmulatorError, match="can't be changed"):
        await client.vote_poll(user["id"], user["id"], quiz.message_id, [1])
    single = await bot.send_poll(user["id"], "单选", ["甲", "乙"])
    with pytest.raises(EmulatorError, match="only one answer"):
        await client.vote_poll(user["id"], user["id"], single.message_id, [0, 1])
    updates = await bot.get_updates()
    assert not any(u.poll_answer for u in updates)  # anonymous polls report no voters
    assert sum(1 for u in updates if u.poll) == 3


async def test_waiting_for_events(bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("小明")
    await client.send_text(user["id"], "/start")

    async def reply_later() -> None:
        await asyncio.sleep(0.2)
        await bot.send_message(user["id"], "第一条")
        await bot.send_message(user["id"], "第二条")

    task = asyncio.create_task(reply_later())
    started = time.monotonic()
    assert (await client.wait_for_message(user["id"]))["text"] == "第一条"
    assert (await client.wait_for_message(user["id"]))["text"] == "第二条"
    assert time.monotonic() - started < 2
    await task
    with pytest.raises(TimeoutError):
        await client.wait_for_message(user["id"], timeout=0.3)
    seqs = [event["seq"] for event in await client.events()]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_latency_is_per_request(emu: Emulator, client: EmulatorClient) -> None:
    users = await asyncio.gather(*(client.create_user(f"用户{i}") for i in range(200)))
    await asyncio.gather(*(client.send_text(u["id"], "/start") for u in users))
    await client.set_latency(50)
    url = f"{emu.base_url}{emu.token}/sendMessage"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def remind(user_id: int) -> int:
            payload = {"chat_id": user_id, "text": "提醒"}
            async with session.post(url, json=payload) as response:
                return response.status

        started = time.monotonic()
        statuses = await asyncio.gather(*(remind(u["id"]) for u in users))
        elapsed = time.monotonic() - started
    # serialised, 200 calls at 50 ms would take 10 s
    assert statuses == [200] * 200 and 0.05 <= elapsed < 3, elapsed
    assert emu.latency_ms == 50
    emu.latency_ms = 0
    assert [m["text"] for m in await client.get_messages(users[-1]["id"])] == ["/start", "提醒"]


async def test_misc_control_requests(emu: Emulator, client: EmulatorClient) -> None:
    info = await client.get_bot()
    assert info["bot"]["username"] == "branch_study_bot" and info["webhook"] is None
    with pytest.raises(EmulatorError):
        await client.get_user(1)
    with pytest.raises(EmulatorError):
        await client.download_file("missing")
    with pytest.raises(EmulatorError):
        await client.get_chat(-5)
    user = await client.create_user("小明", last_name="王", username="xm", user_id=555)
    assert user == {
        "id": 555,
        "is_bot": False,
        "first_name": "小明",
        "last_name": "王",
        "username": "xm",
        "language_code": "zh-hans",
    }
    with pytest.raises(EmulatorError):
        await client.create_user("重复", user_id=555)
    fault = await client.inject_fault("sendMessage", 429)
    assert fault["description"] == "Too Many Requests: retry after 1"
    with pytest.raises(EmulatorError):
        await client.inject_fault("sendMessage", 400)


async def test_calls_are_counted_by_method(bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("计数")
    await client.send_text(user["id"], "/start")
    await client.take_calls()
    await bot.send_message(user["id"], "一")
    await bot.send_message(user["id"], "二")
    await bot.get_me()
    with contextlib.suppress(Exception):
        await bot.send_message(user["id"], "")  # refused, yet a call Telegram received
    assert await client.take_calls() == {"sendMessage": 3, "getMe": 1}
    assert await client.take_calls() == {}


async def test_cross_site_and_non_json_changes_are_refused(emu: Emulator) -> None:
    """Finding 14: a web page elsewhere could post ``text/plain`` to the control API (a
    "simple" request needs no preflight) and act as any simulated person."""
    url = f"{emu.url}/_emulator/users"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data='{"first_name": "x"}') as plain:
            assert plain.status == 415
        forged = {"Origin": "https://evil.example", "Content-Type": "application/json"}
        async with http.post(url, data='{"first_name": "x"}', headers=forged) as cross:
            assert cross.status == 403
        fetched = {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}
        async with http.post(url, data='{"first_name": "x"}', headers=fetched) as cross:
            assert cross.status == 403
        own = {"Origin": emu.url, "Content-Type": "application/json"}
        async with http.post(url, data='{"first_name": "x"}', headers=own) as same:
            assert same.status == 200
        async with http.get(f"{emu.url}/_emulator/bot") as read:
            assert read.status == 200


async def test_popups_are_kept_per_user_and_chat(bot: Bot, client: EmulatorClient) -> None:
    """What answerCallbackQuery showed the tapping user (a toast, or a dialog with
    show_alert) is kept for the chat page; the bot's answer stays Telegram's plain True, and
    an answer without text shows nothing."""
    alice = await client.create_user("小红")
    bob = await client.create_user("小刚")
    for user in (alice, bob):
        await client.send_text(user["id"], "/start")
    to_alice = await bot.send_message(alice["id"], "题", reply_markup=KEYBOARD)
    to_bob = await bot.send_message(bob["id"], "题", reply_markup=KEYBOARD)
    start = (await client.get_bot())["last_seq"]
    silent = await client.tap_button(alice["id"], alice["id"], to_alice.message_id, "go")
    toast = await client.tap_button(alice["id"], alice["id"], to_alice.message_id, "go")
    alert = await client.tap_button(bob["id"], bob["id"], to_bob.message_id, "go")
    assert await bot.answer_callback_query(silent) is True
    assert await bot.answer_callback_query(toast, "已登记：参加") is True
    assert await bot.answer_callback_query(alert, "这个按钮已失效", show_alert=True) is True
    everyone = await client.get_popups(after=start)
    assert [(p["user_id"], p["text"], p["show_alert"]) for p in everyone] == [
        (alice["id"], "已登记：参加", False),
        (bob["id"], "这个按钮已失效", True),
    ]
    mine = await client.get_popups(alice["id"], alice["id"])
    assert [p["callback_query_id"] for p in mine] == [toast]
    assert mine[0]["message_id"] == to_alice.message_id
    assert await client.get_popups(alice["id"], bob["id"]) == []
    assert await client.get_popups(after=everyone[-1]["seq"]) == []
    with pytest.raises(EmulatorError, match="user_id must be an integer"):
        await client.get_popups(after=0, chat_id=None, user_id="x")  # type: ignore[arg-type]


# A 2×1 PNG: the emulator reads the size from the header.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e85d"
    "0000000c4944415408d763f8cfc0f01f0005fe02fea7d6a7b10000000049454e44ae426082"
)


async def test_a_user_sends_a_photo_the_bot_can_send_back(
    bot: Bot, client: EmulatorClient
) -> None:
    user = await client.create_user("张三")
    sent = await client.send_photo(user["id"], PNG, caption="会议照片")
    (size,) = sent["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (2, 1, len(PNG))
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.caption == "会议照片"
    assert update.message.photo[-1].file_id == size["file_id"]
    again = await bot.send_photo(user["id"], size["file_id"])
    assert again.photo[-1].file_id == size["file_id"]
    assert await client.download_file(size["file_id"]) == PNG
    with pytest.raises(EmulatorError):
        await client.send_photo(user["id"], b"not an image")

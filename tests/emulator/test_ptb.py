"""python-telegram-bot 22.8 drives every implemented method and parses every reply."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MenuButtonCommands,
    MenuButtonDefault,
    Message,
    Poll,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.sandbox.emulator import Emulator, EmulatorClient

from .test_spec import PNG


async def started_user(client: EmulatorClient, name: str = "小明") -> int:
    user = await client.create_user(name)
    await client.send_text(user["id"], "/start")
    return int(user["id"])


async def test_get_me(bot: Bot, emu: Emulator) -> None:
    me = await bot.get_me()
    assert me.id == int(emu.token.split(":")[0])
    assert me.is_bot and me.first_name == "支部学习助手" and me.username == "branch_study_bot"
    assert me.can_join_groups and not me.can_read_all_group_messages


async def test_long_poll_returns_early_when_an_update_arrives(
    bot: Bot, client: EmulatorClient
) -> None:
    user = await client.create_user("小红")

    async def write_later() -> None:
        await asyncio.sleep(0.2)
        await client.send_text(user["id"], "你好")

    started = time.monotonic()
    task = asyncio.create_task(write_later())
    updates = await bot.get_updates(timeout=5, read_timeout=10)
    await task
    assert 0.15 < time.monotonic() - started < 2
    assert [u.message.text for u in updates if u.message] == ["你好"]


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1, read_timeout=5) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_offset_limit_and_negative_offset(bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("小刚")
    for text in ("一", "二", "三", "四"):
        await client.send_text(user["id"], text)
    updates = await bot.get_updates()
    ids = [u.update_id for u in updates]
    assert [u.message.text for u in updates if u.message] == ["一", "二", "三", "四"]
    assert ids == sorted(ids)
    assert len(await bot.get_updates(limit=2)) == 2
    # offset confirms everything before it
    rest = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in rest] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]
    # a negative offset keeps only the tail and forgets the rest
    tail = await bot.get_updates(offset=-1)
    assert [u.update_id for u in tail] == ids[-1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[-1:]
    assert await bot.get_updates(offset=ids[-1] + 1) == ()


async def test_allowed_updates_filters_new_updates(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    await bot.get_updates(offset=-1)
    await bot.get_updates(offset=10**9, allowed_updates=["callback_query"])
    await client.send_text(user_id, "不会送达")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])
    await client.send_text(user_id, "送达")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["送达"]


async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook" and info.pending_update_count == 0
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_newer_get_updates_terminates_older_one(bot: Bot, emu: Emulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.1)
    async with Bot(emu.token, base_url=emu.base_url) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_send_message_html_entities_in_utf16(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    message = await bot.send_message(
        user_id, "😀<b>党员</b>学习 <i>👍好</i>", parse_mode=ParseMode.HTML
    )
    assert message.text == "😀党员学习 👍好"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 2, 2),
        ("italic", 7, 3),
    ]
    assert message.parse_entities() == {
        message.entities[0]: "党员",
        message.entities[1]: "👍好",
    }
    assert message.chat.type == "private" and message.from_user is not None
    assert message.from_user.is_bot


async def test_reply_keyboard_and_reply_parameters(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    keyboard = ReplyKeyboardMarkup([["是", "否"]], resize_keyboard=True)
    first = await bot.send_message(user_id, "选择", reply_markup=keyboard)
    assert first.reply_markup is None
    rows = (await client.get_chat(user_id))["reply_keyboard"]["keyboard"]
    assert rows == [[{"text": "是"}, {"text": "否"}]]
    second = await bot.send_message(
        user_id, "回复", reply_parameters=ReplyParameters(first.message_id)
    )
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == first.message_id


async def test_edit_flow(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("下一题", callback_data="next")]])
    sent = await bot.send_message(user_id, "第一题", reply_markup=markup)
    edited = await bot.edit_message_text("第二题", user_id, sent.message_id, reply_markup=markup)
    assert isinstance(edited, Message) and edited.edit_date is not None
    assert edited.reply_markup == markup
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("第二题", user_id, sent.message_id, reply_markup=markup)
    bare = await bot.edit_message_reply_markup(user_id, sent.message_id)
    assert isinstance(bare, Message) and bare.reply_markup is None
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", user_id, 999)
    assert await bot.delete_message(user_id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user_id, sent.message_id)


async def test_callback_query_flow(bot: Bot, client: EmulatorClient, clock: object) -> None:
    user_id = await started_user(client)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="answer:A")]])
    sent = await bot.send_message(user_id, "题目", reply_markup=markup)
    await bot.get_updates(offset=-1)
    query_id = await client.tap_button(user_id, user_id, sent.message_id, "answer:A")
    (update,) = await bot.get_updates(offset=(await bot.get_updates())[-1].update_id)
    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "answer:A"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.from_user.id == user_id and query.chat_instance
    assert await bot.answer_callback_query(query_id, text="答对了", show_alert=True)
    answer = await client.get_callback_answer(query_id)
    assert answer["answered"] and answer["text"] == "答对了" and answer["show_alert"]
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_commands_and_menu_button(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    commands = [BotCommand("start", "开始学习"), BotCommand("quiz", "每日一测")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(
        [BotCommand("admin", "管理")], scope=BotCommandScopeChat(user_id)
    )
    assert await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    assert tuple(await bot.get_my_commands()) == tuple(commands)
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(user_id))
    assert [c.command for c in scoped] == ["admin"]
    assert [c["command"] for c in await client.get_commands()] == ["start", "quiz"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
    assert await bot.set_chat_menu_button(user_id, MenuButtonDefault())
    assert isinstance(await bot.get_chat_menu_button(user_id), MenuButtonCommands)
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert (await client.get_menu_button())["type"] == "commands"


async def test_chat_action_and_get_chat(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    assert await bot.send_chat_action(user_id, ChatAction.TYPING)
    chat = await bot.get_chat(user_id)
    assert isinstance(chat, ChatFullInfo) and chat.first_name == "小明"
    group = await client.create_group("第二支部", [user_id])
    group_chat = await bot.get_chat(group["id"])
    assert group_chat.type == "group" and group_chat.title == "第二支部"
    events = await client.events()
    assert any(ev["type"] == "chat_action" and ev["action"] == "typing" for ev in events)


async def test_photo_and_document_round_trip(bot: Bot, client: EmulatorClient) -> None:
    user_id = await started_user(client)
    photo_msg = await bot.send_photo(user_id, PNG, caption="<b>图</b>", parse_mode="HTML")
    (size,) = photo_msg.photo
    assert (size.width, size.height, size.file_size) == (3, 2, len(PNG))
    assert photo_msg.caption == "图" and photo_msg.caption_entities[0].type == "bold"
    photo_file = await bot.get_file(size.file_id)
    assert bytes(await photo_file.download_as_bytearray()) == PNG
    payload = "学习笔记\n".encode() * 1000
    doc_msg = await bot.send_document(user_id, InputFile(payload, filename="笔记.txt"))
    document = doc_msg.document
    assert document is not None and document.file_name == "笔记.txt"
    assert document.file_size == len(payload) and document.mime_type == "text/plain"
    doc_file = await bot.get_file(document.file_id)
    assert bytes(await doc_file.download_as_bytearray()) == payload
    assert await client.download_file(document.file_id) == payload
    again = await bot.send_document(user_id, document.file_id)
    assert again.document is not None and again.document.file_id == document.file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(user_id, "no-such-file-id")
    with pytest.raises(BadRequest, match="Can't use file of type document as photo"):
        await bot.send_photo(user_id, document.file_id)
    stored = await client.get_messages(user_id)
    assert stored[-2]["document"]["file_name"] == "笔记.txt"


async def test_polls(bot: Bot, client: EmulatorClient) -> None:
    alice = await client.create_user("小红")
    bob = await client.create_user("小刚")
    group = await client.create_group("支部", [alice["id"], bob["id"]])
    message = await bot.send_poll(
        group["id"], "学习时间？", ["上午", "下午", "晚上"], is_anonymous=False
    )
    assert message.poll is not None and not message.poll.is_anonymous
    await client.vote_poll(alice["id"], group["id"], message.message_id, [2])
    poll = await client.vote_poll(bob["id"], group["id"], message.message_id, [2])
    assert poll["total_voter_count"] == 2 and poll["options"][2]["voter_count"] == 2
    updates = await bot.get_updates()
    answers = [u.poll_answer for u in updates if u.poll_answer]
    assert [(a.user.id, a.option_ids) for a in answers if a.user] == [
        (alice["id"], (2,)),
        (bob["id"], (2,)),
    ]
    assert updates[-1].poll is not None and updates[-1].poll.total_voter_count == 2
    stopped = await bot.stop_poll(group["id"], message.message_id)
    assert isinstance(stopped, Poll) and stopped.is_closed
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(group["id"], message.message_id)
    quiz = await bot.send_poll(
        group["id"], "一加一？", ["2", "3"], type=Poll.QUIZ, correct_option_ids=[0]
    )
    assert quiz.poll is not None and quiz.poll.correct_option_ids == (0,)


async def test_log_out_and_close(bot: Bot) -> None:
    assert await bot.log_out()
    assert await bot.close()


async def test_errors_surface_as_ptb_exceptions(
    bot: Bot, client: EmulatorClient, emu: Emulator
) -> None:
    stranger = await client.create_user("陌生人")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger["id"], "你好")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(123, "你好")
    user_id = await started_user(client)
    await client.block_bot(user_id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user_id, "你好")
    await client.unblock_bot(user_id)
    await client.inject_fault("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(user_id, "你好")
    await client.inject_fault("sendMessage", 500)
    with pytest.raises(NetworkError):
        await bot.send_message(user_id, "你好")
    assert (await bot.send_message(user_id, "恢复了")).text == "恢复了"
    stranger_bot = Bot("1234:" + "x" * 35, base_url=emu.base_url)
    with pytest.raises(InvalidToken):
        await stranger_bot.get_me()


async def test_get_chat_member_tells_owner_administrator_member_and_left(
    bot: Bot, client: EmulatorClient
) -> None:
    owner, admin, member, outsider = [await started_user(client, n) for n in "甲乙丙丁"]
    group = await client.create_group("支部群", [owner, admin, member], admin_ids=[admin])
    statuses = {
        who: (await bot.get_chat_member(group["id"], who)).status
        for who in (owner, admin, member, outsider)
    }
    assert statuses == {
        owner: "creator",
        admin: "administrator",
        member: "member",
        outsider: "left",
    }
    assert isinstance(await bot.get_chat_member(group["id"], owner), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(group["id"], admin), ChatMemberAdministrator)
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group["id"], 987654321)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat_member(-42, owner)

"""Smoke: PTB talks to the emulator; a user writes; the bot replies, edits, answers a tap."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox.emulator import EmulatorClient


async def test_round_trip(bot: Bot, client: EmulatorClient) -> None:
    me = await bot.get_me()
    assert me.username == "branch_study_bot"
    user = await client.create_user("小明", username="xiaoming")
    sent = await client.send_text(user["id"], "/start")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message is not None and updates[0].message.text == "/start"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok")]])
    msg = await bot.send_message(
        user["id"], "<b>你好</b> 😀", parse_mode="HTML", reply_markup=keyboard
    )
    assert msg.entities[0].type == "bold"
    got = await client.wait_for_message(user["id"])
    assert got["text"] == "你好 😀"
    query_id = await client.tap_button(user["id"], user["id"], msg.message_id, "ok")
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
    assert updates[0].callback_query is not None
    assert updates[0].callback_query.id == query_id
    await bot.answer_callback_query(query_id, text="收到")
    answer = await client.get_callback_answer(query_id)
    assert answer["answered"] and answer["text"] == "收到"
    edited = await bot.edit_message_text("已完成", chat_id=user["id"], message_id=msg.message_id)
    assert isinstance(edited, object)
    stored = await client.get_messages(user["id"])
    assert stored[-1]["text"] == "已完成" and "reply_markup" not in stored[-1]

"""Taps that waited while the bot was down (finding 14): Telegram no longer lets them be
acknowledged ("query is too old"), but they are recorded and the quiz goes on; the member is
not told "出了点问题" for a tap that worked."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import Harness, correct_taps


async def test_a_tap_queued_while_the_bot_was_down_is_handled_without_an_error(
    harness: Harness,
) -> None:
    harness.emulator.world.settings.callback_timeout = 0.3
    member = await harness.member("张三")
    async with harness.bot():
        question = await member.say("/quiz")
    for data in correct_taps(member.question_of(question), question):
        await member.tap(question, data)
    await asyncio.sleep(0.5)  # the bot is down longer than Telegram waits for an answer
    async with harness.bot():
        result = await member.result(question)
        assert "正确答案" in result["text"]
        following = await member.go_on(result)  # 下一题: the verdict stays until asked
        assert "2/4" in following["text"]
        await asyncio.sleep(0.3)
        texts = [m["text"] for m in await harness.client.get_messages(member.id)]
        assert not any("出了点问题" in text for text in texts)
    assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]

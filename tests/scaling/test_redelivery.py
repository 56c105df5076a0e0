"""An update handled a second time after its first handling recorded what it did but never
told the member (a worker killed in between, docs/scaling.md): the worker flags it, and the
quiz shows the recorded result, or the claimed question, instead of "already answered".

The bot runs as a worker does — ``build_application`` without an ``Updater`` — and the test
feeds it the emulator's updates through ``Application.process_update``, as the worker does.
The first handling's replies are refused by the emulator (an injected 403 for the chat), which
leaves the database as a kill between "commit" and "tell" would."""

from __future__ import annotations

from telegram import Update

from bot.app import build_application, running
from bot.redelivery import possibly_handled_before
from tests.e2e.conftest import Harness, Member, correct_taps, next_button


class Pump:
    """The emulator's pending updates, handed to the application one at a time."""

    def __init__(self, application) -> None:  # type: ignore[no-untyped-def]
        self.application = application
        self.offset = 0
        self.handled: list[Update] = []

    async def __call__(self, replayed: bool = False) -> list[Update]:
        updates = await self.application.bot.get_updates(offset=self.offset, timeout=0)
        for update in updates:
            await self.handle(update, replayed)
            self.offset = update.update_id + 1
        self.handled.extend(updates)
        return list(updates)

    async def handle(self, update: Update, replayed: bool) -> None:
        token = possibly_handled_before.set(replayed)
        try:
            await self.application.process_update(update)
        finally:
            possibly_handled_before.reset(token)


async def until(pump: Pump, member: Member, predicate) -> dict:  # type: ignore[no-untyped-def,type-arg]
    for _ in range(50):
        await pump()
        for message in reversed(await member.harness.client.get_messages(member.id)):
            if predicate(message):
                return message
    raise AssertionError("the bot did not answer")


async def test_a_replayed_answer_shows_its_result_and_a_replayed_next_its_question(
    harness: Harness,
) -> None:
    application = build_application(
        harness.settings, harness.bank, harness.emulator.token, updater=False
    )
    async with running(application, harness.settings):
        pump = Pump(application)
        member = await harness.member("李四")
        await harness.client.send_text(member.id, "/start")
        await pump()
        await harness.client.send_text(member.id, "/quiz")
        question = await until(pump, member, lambda m: m["text"].startswith("第 1/4 题"))
        taps = correct_taps(member.question_of(question), question)
        for data in taps[:-1]:
            await member.tap(question, data)
            await pump()
        # The answering tap is recorded, but the result never reaches the member.
        await member.tap(question, taps[-1])
        for method in ("answerCallbackQuery", "editMessageText"):
            await harness.client.inject_fault(method, 403, chat_id=member.id, count=5)
        [answering] = await pump()
        await harness.client.clear_faults()
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]
        shown = await harness.client.get_message(member.id, question["message_id"])
        assert shown is not None and "正确答案" not in shown["text"]
        # Handled again without the flag: a repeat, answered as one; nothing shown.
        await pump.handle(answering, replayed=False)
        shown = await harness.client.get_message(member.id, question["message_id"])
        assert shown is not None and "正确答案" not in shown["text"]
        # Handled again as a possible replay: the recorded result is shown, once.
        await pump.handle(answering, replayed=True)
        result = await harness.client.get_message(member.id, question["message_id"])
        assert result is not None and "✅ 回答正确" in result["text"]
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]
        # 下一题 claims the next question, whose message never goes out.
        await member.tap(result, next_button(result))
        await harness.client.inject_fault("sendMessage", 403, chat_id=member.id, count=5)
        [claiming] = await pump()
        await harness.client.clear_faults()
        before = await harness.client.get_messages(member.id)
        assert not any(m["text"].startswith("第 2/4 题") for m in before)
        await pump.handle(claiming, replayed=True)
        after = await harness.client.get_messages(member.id)
        assert sum(m["text"].startswith("第 2/4 题") for m in after) == 1
        # Once the question is recorded as shown, a further replay shows nothing more.
        await pump.handle(claiming, replayed=True)
        again = await harness.client.get_messages(member.id)
        assert sum(m["text"].startswith("第 2/4 题") for m in again) == 1

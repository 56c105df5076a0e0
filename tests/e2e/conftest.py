"""End-to-end harness: the project's Bot API emulator over HTTP and the real bot against it.

Nothing inside python-telegram-bot is replaced: the bot is built by the composition root, as
in production, with only its base URL pointing at the emulator. Simulated members act through
the emulator's control API and the tests await what the bot does, without sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.clock import Clock, SystemClock
from bot.config import Settings, load_settings
from bot.context import BotApplication
from bot.quiz.bank import load_bank
from bot.quiz.questions import OPTION_LETTERS, Bank, Question, QuestionType
from bot.sandbox.emulator.client import EmulatorClient
from bot.sandbox.emulator.server import Emulator
from bot.sandbox.run import sandbox_settings
from bot.schedule.config import ScheduleSettings
from bot.storage.store import BUSY_TIMEOUT
from bot.storage.url import DatabaseUrl
from tests.conftest import SAMPLE_BANK
from tests.engines import query_rows

JsonDict = dict[str, Any]
LEDGER_SECONDS = 30.0
"""How long a test waits for a ledger: the first export starts the report worker process
(openpyxl and pypinyin to import), which takes seconds on a machine shared by many."""


@dataclass
class Harness:
    emulator: Emulator
    client: EmulatorClient
    settings: Settings
    bank: Bank
    clock: Clock
    busy_timeout: float = BUSY_TIMEOUT

    def bot(self) -> AbstractAsyncContextManager[BotApplication]:
        """A fresh bot process (same database): entering starts it, leaving stops it."""
        return running(
            build_application(
                self.settings,
                self.bank,
                self.emulator.token,
                clock=self.clock,
                busy_timeout=self.busy_timeout,
            ),
            self.settings,
            poll_timeout=1,
        )

    async def member(self, first_name: str = "张三") -> Member:
        user = await self.client.create_user(first_name)
        return Member(self, user)

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of one statement, read on a connection of its own (either engine)."""
        return query_rows(self.settings.database, sql, params)


@dataclass
class Member:
    harness: Harness
    user: JsonDict

    @property
    def id(self) -> int:
        return int(self.user["id"])

    async def say(self, text: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Send text and return the bot's next message in this chat."""
        await self.harness.client.send_text(self.id, text)
        return await self.harness.client.wait_for_message(self.id, timeout=timeout)

    async def next_message(
        self,
        predicate: Callable[[JsonDict], bool] | None = None,
        *,
        after: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JsonDict:
        return await self.harness.client.wait_for_message(
            self.id, predicate, after=after, timeout=timeout
        )

    async def tap(self, message: JsonDict, data: str, *, forge: bool = False) -> str:
        return await self.harness.client.tap_button(
            self.id, self.id, message["message_id"], data, forge=forge
        )

    async def edited(self, message: JsonDict) -> JsonDict:
        return await self.harness.client.wait_for_edit(self.id, message["message_id"])

    async def result(self, message: JsonDict) -> JsonDict:
        """The question message once it shows the result (skipping ☐/☑ keyboard edits)."""
        return await self.harness.client.wait_for_edit(
            self.id, message["message_id"], lambda m: "正确答案" in m["text"]
        )

    async def answer(self, message: JsonDict, taps: list[str]) -> JsonDict:
        """Tap ``taps`` on a question and return the question message showing its result."""
        for data in taps:
            await self.tap(message, data)
        return await self.result(message)

    async def go_on(self, result: JsonDict) -> JsonDict:
        """Tap 下一题 (查看得分 after the last question) under a result: what comes next."""
        await self.tap(result, next_button(result))
        return await self.next_message()

    def question_of(self, message: JsonDict) -> Question:
        stem = message["text"].split("\n\n")[1]
        return next(q for q in self.harness.bank.questions if q.stem == stem)


def buttons(message: JsonDict) -> list[tuple[str, str]]:
    return [
        (button["text"], button["callback_data"])
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]


def next_button(result: JsonDict) -> str:
    """The callback data of 下一题 (or 查看得分) under a result."""
    return next(data for _, data in buttons(result) if data.startswith("next:"))


def button_for(message: JsonDict, option_text: str) -> str:
    """The callback data of the button for ``option_text``: the button showing it (☐/☑ before
    it on a multiple-choice question), or — when the options are listed in the text — the
    button showing its letter."""
    shown = [line for line in message["text"].splitlines() if line.endswith(f". {option_text}")]
    label = shown[0].partition(". ")[0] if shown else option_text
    return next(
        data for text, data in buttons(message) if text == label or text.endswith(f" {label}")
    )


def correct_taps(question: Question, message: JsonDict) -> list[str]:
    """The taps that answer ``message`` (showing ``question``) correctly, submit included."""
    right = [question.options[i] for i in sorted(question.answer)]
    taps = [button_for(message, text) for text in right]
    if question.type is QuestionType.MULTIPLE:
        taps.append(next(data for _, data in buttons(message) if data.startswith("quiz:submit")))
    return taps


def wrong_taps(question: Question, message: JsonDict) -> list[str]:
    wrong = next(i for i in range(len(question.options)) if i not in question.answer)
    taps = [button_for(message, question.options[wrong])]
    if question.type is QuestionType.MULTIPLE:
        taps.append(next(data for _, data in buttons(message) if data.startswith("quiz:submit")))
    return taps


def letter_of(message: JsonDict, option_text: str) -> str:
    for line in message["text"].splitlines():
        for letter in OPTION_LETTERS:
            if line == f"{letter}. {option_text}":
                return letter
    raise AssertionError(f"{option_text} not shown in {message['text']}")


@pytest.fixture
async def harness(database: DatabaseUrl) -> AsyncIterator[Harness]:
    async with fresh_harness(database) as made:
        yield made


@asynccontextmanager
async def fresh_harness(database: DatabaseUrl) -> AsyncIterator[Harness]:
    """A new emulator over ``database`` (new and empty): what the fixture gives each test, for
    a test that needs one per hypothesis example."""
    emulator = Emulator()
    await emulator.start()
    base = load_settings(Path("none.yaml"), environ={})
    settings = sandbox_settings(base, emulator, database)
    # Nothing scheduled unless a test asks: a real nudge or reminder falling due on the day the
    # suite runs would otherwise arrive in the middle of another test's conversation.
    quiet = ScheduleSettings.model_validate(
        {
            "theme_day": {"enabled": False},
            "study_day": {"enabled": False},
            "quiz_nudge": {"enabled": False},
            "political_birthday": {"enabled": False},
        }
    )
    settings = settings.model_copy(
        update={
            "quiz": settings.quiz.model_copy(update={"questions_per_quiz": 4}),
            "schedules": quiet,
        }
    )
    client = EmulatorClient(emulator.url, wait=30.0)  # two cores shared with the suite
    try:
        yield Harness(emulator, client, settings, load_bank([SAMPLE_BANK]).bank, SystemClock())
    finally:
        await client.close()
        await emulator.stop()


SECRETARY_1, SECRETARY_2, GENERAL_SECRETARY, ADMIN = 500001, 500002, 500003, 500004
ORGANISATION = {
    "units": [
        {"id": "dw", "name": "示范镇党委", "level": "党委", "kind": "机关"},
        {
            "id": "dzz",
            "name": "第一党总支",
            "level": "党总支",
            "parent": "dw",
            "secretaries": [GENERAL_SECRETARY],
        },
        {
            "id": "zb-1",
            "name": "东村党支部",
            "level": "党支部",
            "kind": "村",
            "parent": "dzz",
            "secretaries": [SECRETARY_1],
        },
        {
            "id": "zb-2",
            "name": "镇机关党支部",
            "level": "党支部",
            "kind": "机关",
            "parent": "dzz",
            "secretaries": [SECRETARY_2],
        },
        {"id": "zb-3", "name": "中学党支部", "level": "党支部", "kind": "学校", "parent": "dw"},
    ],
    "admins": [ADMIN],
}


@pytest.fixture
async def org_harness(harness: Harness) -> Harness:
    """The harness with a small organisation: a 党委, a 党总支 with two branches, and one
    branch directly under the 党委; a secretary for each of the first two branches, one for
    the 党总支, and an admin."""
    from bot.org.config import OrganisationSettings

    harness.settings = harness.settings.model_copy(
        update={"organisation": OrganisationSettings.model_validate(ORGANISATION)}
    )
    return harness


async def person(harness: Harness, name: str, telegram_id: int | None = None) -> Member:
    user = await harness.client.create_user(name, user_id=telegram_id)
    return Member(harness, user)


async def invite_link(secretary: Member) -> str:
    """The join link a secretary's /invite gives."""
    reply = await secretary.say("/invite")
    return next(line for line in reply["text"].splitlines() if line.startswith("https://"))


async def join(
    harness: Harness,
    link: str,
    name: str,
    approver: int = SECRETARY_1,
    *,
    branch: str = "东村党支部",
) -> Member:
    """A new person opens a link (to 东村党支部, zb-1, unless told) and gives their name; the
    branch's secretary (``approver``) taps 同意加入."""
    member = await person(harness, name)
    code = link.rsplit("start=", 1)[1]
    await harness.client.send_text(member.id, f"/start {code}")
    greeting = await member.next_message()
    assert "/quiz" not in greeting["text"], greeting["text"]
    ask = await member.next_message()
    assert "第一步：请发送您的真实姓名" in ask["text"], ask["text"]
    mark = harness.client.cursor
    assert "请等待" in (await member.say(name))["text"]
    await approve(harness, approver, name, after=mark)
    joined = await member.next_message()
    assert f"{name}同志，您已加入【{branch}】" in joined["text"], joined["text"]
    return member


async def approve(
    harness: Harness, approver: int, name: str, *, after: int, yes: bool = True
) -> JsonDict:
    """``approver`` taps 同意 (or 不同意) under the request naming ``name`` sent after the
    event ``after``; returns the request message."""
    request = await harness.client.wait_for_message(
        approver, lambda m: "申请" in m["text"] and name in m["text"], after=after
    )
    data = next(d for _, d in buttons(request) if d.endswith(":yes" if yes else ":no"))
    await harness.client.tap_button(approver, approver, request["message_id"], data)
    return request


async def take_quiz(member: Member, wrong: int) -> None:
    """A whole quiz of 4, the first ``wrong`` answers wrong."""
    message = await member.say("/quiz")
    for number in range(4):
        question = member.question_of(message)
        taps = wrong_taps(question, message) if number < wrong else correct_taps(question, message)
        message = await member.go_on(await member.answer(message, taps))
    assert message["text"].startswith("答题结束")

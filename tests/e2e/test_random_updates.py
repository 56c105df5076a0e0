"""Random updates from everyone at once, through the emulator: members, strangers, every
role, in private chats and in a bound group, typing commands and nonsense and tapping real
and forged buttons. Whatever happens, the bot keeps its promises:

* no update ends in an unhandled error;
* every tap is answered;
* no message is over 4,096 characters;
* nothing sent to the group names a member or repeats what someone typed;
* every answer is recorded once.

A walk of a few hundred steps by default; ``BOT_TEST_RANDOM_STEPS=3000`` runs a long walk
(its steps are planned from one seed and small pools Hypothesis draws, so that a walk of any
length is one example: ``plan``).
"""

from __future__ import annotations

import logging
import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.org.config import OrganisationSettings
from bot.sandbox.emulator.client import EmulatorError
from bot.storage.url import DatabaseUrl
from tests.e2e.conftest import (
    ADMIN,
    GENERAL_SECRETARY,
    ORGANISATION,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    Member,
    buttons,
    fresh_harness,
    invite_link,
    join,
    person,
)
from tests.engines import database_for

STEPS = int(os.environ.get("BOT_TEST_RANDOM_STEPS", "200"))
EXAMPLES = 1
"""One walk per run (the harness is one organisation); its length is what grows."""

COMMANDS = [
    "/start", "/help", "/quiz", "/me", "/cancel", "/rules", "/leaderboard", "/themeday",
    "/joindate 2001-07-01", "/stats", "/stats 上月 zb-2", "/hardest", "/ranking", "/chart",
    "/export", "/invite", "/invite revoke", "/invite zb-999", "/transfer 张三 zb-2",
    "/transfer 李四 zb-3", "/depart 李四 转出本系统",
    "/broadcast", "/broadcast zb-2", "/attendance", "/corrections", "/bindgroup zb-1",
    "/promote 123 zb-1", "/demote 123 zb-1", "/status", "/invite ²", "/stats 2026-13",
]  # fmt: skip
FREE_TEXT = st.one_of(
    st.sampled_from(["确认", "学" * 600, "外出务工", "<b>x</b>", "\u202e反转", "²", "0"]),
    st.text(min_size=1, max_size=80).filter(lambda t: t.strip() != ""),
)
FORGED_PREFIXES = [
    "quiz:answer", "fix", "rsvp", "sign", "nudge", "broadcast", "fixpage", "request", "transfer",
]  # fmt: skip
FORGED_FIRST = ["zb-1", "zb-2", "²", ""]
FORGED_SECOND = ["yes", "leave", "2026-12", "1", "accept", "decline", "withdraw"]
FORGED = st.one_of(
    st.builds(
        lambda prefix, a, b: f"{prefix}:{a}:{b}",
        st.sampled_from(FORGED_PREFIXES),
        st.one_of(st.integers(-3, 10**20), st.sampled_from(FORGED_FIRST)),
        st.one_of(st.integers(-3, 99), st.sampled_from(FORGED_SECOND)),
    ),
    st.text(min_size=1, max_size=40).filter(lambda t: 0 < len(t.encode()) <= 64),
)


@dataclass(frozen=True)
class Say:
    who: int
    in_group: bool
    text: str


@dataclass(frozen=True)
class Tap:
    who: int
    """Taps a button of the latest bot message with buttons in the person's chat."""
    pick: int


@dataclass(frozen=True)
class Forge:
    who: int
    in_group: bool
    data: str


Step = Say | Tap | Forge
PEOPLE = 7
"""Two members, a stranger, two branch secretaries, the 党总支's secretary and the admin."""


POOL = 30
"""Texts and forgeries Hypothesis draws for a walk: few enough to fit its buffer."""


def plan(data: st.DataObject, people: int, steps: int) -> list[Step]:
    """Every step of the walk, drawn before the bot starts. Hypothesis draws a seed and small
    pools of hostile texts and forged callback data; a ``Random`` with that seed then draws
    the steps from the commands and the pools (and builds more forgeries), so a walk of any
    length is one Hypothesis example, reproduced by ``--hypothesis-seed``. (Drawn step by
    step from Hypothesis, a walk used up its buffer of 8,192 choices after ~650 steps.)"""
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    texts = data.draw(st.lists(FREE_TEXT, min_size=1, max_size=POOL), label="texts")
    forged = data.draw(st.lists(FORGED, min_size=1, max_size=POOL), label="forged")
    rng = random.Random(seed)
    return [_step(rng, people, texts, forged) for _ in range(steps)]


def _step(rng: random.Random, people: int, texts: list[str], forged: list[str]) -> Step:
    """One step, as ``FREE_TEXT`` and ``FORGED`` would draw it: a command or a text, two taps
    in four, a forged tap in four (half from Hypothesis's pool, half built here)."""
    who = rng.randrange(people)
    kind = rng.randrange(4)
    if kind == 0:
        text = rng.choice(COMMANDS) if rng.random() < 0.5 else rng.choice(texts)
        return Say(who, rng.random() < 0.5, text)
    if kind < 3:
        return Tap(who, rng.randint(0, 20))
    if rng.random() < 0.5:
        return Forge(who, rng.random() < 0.5, rng.choice(forged))
    first = rng.choice([rng.randint(-3, 10**20), *FORGED_FIRST])
    second = rng.choice([rng.randint(-3, 99), *FORGED_SECOND])
    return Forge(who, rng.random() < 0.5, f"{rng.choice(FORGED_PREFIXES)}:{first}:{second}")


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def errors_logged() -> Iterator[Errors]:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@settings(max_examples=3, deadline=None, database=None)
@given(data=st.data())
def test_a_long_walk_is_planned_in_full(data: st.DataObject) -> None:
    """A walk of ``BOT_TEST_RANDOM_STEPS=3000`` must be one Hypothesis example from its first
    step to its last. Drawn step by step, a walk overran Hypothesis's buffer after about 650
    steps, and Hypothesis silently threw the walk away and began a new one (a new bot, a new
    organisation), so a long walk never finished."""
    assert len(plan(data, PEOPLE, 3000)) == 3000


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.generate],  # a failing walk is reported as it happened, not shrunk
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
async def test_random_updates_keep_every_promise(
    tmp_path: Path, database: DatabaseUrl, data: st.DataObject
) -> None:
    steps = plan(data, PEOPLE, STEPS)
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        async with (
            database_for(database.engine, Path(folder)) as fresh,
            fresh_harness(fresh) as harness,
        ):
            harness.settings = harness.settings.model_copy(
                update={"organisation": OrganisationSettings.model_validate(ORGANISATION)}
            )
            await walk(harness, steps)


async def walk(harness: Harness, steps: list[Step]) -> None:
    client = harness.client
    typed: set[str] = set()
    with errors_logged() as errors:
        async with harness.bot():
            secretary = await person(harness, "赵书记", SECRETARY_1)
            link = await invite_link(secretary)
            members = [await join(harness, link, name) for name in ("张三", "李四")]
            others: list[Member] = [
                await person(harness, "路人甲"),
                secretary,
                await person(harness, "钱书记", SECRETARY_2),
                await person(harness, "孙书记", GENERAL_SECRETARY),
                await person(harness, "管理员", ADMIN),
            ]
            people = [*members, *others]
            assert len(people) == PEOPLE
            for someone in people:
                await someone.say("/start")
            in_group = {p.id for p in [secretary, *members]}
            group = (await client.create_group("东村党支部群", sorted(in_group)))["id"]
            await client.send_text(secretary.id, "/bindgroup zb-1", chat_id=group)
            await client.wait_for_message(group)

            for step in steps:
                actor = people[step.who]
                if isinstance(step, Say):
                    if not step.text.startswith("/"):
                        typed.add(step.text.strip())
                    # Only the group's members can speak or tap there (Telegram refuses others).
                    chat = group if step.in_group and actor.id in in_group else None
                    await client.send_text(actor.id, step.text, chat_id=chat)
                elif isinstance(step, Tap):
                    shown = [
                        m
                        for m in await client.get_messages(actor.id)
                        if m["from"]["is_bot"] and buttons(m)
                    ]
                    if not shown:
                        continue
                    message = shown[-1]
                    choices = buttons(message)
                    try:
                        query = await client.tap_button(
                            actor.id,
                            actor.id,
                            message["message_id"],
                            choices[step.pick % len(choices)][1],
                        )
                    except EmulatorError:
                        continue  # the bot changed that keyboard meanwhile: nothing to tap
                    await client.wait_for_callback_answer(query, after=0, timeout=15)
                else:
                    chat = group if step.in_group and actor.id in in_group else actor.id
                    anchor = [m for m in await client.get_messages(chat) if m["from"]["is_bot"]]
                    if not anchor:
                        continue
                    query = await client.tap_button(
                        actor.id, chat, anchor[-1]["message_id"], step.data, forge=True
                    )
                    await client.wait_for_callback_answer(query, after=0, timeout=15)
            # Everything sent has been handled once each chat has answered one more /help
            # (a chat's updates are handled in order, so it may have a backlog to work off).
            for someone in people:
                sent = await client.send_text(someone.id, "/help")
                await client.wait_for_message(
                    someone.id,
                    lambda m, after=sent["message_id"]: (
                        m["message_id"] > after and "/quiz" in m.get("text", "")
                    ),
                    timeout=120,
                )

            group_texts = [
                m.get("text", "") for m in await client.get_messages(group) if m["from"]["is_bot"]
            ]
            every_text = group_texts + [
                m.get("text", "") or m.get("caption", "")
                for someone in people
                for m in await client.get_messages(someone.id)
                if m["from"]["is_bot"]
            ]
    assert [r.getMessage() for r in errors.records] == []
    assert all(len(text) <= 4096 for text in every_text)
    names = ["张三", "李四", "路人甲"]
    for text in group_texts:
        assert not any(name in text for name in names), text
        assert not any(len(t) > 3 and t in text for t in typed), text
    assert (
        harness.rows(
            "SELECT session_id, position FROM answers GROUP BY session_id, position "
            "HAVING COUNT(*) > 1"
        )
        == []
    )

"""The sandbox's demo organisation: a 党委 with a 党总支 and three branches of different kinds,
about thirty members with three weeks of quiz history, a secretary for each branch, an admin,
a group chat per branch, and 东村党支部's next theme day prepared by its secretary (topic and
place set, a migrant member already on leave, who gets 补课 after it).

Members exist twice, as they would for real: as Telegram users in the emulator (who pressed
Start) and as members in the bot's storage. Their history is played through the real quiz
service with a clock set in the past, so every figure the secretaries see is computed by the
bot itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import FixedClock
from bot.meetings.events import Detail, Event, Meeting
from bot.org.config import OrganisationSettings
from bot.quiz.questions import Bank, Question, QuestionType
from bot.quiz.service import QuizService, Started
from bot.quiz.session import Answered, Tap, TapAction
from bot.sandbox.emulator.server import Emulator
from bot.schedule.occurrences import OccurrenceKind
from bot.services import Services
from bot.storage import Storage

ADMIN = 900000
SECRETARIES = {"zb-1": 900001, "zb-2": 900002, "zb-3": 900003}
BRANCHES = {
    "zb-1": (
        "东村党支部",
        "村",
        "王建国 李秀英 张德福 刘桂兰 陈志强 杨玉梅 赵长青 黄丽华 周永福 吴淑芬",
    ),
    "zb-2": (
        "镇机关党支部",
        "机关",
        "孙晓明 马丽娜 朱海涛 胡静 郭子豪 何婷婷 林峰 高雅 罗军 郑晓燕",
    ),
    "zb-3": (
        "中学党支部",
        "学校",
        "梁文博 宋佳 谢明轩 韩雪 唐国庆 冯蕾 于洋 董思远 萧红 程立",
    ),
}
ORGANISATION = OrganisationSettings.model_validate(
    {
        "admins": [ADMIN],
        "units": [
            {"id": "dw", "name": "示范镇党委", "level": "党委", "kind": "机关"},
            {"id": "dzz", "name": "第一党总支", "level": "党总支", "parent": "dw"},
            {
                "id": "zb-1",
                "name": "东村党支部",
                "level": "党支部",
                "kind": "村",
                "parent": "dzz",
                "secretaries": [SECRETARIES["zb-1"]],
                "leaderboard": True,
            },
            {
                "id": "zb-2",
                "name": "镇机关党支部",
                "level": "党支部",
                "kind": "机关",
                "parent": "dzz",
                "secretaries": [SECRETARIES["zb-2"]],
            },
            {
                "id": "zb-3",
                "name": "中学党支部",
                "level": "党支部",
                "kind": "学校",
                "parent": "dw",
                "secretaries": [SECRETARIES["zb-3"]],
            },
        ],
    }
)


@dataclass(frozen=True)
class DemoThemeDay:
    """How the demo's secretary has prepared their branch's next theme day."""

    branch: str
    topic: str
    place: str
    material: str
    on_leave: str
    reason: str


THEME_DAY = DemoThemeDay(
    branch="zb-1",
    topic="学习贯彻党的二十大精神",
    place="村委会二楼党员活动室",
    material="党的二十大报告第一部分《过去五年的工作和新时代十年的伟大变革》；《中国共产党章程》总纲。",
    on_leave="刘桂兰",
    reason="外出务工",
)


@dataclass(frozen=True)
class Persona:
    """Someone the page lets a visitor be."""

    user_id: int
    name: str
    role: str
    branch: str


async def populate(
    emulator: Emulator, storage: Storage, bank: Bank, now: datetime, *, fresh: bool, seed: int = 7
) -> list[Persona]:
    """Put the demo people and chats into the emulator, and — for a fresh database — the
    members and their history into storage (which must already hold the units). The
    emulator keeps nothing between runs, so a kept database has its members recreated there
    with the same Telegram ids. Returns who the page offers to be."""
    rng = random.Random(seed)
    world = emulator.world
    people: list[tuple[int, str, str]] = []
    if fresh:
        for branch_id, (_, _, names) in BRANCHES.items():
            for name in names.split():
                user = world.add_user(name[1:], last_name=name[0], language_code="zh-hans")
                people.append((user.id, name, branch_id))
                await storage.org.upsert_member(user.id, name[1:], name[0], None, now)
                await storage.org.join_branch(
                    user.id, name, branch_id, SECRETARIES[branch_id], now
                )
    else:
        for member in await storage.org.members_in(list(BRANCHES)):
            if member.telegram_id is not None and member.branch_id is not None:
                name = member.name
                world.add_user(name[1:], last_name=name[0], user_id=member.telegram_id)
                people.append((member.telegram_id, name, member.branch_id))
    world.add_user("管理员", user_id=ADMIN, language_code="zh-hans")
    for branch_id, telegram_id in SECRETARIES.items():
        world.add_user(f"{BRANCHES[branch_id][0]}书记", user_id=telegram_id)
    for user in world.users.values():
        if not user.is_bot:
            user.started = True
            world.private_chat(user)
    await storage.org.forget_group_chats()
    groups: list[int] = []
    for branch_id, (title, _, _) in BRANCHES.items():
        members = [uid for uid, _, b in people if b == branch_id]
        group = world.add_group(
            f"{title}群",
            [*members, SECRETARIES[branch_id]],
            supergroup=False,
            with_bot=True,
            admin_ids=[SECRETARIES[branch_id]],
        )
        await storage.org.bind_group(
            group.id, branch_id, SECRETARIES[branch_id], now, takeover=True
        )
        groups.append(group.id)
    if fresh:
        await _history(storage, bank, people, now, rng)
    found = [Persona(ADMIN, "管理员", "管理员", "示范镇党委")]
    for (branch_id, (title, _, _)), group_id in zip(BRANCHES.items(), groups, strict=True):
        found.append(Persona(SECRETARIES[branch_id], f"{title}书记", "支部书记", title))
        found += [Persona(uid, name, "党员", title) for uid, name, b in people if b == branch_id]
        found.append(Persona(group_id, f"{title}群", "群聊", title))
    return found


async def _history(
    storage: Storage,
    bank: Bank,
    people: list[tuple[int, str, str]],
    now: datetime,
    rng: random.Random,
) -> None:
    """Three weeks of quizzes: a keen core, occasional members, and some who never start."""
    clock = FixedClock(now - timedelta(days=21))
    quiz = QuizService(
        storage.quiz, bank, clock, rng, questions_per_quiz=10, seconds_per_question=None
    )
    for telegram_id, _, _ in people:
        keenness = rng.random()
        if keenness < 0.3:
            continue
        member_id = await storage.org.member_id(telegram_id)
        assert member_id is not None
        ability = 0.5 + 0.45 * rng.random()
        for day in sorted(rng.sample(range(21), k=1 + int(keenness * 4))):
            clock.current = now - timedelta(days=21 - day, hours=rng.randint(1, 10))
            started = await quiz.start(member_id, telegram_id)
            assert isinstance(started, Started)
            session = started.session
            question = started.question
            while True:
                right = rng.random() < ability
                shown = [
                    session.current_order.index(i)
                    for i in (question.answer if right else _wrong(question.answer, question))
                ]
                clock.advance(timedelta(seconds=rng.randint(8, 40)))
                if question.type is QuestionType.MULTIPLE:
                    for option in shown:
                        await quiz.tap(
                            telegram_id,
                            Tap(session.id, session.position, TapAction.TOGGLE, option),
                        )
                    outcome = await quiz.tap(
                        telegram_id, Tap(session.id, session.position, TapAction.SUBMIT)
                    )
                else:
                    outcome = await quiz.tap(
                        telegram_id, Tap(session.id, session.position, TapAction.ANSWER, shown[0])
                    )
                assert isinstance(outcome, Answered)
                if outcome.next_question is None:
                    break
                session, question = outcome.session, outcome.next_question


def _wrong(answer: frozenset[int], question: Question) -> frozenset[int]:
    others = [i for i in range(len(question.options)) if i not in answer]
    return frozenset(others[:1]) if others else answer


async def prepare_theme_day(
    services: Services, personas: list[Persona], demo: DemoThemeDay = THEME_DAY
) -> Event | None:
    """The branch's next theme day as its secretary would have prepared it in the chat: topic,
    place and study material set, and one member on leave with a reason (so 补课 has someone to
    reach, with the material).
    Through the bot's own services, like every figure of the demo. None when the branch has no
    theme day coming."""
    unit = services.org.tree.by_id[demo.branch]
    plan = services.schedule.branch(unit.id, unit.kind)
    coming = plan.next_occurrences(services.clock.now(), 1, kinds=[OccurrenceKind.THEME_DAY])
    if not coming:
        return None
    day = coming[0]
    (event,) = await services.meetings.coming(
        [Meeting(unit.id, day.occurs_at, day.topic or day.title, day.place)]
    )
    secretary = SECRETARIES[demo.branch]
    await services.meetings.set_detail(event, Detail.TOPIC, demo.topic, secretary)
    await services.meetings.set_detail(event, Detail.PLACE, demo.place, secretary)
    await services.meetings.set_detail(event, Detail.MATERIAL, demo.material, secretary)
    person = next(p for p in personas if p.name == demo.on_leave)
    member = await services.org.member(person.user_id)
    if member is not None:
        await services.meetings.leave_reason(member, event.id, demo.reason)
    return await services.meetings.find(event.id)

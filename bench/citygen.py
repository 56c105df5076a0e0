"""A city-sized database for the report benchmarks (issue 3, item 9).

    python -m bench.citygen                       # data/city.sqlite3 + data/city-org.yaml
    python -m bench.citygen --small --out /tmp/c.sqlite3 --org-out /tmp/c.yaml

One city 党委 with about twenty county/district 党委, town 党委 and 党总支 below them and, for
the defaults, 8,885 organisations of which about 8,000 are 党支部 of every kind (机关, 村, 企业,
学校, 社区, 其他); 180,000 members spread over them with sizes typical of each kind; and the
twelve months up to ``--until`` of quizzes as the bot records them: each member takes 0–2
ten-question quizzes a month, skewed as participation is (some never, most sometimes, a core
every month, more in campaign months), about 21 million answer rows. Answers are right with a
probability that follows the member's ability and the question's difficulty, so scores,
rankings and item statistics look like a real year.

The database has the bot's real schema: it is created by ``Storage.open`` (the migrations) and
the units are stored by ``OrgStore.sync_units``. Everything else is bulk-inserted with the
stdlib ``sqlite3`` module, in big transactions with ``executemany`` and no journal: a bench
tool is the only kind of code outside ``bot/storage`` allowed to write SQL, and this one does
so for speed (the bot's own path, one answer per statement, would take days for a year of a
city). The rows are exactly what the bot leaves behind, not merely what its queries read:

* a finished quiz is stored in its final state (position = question count, score, finished_at
  = last answer, message_id NULL), which is what the ``answers_advance_quiz`` trigger makes of
  it; the trigger is dropped while answers are loaded and recreated from the very SQL text
  the migration stored, so it cannot fire twice;
* a few quizzes were cancelled part-way (/cancel), keeping their answers;
* questions come from the shipped bank, drawn from each member's bag as the bot does (no
  question twice before the whole bank was seen), and ``seen_questions`` is the bag as it
  stands at the end; answers' ``chosen`` are bank option indices as JSON, option orders are
  shuffled per quiz except for 正确/错误;
* every member who joined with an invite link has the ``transfers`` row ``join_branch``
  writes, a few moved branch during the year (their earlier quizzes keep the old branch), a
  few never opened the bot (roster entries, no Telegram id) and a few blocked it (失联);
* besides the members, 0.5 % as many visitors opened the bot without ever joining a branch
  (``branch_id`` NULL, as anyone who presses Start), and a few of them tried a quiz;
* each branch has an invite made by its secretary, who is named in the organisation file for
  a sample of branches and promoted by the admin (``role_grants``) for the rest.

The big secondary indexes are dropped during the load and rebuilt afterwards from their stored
SQL; the final ``sqlite_master`` is compared with the migrated one, and ``PRAGMA quick_check``
(``integrity_check`` with ``--full-check``, four more minutes on the full city) and
``foreign_key_check`` must come back clean. Like the bot, the generator never runs
``ANALYZE``, so the query planner sees what it sees in production.

Start the bot on the result with ``BOT__DATABASE=data/city.sqlite3
BOT__ORGANISATION__FILE=data/city-org.yaml BOT__ORGANISATION__ADMINS='[900000001]'``.
Progress goes to stderr; the last line on stdout is JSON (rows, seconds, db_mb).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import calendar
import json
import math
import random
import sqlite3
import sys
import time
from array import array
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, combinations, pairwise, permutations
from operator import itemgetter
from pathlib import Path
from statistics import NormalDist
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.org.config import UnitSettings
from bot.org.tree import Kind, Level
from bot.quiz.bank import load_bank
from bot.quiz.questions import Question, QuestionType
from bot.quiz.rules import POINTS_PER_QUESTION
from bot.storage import Storage
from bot.storage.migrations import MEMBERSHIP_BACKFILL

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Asia/Shanghai")
OFFSET_MS = 8 * 3_600_000
"""Asia/Shanghai is UTC+8 all year (no DST since 1991): local wall time is UTC + 8 h."""
MINUTE_MS, HOUR_MS, DAY_MS = 60_000, 3_600_000, 86_400_000
QUESTIONS_PER_QUIZ = 10
"""The bot's default ``quiz.questions_per_quiz``."""
ADMIN_TELEGRAM_ID = 900_000_001
"""The admin who promoted secretaries; pass it in ``organisation.admins`` to act as admin."""

# Branch kinds: share of all 党支部, and size as (low, high, mode) of a triangular draw before
# the sizes are scaled to the requested member total.
KIND_SHARES = {
    Kind.VILLAGE: 0.30,
    Kind.COMMUNITY: 0.08,
    Kind.ORGAN: 0.18,
    Kind.ENTERPRISE: 0.24,
    Kind.SCHOOL: 0.10,
    Kind.OTHER: 0.10,
}
KIND_SIZES = {
    Kind.VILLAGE: (20, 60, 32),
    Kind.COMMUNITY: (15, 50, 25),
    Kind.ORGAN: (5, 30, 12),
    Kind.ENTERPRISE: (3, 50, 6),
    Kind.SCHOOL: (8, 40, 18),
    Kind.OTHER: (3, 25, 8),
}
MIN_BRANCH_SIZE = 3

# Participation. A branch's engagement g (uniform 0–1) sets its mix of members who never take
# a quiz, take one some months, or take one or two every month.
NEVER, SOMETIMES, CORE = 0, 1, 2
ROSTER_SHARE = 0.03
"""Listed on the roster but never opened the bot: no Telegram id, never a quiz."""
JOINED_DURING_YEAR = 0.12
TRANSFER_SHARE = 0.005
UNREACHABLE_SHARE = 0.015
CANCELLED_SHARE = 0.02
VISITOR_SHARE = 0.005
"""Beyond the members: people who opened the bot but never joined a branch (``branch_id``
NULL), as every deployment has; a few of them try a quiz, which then has no branch either."""
PARTY_DATE_SHARE = 0.4
YAML_SECRETARY_SHARE = 0.25
LEADERBOARD_SHARE = 0.05
SEASON = (0.9, 0.7, 1.0, 1.0, 1.0, 1.25, 1.15, 0.9, 1.0, 0.95, 1.05, 1.1)
"""Participation by calendar month: low at the Spring Festival, high around 七一 and at
year end, when branches report upward."""
HOUR_WEIGHTS = (
    0.3, 0.1, 0.05, 0.05, 0.05, 0.2, 0.6, 1.2, 1.5, 2.0, 2.0, 1.8,
    2.5, 2.0, 1.5, 1.5, 1.6, 1.5, 2.0, 3.5, 4.0, 3.5, 2.0, 0.8,
)  # fmt: skip
"""When quizzes start, by local hour: lunch and the evening."""
NO_BRANCH = -1
"""A visitor's quiz in ``Plan.branches``: the last of ``Context.branch_ids``, which is None."""
MIN_GAP_MS = HOUR_MS
"""A member's quizzes start at least this far apart; a quiz always ends sooner (see below),
so no member ever has two quizzes in progress, as the bot's unique index demands."""
MAX_THINK_MS = 300_000
CHUNK_SESSIONS = 20_000

PLACE_CHARS = (
    "安平和兴丰福泰宁清河山阳湖桥石林新华龙凤金玉长永顺昌明光富德庆隆台坪岭溪花园塘沙田峰云城江"
    "桂柳松竹梅兰东西南北中上下前后高马白黄青红广盛康乐鸣鹤"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志海燕红梅玉文斌春晓东玲丹萍鹏辉浩宇欣怡"
    "子涵雨轩俊思远佳梓立新振福荣德林松庆云峰成良宏"
)
DEPARTMENTS = (
    "财政局", "发改局", "民政局", "人社局", "自然资源局", "住建局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文旅局", "卫健委", "应急管理局", "审计局", "市场监管局", "统计局",
    "医保局", "信访局", "司法局", "公安分局", "税务局", "纪委监委", "组织部", "宣传部", "统战部",
    "政法委", "人大机关", "政协机关", "政府办", "档案馆", "融媒体中心", "生态环境分局",
)  # fmt: skip
ENTERPRISES = (
    "建材有限公司", "农业科技有限公司", "电子有限公司", "物流有限公司", "食品有限公司",
    "纺织有限公司", "机械制造有限公司", "建筑工程有限公司", "供电公司", "农商银行支行",
    "化工有限公司", "商贸有限公司", "新能源有限公司", "医药有限公司", "水务有限公司",
)  # fmt: skip
SCHOOLS = ("小学", "中学", "中心小学", "实验学校", "幼儿园", "职业中学", "初级中学")
OTHERS = ("卫生院", "医院", "离退休", "流动党员", "新兴领域", "律师行业", "个体工商户", "养老院")
NUMERALS = "一二三四五六七八九十"


TOWN_OFFICES = ("党政办", "财政所", "农业服务中心", "综合执法队", "社会事务办", "便民服务中心")
NICKNAMES = ("向阳", "清风", "平安是福", "静待花开", "山水之间", "一路同行", "知足常乐", "晨曦")


@dataclass
class Node:
    """A unit while the tree is built; ids are given once the order of the file is known."""

    name: str
    level: Level
    kind: Kind
    parent: Node | None
    area: str = ""
    """The place its units are named after: 安平区, 兴华镇."""
    id: str = ""
    children: list[Node] = field(default_factory=list)
    secretaries: list[int] = field(default_factory=list)
    leaderboard: bool = False

    def __post_init__(self) -> None:
        if self.parent is not None:
            self.parent.children.append(self)
            self.area = self.area or self.parent.area

    def settings(self) -> UnitSettings:
        return UnitSettings(
            id=self.id,
            name=self.name,
            level=self.level,
            kind=self.kind,
            parent=self.parent.id if self.parent else None,
            secretaries=tuple(self.secretaries),
            leaderboard=self.leaderboard,
        )


@dataclass
class Person:
    """One member while the year is planned."""

    branch: int | None
    """An index into the 党支部; None for a visitor, who never joined one."""
    created_at: int
    kind: int
    roster: bool = False
    id: int = 0
    telegram_id: int | None = None
    joined_at: int = 0
    share: float = 0.0
    """SOMETIMES members: the chance of studying in an ordinary month."""
    ability: float = 0.0
    old_branch: int | None = None
    """The branch before a transfer during the year, which keeps the quizzes taken there."""
    moved_at: int = 0
    last_seen: int | None = None
    unreachable_since: int | None = None


@dataclass(frozen=True)
class Questions:
    """The bank as the generator needs it, indexed in id order (the order of
    ``seen_questions``' key), with the JSON the bot stores precomputed."""

    ids: tuple[str, ...]
    id_json: tuple[str, ...]
    right: tuple[str, ...]
    wrong: tuple[tuple[str, ...], ...]
    orders: tuple[tuple[str, ...], ...]
    ease: tuple[float, ...]
    """Added to a member's ability: the chance of a right answer to this question."""

    @classmethod
    def of(cls, questions: Iterable[Question]) -> Questions:
        ordered = sorted(questions, key=lambda q: q.id)
        orders: dict[int, tuple[str, ...]] = {}
        wrong: list[tuple[str, ...]] = []
        shuffles: list[tuple[str, ...]] = []
        ease: list[float] = []
        for q in ordered:
            n = len(q.options)
            if q.type is QuestionType.MULTIPLE:
                subsets = (c for size in range(1, n + 1) for c in combinations(range(n), size))
                wrong.append(tuple(json.dumps(list(c)) for c in subsets if set(c) != q.answer))
            else:
                wrong.append(tuple(json.dumps([i]) for i in range(n) if {i} != q.answer))
            if q.type is QuestionType.JUDGE:
                shuffles.append((json.dumps(list(range(n))),))
            else:
                if n not in orders:
                    orders[n] = tuple(json.dumps(list(p)) for p in permutations(range(n)))
                shuffles.append(orders[n])
            kind = {QuestionType.MULTIPLE: -0.15, QuestionType.JUDGE: 0.05}.get(q.type, 0.0)
            ease.append(kind + {1: 0.10, 2: 0.0, 3: -0.12}[q.difficulty])
        return cls(
            ids=tuple(q.id for q in ordered),
            id_json=tuple(json.dumps(q.id) for q in ordered),
            right=tuple(json.dumps(sorted(q.answer)) for q in ordered),
            wrong=tuple(wrong),
            orders=tuple(shuffles),
            ease=tuple(ease),
        )


@dataclass
class Plan:
    """The year's quizzes in member order, as parallel arrays (two million quizzes would not
    fit in memory as objects); quiz ``i`` drew ``draws[i * count:(i + 1) * count]``."""

    count: int
    starts: array[int] = field(default_factory=lambda: array("q"))
    members: array[int] = field(default_factory=lambda: array("l"))
    branches: array[int] = field(default_factory=lambda: array("l"))
    answered: array[int] = field(default_factory=lambda: array("b"))
    """Answers given: ``count`` for a finished quiz, fewer for a cancelled one."""
    ordinals: array[int] = field(default_factory=lambda: array("l"))
    """The member's how-manieth quiz this is (for the message id a cancelled quiz keeps)."""
    draws: array[int] = field(default_factory=lambda: array("H"))


@dataclass(frozen=True)
class Options:
    out: Path
    org_out: Path
    branches: int
    members: int
    months: int
    until: date
    seed: int
    visitors: int
    bank: tuple[Path, ...]
    check: bool
    full_check: bool


class Progress:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.seconds:7.1f}s] {message}", file=sys.stderr, flush=True)


# The organisation


def build_org(total: int, rng: random.Random) -> list[Node]:
    """All units depth-first, parents before children, with ids in that order."""
    districts = max(2, round(total / 444))
    towns_per = max(2, round(total * 0.027 / districts))
    committees = 1 + districts * (towns_per + 3)
    general = round(total * 0.065)
    branch_count = total - committees - general
    if branch_count < 2 * general + len(KIND_SHARES):
        raise SystemExit(f"--branches {total}: too few for a city (at least 60)")

    def place() -> str:
        return rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS)

    city = place() + "市"
    root = Node(f"{city}委", Level.COMMITTEE, Kind.ORGAN, None, area=city)
    pools: dict[str, list[Node]] = {k: [] for k in ("district", "organs", "schools", "street")}
    pools["rural"] = []
    for number in range(districts):
        area = place() + ("区" if number % 3 else "县")
        district = Node(f"{area}委", Level.COMMITTEE, Kind.ORGAN, root, area=area)
        pools["district"].append(district)
        pools["organs"].append(Node(f"{area}直机关工委", Level.COMMITTEE, Kind.ORGAN, district))
        pools["schools"].append(
            Node(f"{area}教育系统党委", Level.COMMITTEE, Kind.SCHOOL, district)
        )
        for _ in range(towns_per):
            sort = rng.choices(("街道", "镇", "乡"), (0.3, 0.55, 0.15))[0]
            town_area = place() + sort
            suffix = "党工委" if sort == "街道" else "党委"
            town = Node(town_area + suffix, Level.COMMITTEE, Kind.ORGAN, district, town_area)
            pools["street" if sort == "街道" else "rural"].append(town)
    towns = pools["street"] + pools["rural"]
    parents = {
        Kind.VILLAGE: [(pools["rural"] or towns, 1.0)],
        Kind.COMMUNITY: [(pools["street"] or towns, 0.7), (pools["rural"] or towns, 0.3)],
        Kind.ENTERPRISE: [(towns, 1.0)],
        Kind.OTHER: [(towns, 0.7), (pools["organs"], 0.3)],
        Kind.ORGAN: [(pools["organs"], 0.8), (pools["district"], 0.1), (towns, 0.1)],
        Kind.SCHOOL: [(pools["schools"], 0.7), (towns, 0.3)],
    }

    def parent_for(kind: Kind) -> Node:
        groups = [group for group, _ in parents[kind]]
        group: list[Node] = rng.choices(groups, [weight for _, weight in parents[kind]])[0]
        return rng.choice(group)

    def stem(kind: Kind, parent: Node) -> str:
        """A branch's or 党总支's name without its level: 兴华村, 安平区财政局机关."""
        if kind is Kind.ORGAN:
            offices = TOWN_OFFICES if parent in towns else DEPARTMENTS
            return f"{parent.area}{rng.choice(offices)}机关"
        suffix = {
            Kind.VILLAGE: ("村",),
            Kind.COMMUNITY: ("社区",),
            Kind.ENTERPRISE: ENTERPRISES,
            Kind.SCHOOL: SCHOOLS,
        }.get(kind, OTHERS)
        return place() + rng.choice(suffix)

    counts = _split(branch_count, KIND_SHARES)
    generals = _split(general, {kind: float(count) for kind, count in counts.items()})
    for kind in KIND_SHARES:
        left = counts[kind]
        for _ in range(generals[kind]):
            parent = parent_for(kind)
            name = stem(kind, parent)
            node = Node(f"{name}党总支", Level.GENERAL_BRANCH, kind, parent)
            for n in range(min(left, rng.randint(2, 5))):
                Node(f"{name}第{NUMERALS[n]}党支部", Level.BRANCH, kind, node)
                left -= 1
        for _ in range(left):
            parent = parent_for(kind)
            Node(f"{stem(kind, parent)}党支部", Level.BRANCH, kind, parent)
    ordered: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(node.children))
    prefixes = {Level.COMMITTEE: "dw", Level.GENERAL_BRANCH: "zzb", Level.BRANCH: "zb"}
    numbers = dict.fromkeys(prefixes, 0)
    for node in ordered:
        numbers[node.level] += 1
        node.id = f"{prefixes[node.level]}-{numbers[node.level]:05d}"
        node.leaderboard = node.level is Level.BRANCH and rng.random() < LEADERBOARD_SHARE
    root.id = "city"
    return ordered


def _split(total: int, weights: dict[Kind, float]) -> dict[Kind, int]:
    """``total`` split in proportion to ``weights`` (largest remainders)."""
    whole = sum(weights.values()) or 1.0
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    by_remainder = sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)
    for kind in by_remainder[: total - sum(counts.values())]:
        counts[kind] += 1
    return counts


def branch_sizes(branches: Sequence[Node], members: int, rng: random.Random) -> list[int]:
    """Members per branch: each kind's typical spread, scaled to exactly ``members``."""
    if members < MIN_BRANCH_SIZE * len(branches):
        raise SystemExit(f"--members: at least {MIN_BRANCH_SIZE} per 党支部 are needed")
    raw = [rng.triangular(*KIND_SIZES[b.kind]) for b in branches]
    scale = members / sum(raw)
    sizes = [max(MIN_BRANCH_SIZE, round(r * scale)) for r in raw]
    difference = members - sum(sizes)
    while difference:
        index = rng.randrange(len(sizes))
        step = 1 if difference > 0 else -1
        if sizes[index] + step >= MIN_BRANCH_SIZE:
            sizes[index] += step
            difference -= step
    return sizes


# The people


def make_people(
    sizes: Sequence[int], visitors: int, start: int, until: int, rng: random.Random
) -> tuple[list[Person], list[int], list[int]]:
    """Every member and visitor in the order they were recorded (their id), each branch's
    secretary (its first member, who made its invite) and each branch's rollout time."""
    people: list[Person] = []
    rollouts = []
    for branch, size in enumerate(sizes):
        rollout = start - int(rng.uniform(7, 60) * DAY_MS)
        rollouts.append(rollout)
        engagement = rng.random()
        never = 0.02 + 0.12 * (1 - engagement)
        core = 0.15 + 0.5 * engagement
        people.append(Person(branch, rollout, CORE))
        for _ in range(size - 1):
            if rng.random() < ROSTER_SHARE:
                people.append(Person(branch, rollout - DAY_MS, NEVER, roster=True))
                continue
            if rng.random() < JOINED_DURING_YEAR:
                created = rng.randint(start, until - 14 * DAY_MS)
            else:
                wait = min(int(rng.expovariate(1 / (2 * DAY_MS))), start - rollout - HOUR_MS)
                created = rollout + 10 * MINUTE_MS + wait
            draw = rng.random()
            kind = NEVER if draw < never else CORE if draw < never + core else SOMETIMES
            people.append(Person(branch, created, kind))
    for _ in range(visitors):
        created = rng.randint(start - 30 * DAY_MS, until - 7 * DAY_MS)
        people.append(Person(None, created, SOMETIMES))
    people.sort(key=lambda p: p.created_at)
    joined = [p for p in people if not p.roster]
    telegram_ids = rng.sample(range(1_000_000_000, 7_000_000_000), len(joined))
    for person, telegram_id in zip(joined, telegram_ids, strict=True):
        person.telegram_id = telegram_id
        person.joined_at = person.created_at + rng.randint(20_000, 300_000)
        person.last_seen = person.joined_at
        person.share = rng.uniform(0.25, 0.95) if person.branch is not None else 0.05
        mean = 0.78 if person.kind == CORE else 0.68
        person.ability = min(0.97, max(0.3, rng.gauss(mean, 0.1)))
    secretaries = [0] * len(sizes)
    for number, person in enumerate(people, start=1):
        person.id = number
        home = person.branch
        if home is not None and person.telegram_id is not None and not secretaries[home]:
            secretaries[home] = person.telegram_id
    settled = [p for p in joined if p.created_at < start and p.branch is not None]
    for person in rng.sample(settled, round(TRANSFER_SHARE * len(people))):
        person.old_branch = old = person.branch
        new = rng.randrange(len(sizes) - 1)
        person.branch = new + (old is not None and new >= old)
        person.moved_at = rng.randint(start, until - DAY_MS)
    return people, secretaries, rollouts


def member_row(person: Person, branch_id: str | None, rng: random.Random) -> tuple[Any, ...]:
    """The ``members`` row: names as Telegram and the roster give them."""
    surname = rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    real_name = surname + given
    joined_on = None
    if rng.random() < (0.8 if person.roster else PARTY_DATE_SHARE):
        joined_on = (date(1965, 1, 1) + timedelta(days=rng.randrange(60 * 365))).isoformat()
    if person.roster:
        first_name, last_name, username = "", None, None
    else:
        style = rng.random()
        first_name, last_name = (
            (given, surname)
            if style < 0.5
            else (real_name, None)
            if style < 0.8
            else (rng.choice(NICKNAMES), None)
        )
        username = f"dy{rng.randrange(16**6):06x}" if rng.random() < 0.35 else None
    return (
        person.id,
        person.telegram_id,
        first_name,
        last_name,
        username,
        real_name,
        branch_id,
        joined_on,
        None,
        person.unreachable_since,
        person.created_at,
        person.last_seen,
    )


# The year of quizzes


def windows(until: date, months: int) -> list[tuple[int, int, float]]:
    """The ``months`` month-long stretches before ``until`` as (start, end, season)."""
    edges = [_local_ms(_add_months(until, i - months)) for i in range(months + 1)]
    result = []
    for lo, hi in pairwise(edges):
        middle = datetime.fromtimestamp((lo + hi) / 2000, UTC).astimezone(ZONE)
        result.append((lo, hi, SEASON[middle.month - 1]))
    return result


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _local_ms(day: date) -> int:
    """Midnight in Asia/Shanghai at the start of ``day``, as UTC milliseconds."""
    return (day - date(1970, 1, 1)).days * DAY_MS - OFFSET_MS


HOUR_EDGES = tuple(accumulate(HOUR_WEIGHTS))


def quiz_start(lo: int, hi: int, rng: random.Random) -> int:
    """A moment in [lo, hi): a uniform day, an hour as members keep them."""
    day = lo + int(rng.random() * (hi - lo))
    midnight = (day + OFFSET_MS) // DAY_MS * DAY_MS - OFFSET_MS
    hour = bisect(HOUR_EDGES, rng.random() * HOUR_EDGES[-1])
    moment = midnight + hour * HOUR_MS + int(rng.random() * HOUR_MS)
    return moment if lo <= moment < hi else day


def plan_year(
    people: Sequence[Person],
    stretches: Sequence[tuple[int, int, float]],
    question_ids: Sequence[str],
    until: int,
    rng: random.Random,
    write_seen: Callable[[list[tuple[int, str]]], None],
) -> Plan:
    """Each member's quizzes, the questions each drew from the member's bag, and the bag as
    it stands at the end (handed to ``write_seen`` in key order, a batch at a time)."""
    bank_size = len(question_ids)
    plan = Plan(count=min(QUESTIONS_PER_QUIZ, bank_size))
    count = plan.count
    rnd = rng.random
    seen_rows: list[tuple[int, str]] = []
    for person in people:
        if person.kind == NEVER:
            continue
        starts: list[int] = []
        for lo, hi, season in stretches:
            lo = max(lo, person.joined_at + MINUTE_MS)
            if lo >= hi:
                continue
            if person.kind == CORE:
                quizzes = 2 if rnd() < 0.7 else 1
            elif rnd() < person.share * season:
                quizzes = 2 if rnd() < 0.2 else 1
            else:
                quizzes = 0
            starts.extend(quiz_start(lo, hi, rng) for _ in range(quizzes))
        starts.sort()
        bag = list(range(bank_size))
        seen: list[int] = []
        previous = -MIN_GAP_MS
        for ordinal, start in enumerate(starts):
            start = max(start, previous + MIN_GAP_MS)
            if start > until - MIN_GAP_MS:
                break
            previous = start
            branch = NO_BRANCH if person.branch is None else person.branch
            if person.old_branch is not None and start < person.moved_at:
                branch = person.old_branch
            plan.starts.append(start)
            plan.members.append(person.id)
            plan.branches.append(branch)
            plan.answered.append(rng.randrange(count) if rnd() < CANCELLED_SHARE else count)
            plan.ordinals.append(ordinal)
            rest: list[int] = []
            if len(bag) < count:
                # The bag ran out: what was left, then fresh questions from a refilled bag.
                rest, seen, left = bag, [], set(bag)
                bag = [q for q in range(bank_size) if q not in left]
            drawn = rest[:]
            for _ in range(count - len(rest)):
                index = int(rnd() * len(bag))
                bag[index], bag[-1] = bag[-1], bag[index]
                question = bag.pop()
                drawn.append(question)
                seen.append(question)
            if rest:
                bag.extend(rest)
                rng.shuffle(drawn)
            plan.draws.extend(drawn)
            person.last_seen = start
        seen_rows.extend((person.id, question_ids[q]) for q in sorted(seen))
        if len(seen_rows) >= 200_000:
            write_seen(seen_rows)
            seen_rows = []
    write_seen(seen_rows)
    return plan


def _quantiles(size: int, median_ms: float, sigma: float, low: int, high: int) -> tuple[int, ...]:
    """A log-normal distribution as ``size`` equally likely values: a table look-up is an
    order of magnitude cheaper than drawing 21 million variates."""
    normal = NormalDist(math.log(median_ms), sigma)
    return tuple(
        min(high, max(low, round(math.exp(normal.inv_cdf((i + 0.5) / size))))) for i in range(size)
    )


THINK_MS = _quantiles(4096, 9_000, 0.65, 1_500, MAX_THINK_MS)
"""Time to answer a question, from the moment it was shown."""
SEND_MS = _quantiles(256, 300, 0.4, 120, 1_500)
"""From one answer (or /quiz) to the next question being on screen."""
CANCEL_MS = _quantiles(256, 40_000, 1.0, 3_000, 300_000)
"""From the last question shown to /cancel."""

SEEN_SQL = "INSERT INTO seen_questions (member_id, question_id) VALUES (?, ?)"
MEMBER_SQL = f"""INSERT INTO members (id, telegram_id, first_name, last_name, username,
    real_name, branch_id, party_joined_on, pending_invite, unreachable_since, created_at,
    last_seen_at) VALUES ({", ".join("?" * 12)})"""
SESSION_SQL = f"""INSERT INTO quiz_sessions (id, member_id, chat_id, status, question_ids,
    option_orders, position, selection, message_id, question_shown_at, started_at, finished_at,
    score, question_count, branch_id, bank_version) VALUES ({", ".join("?" * 16)})"""
ANSWER_SQL = f"""INSERT INTO answers (session_id, member_id, position, question_id, chosen,
    correct, timed_out, points, answered_at, ms_taken) VALUES ({", ".join("?" * 10)})"""
DEFERRED_SQL = """
    SELECT sql FROM sqlite_master
    WHERE sql IS NOT NULL AND tbl_name IN ('answers', 'quiz_sessions', 'members')
      AND type IN ('index', 'trigger')
    ORDER BY rowid
"""


@dataclass(frozen=True)
class Context:
    """What turning planned quizzes into rows needs besides the plan."""

    questions: Questions
    chats: array[int]
    abilities: array[float]
    branch_ids: Sequence[str | None]
    """Per branch index, followed by None for ``NO_BRANCH``."""
    bank_version: str


def quiz_rows(
    plan: Plan, positions: Sequence[int], first_id: int, ctx: Context, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The ``quiz_sessions`` rows (ids from ``first_id`` on) of the planned quizzes at
    ``positions``, and their answers in the order they were given."""
    rnd = rng.random
    count = plan.count
    ids, id_json, right, wrong = (
        ctx.questions.ids,
        ctx.questions.id_json,
        ctx.questions.right,
        ctx.questions.wrong,
    )
    orders, ease = ctx.questions.orders, ctx.questions.ease
    think, send, cancel = THINK_MS, SEND_MS, CANCEL_MS
    points = POINTS_PER_QUESTION
    sessions: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    add = answers.append
    for session_id, index in enumerate(positions, start=first_id):
        member = plan.members[index]
        ability = ctx.abilities[member]
        given = plan.answered[index]
        started = plan.starts[index]
        drawn = plan.draws[index * count : (index + 1) * count]
        shown = started + send[int(rnd() * 256)]
        answered_at = shown
        score = 0
        for position in range(given):
            question = drawn[position]
            taken = think[int(rnd() * 4096)]
            answered_at = shown + taken
            if rnd() < ability + ease[question]:
                score += points
                add((session_id, member, position, ids[question], right[question], 1, 0,
                     points, answered_at, taken))  # fmt: skip
            else:
                choices = wrong[question]
                chosen = choices[int(rnd() * len(choices))]
                add((session_id, member, position, ids[question], chosen, 0, 0, 0, answered_at,
                     taken))  # fmt: skip
            shown = answered_at + send[int(rnd() * 256)]
        question_ids = "[" + ", ".join([id_json[q] for q in drawn]) + "]"
        shuffles = [orders[q] for q in drawn]
        option_orders = "[" + ", ".join([o[int(rnd() * len(o))] for o in shuffles]) + "]"
        common = (session_id, member, ctx.chats[member])
        branch = ctx.branch_ids[plan.branches[index]]
        if given == count:
            sessions.append((*common, "finished", question_ids, option_orders, count, "[]",
                             None, answered_at, started, answered_at, score, count, branch,
                             ctx.bank_version))  # fmt: skip
        else:
            message_id = 2 + 23 * plan.ordinals[index] + 2 * given
            cancelled_at = shown + cancel[int(rnd() * 256)]
            sessions.append((*common, "cancelled", question_ids, option_orders, given, "[]",
                             message_id, shown, started, cancelled_at, score, count, branch,
                             ctx.bank_version))  # fmt: skip
    answers.sort(key=itemgetter(8))
    return sessions, answers


# Putting it together


def assign_secretaries(
    nodes: Sequence[Node],
    branches: Sequence[Node],
    secretaries: Sequence[int],
    rollouts: Sequence[int],
    rng: random.Random,
) -> list[tuple[int, str, int, int]]:
    """Name secretaries in the organisation file (every committee and 党总支, a sample of
    branches) and return the ``role_grants`` rows of the branches promoted by the admin."""
    index = {id(node): number for number, node in enumerate(branches)}
    below: dict[int, list[int]] = {}
    for node in reversed(nodes):
        mine = [index[id(node)]] if id(node) in index else []
        for child in node.children:
            mine.extend(below[id(child)])
        below[id(node)] = mine
    grants = []
    for number, branch in enumerate(branches):
        if rng.random() < YAML_SECRETARY_SHARE:
            branch.secretaries = [secretaries[number]]
        else:
            grants.append((secretaries[number], branch.id, ADMIN_TELEGRAM_ID, rollouts[number]))
    for node in nodes:
        if node.level is not Level.BRANCH and below[id(node)]:
            node.secretaries = [secretaries[rng.choice(below[id(node)])]]
    grants.sort(key=itemgetter(3))
    return [(t, u, by, at - HOUR_MS) for t, u, by, at in grants]


def write_org_file(path: Path, nodes: Sequence[Node]) -> list[UnitSettings]:
    """The ``organisation.file`` for this database: a YAML list of units."""
    settings = [node.settings() for node in nodes]
    entries = [s.model_dump(mode="json", exclude_defaults=True) for s in settings]
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated by python -m bench.citygen: the organisation of the generated city.\n"
        "# BOT__ORGANISATION__FILE=<this file>; the admin is "
        f"BOT__ORGANISATION__ADMINS='[{ADMIN_TELEGRAM_ID}]'.\n"
    )
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(header + body, encoding="utf-8")
    return settings


async def create_schema(path: Path, settings: Sequence[UnitSettings], now: datetime) -> None:
    """The bot's own code makes the schema (migrations) and stores the units."""
    storage = await Storage.open(path)
    try:
        await storage.org.sync_units([s.unit() for s in settings], now)
    finally:
        await storage.close()


def schema_of(db: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def generate(options: Options, progress: Progress) -> dict[str, Any]:
    rng = random.Random(options.seed)
    loaded = load_bank(list(options.bank)).bank
    questions = Questions.of(loaded.questions)
    nodes = build_org(options.branches, rng)
    branches = [node for node in nodes if node.level is Level.BRANCH]
    sizes = branch_sizes(branches, options.members, rng)
    stretches = windows(options.until, options.months)
    start, until = stretches[0][0], _local_ms(options.until)
    people, secretaries, rollouts = make_people(sizes, options.visitors, start, until, rng)
    grants = assign_secretaries(nodes, branches, secretaries, rollouts, rng)
    settings = write_org_file(options.org_out, nodes)
    progress(f"{len(nodes)} units ({len(branches)} 党支部), {len(people)} members planned")

    for suffix in ("", "-wal", "-shm"):
        Path(f"{options.out}{suffix}").unlink(missing_ok=True)
    first_rollout = datetime.fromtimestamp((min(rollouts) - DAY_MS) / 1000, UTC)
    asyncio.run(create_schema(options.out, settings, first_rollout))
    db = sqlite3.connect(options.out, isolation_level=None)
    migrated = schema_of(db)
    deferred = [sql for (sql,) in db.execute(DEFERRED_SQL)]
    for pragma in (
        "journal_mode = OFF",
        "synchronous = OFF",
        "cache_size = -1000000",
        "threads = 2",
    ):
        db.execute(f"PRAGMA {pragma}")
    for kind, name in db.execute(
        "SELECT type, name FROM sqlite_master WHERE sql IS NOT NULL AND type IN "
        "('index', 'trigger') AND tbl_name IN ('answers', 'quiz_sessions', 'members')"
    ).fetchall():
        db.execute(f"DROP {kind.upper()} {name}")
    rows: dict[str, int] = {"org_units": len(nodes), "seen_questions": 0}

    def write_seen(batch: list[tuple[int, str]]) -> None:
        db.executemany(SEEN_SQL, batch)
        rows["seen_questions"] += len(batch)

    db.execute("BEGIN")
    plan = plan_year(people, stretches, questions.ids, until, rng, write_seen)
    db.execute("COMMIT")
    progress(f"{len(plan.starts)} quizzes planned, {rows['seen_questions']} seen_questions rows")

    joined = [p for p in people if p.telegram_id is not None]
    for person in rng.sample(joined, round(UNREACHABLE_SHARE * len(joined))):
        since = (person.last_seen or person.joined_at) + rng.randint(DAY_MS, 60 * DAY_MS)
        person.unreachable_since = since if since < until else None
    branch_ids = [b.id for b in branches]
    invites = [
        (base64.urlsafe_b64encode(rng.randbytes(12)).decode(), branch_ids[n], secretary,
         rollouts[n] + 10_000, None, None)
        for n, secretary in enumerate(secretaries)
    ]  # fmt: skip
    transfers: list[tuple[int, str | None, str, int, int]] = [
        (p.id, None, branch_ids[branch], secretaries[branch], p.joined_at)
        for p in joined
        for branch in [p.branch if p.old_branch is None else p.old_branch]
        if branch is not None
    ]
    transfers += [
        (p.id, branch_ids[p.old_branch], branch_ids[p.branch], secretaries[p.old_branch],
         p.moved_at)
        for p in joined
        if p.old_branch is not None and p.branch is not None
    ]  # fmt: skip
    transfers.sort(key=itemgetter(4))
    db.execute("BEGIN")
    db.executemany(
        MEMBER_SQL,
        (member_row(p, None if p.branch is None else branch_ids[p.branch], rng) for p in people),
    )
    db.executemany("INSERT INTO invites VALUES (?, ?, ?, ?, ?, ?)", invites)
    db.executemany("INSERT INTO role_grants VALUES (?, ?, ?, ?)", grants)
    db.executemany(
        "INSERT INTO transfers (member_id, from_branch, to_branch, by_telegram_id, at) "
        "VALUES (?, ?, ?, ?, ?)",
        transfers,
    )
    db.execute("COMMIT")
    # The membership history the bot keeps beside members and transfers, made as the
    # migration that added it makes it from those two.
    db.executescript(MEMBERSHIP_BACKFILL)
    rows |= {"members": len(people), "invites": len(invites), "role_grants": len(grants)}
    visitors = options.visitors
    rows |= {"transfers": len(transfers), "quiz_sessions": 0, "answers": 0}
    progress(f"{len(people)} members, {len(transfers)} transfers written")

    chats = array("q", [0] * (len(people) + 1))
    abilities = array("d", [0.0] * (len(people) + 1))
    for person in joined:
        chats[person.id] = person.telegram_id or 0
        abilities[person.id] = person.ability
    del people, joined
    ctx = Context(questions, chats, abilities, [*branch_ids, None], loaded.version)
    order = sorted(range(len(plan.starts)), key=plan.starts.__getitem__)
    db.execute("BEGIN")
    for first in range(0, len(order), CHUNK_SESSIONS):
        sessions, answers = quiz_rows(
            plan, order[first : first + CHUNK_SESSIONS], first + 1, ctx, rng
        )
        db.executemany(SESSION_SQL, sessions)
        db.executemany(ANSWER_SQL, answers)
        rows["quiz_sessions"] += len(sessions)
        rows["answers"] += len(answers)
        if first // CHUNK_SESSIONS % 10 == 9 or first + CHUNK_SESSIONS >= len(order):
            progress(f"{rows['quiz_sessions']} quizzes, {rows['answers']} answers")
    db.execute("COMMIT")
    del order, plan

    for sql in deferred:
        db.execute(sql)
    progress(f"{len(deferred)} indexes and the trigger rebuilt")
    db.execute("PRAGMA journal_mode = WAL")
    if schema_of(db) != migrated:
        raise SystemExit("the schema differs from the migrated one")
    db.close()
    return {
        "out": str(options.out),
        "org_out": str(options.org_out),
        "branches": len(branches),
        "visitors": visitors,
        "rows": rows,
        "from": datetime.fromtimestamp(start / 1000, ZONE).isoformat(),
        "until": datetime.fromtimestamp(until / 1000, ZONE).isoformat(),
        "admin_telegram_id": ADMIN_TELEGRAM_ID,
        "bank_version": loaded.version,
    }


def check(path: Path, full: bool) -> str:
    """What the bot's data must always pass, both checks at once on the two cores: the
    foreign keys, and ``quick_check`` (every page and record) or with ``full`` the slower
    ``integrity_check`` (also every index against its table). Raises on any problem."""

    def run(pragma: str) -> list[Any]:
        db = sqlite3.connect(path)
        try:
            return db.execute(f"PRAGMA {pragma}").fetchmany(5)
        finally:
            db.close()

    pragmas = ("integrity_check" if full else "quick_check", "foreign_key_check")
    with ThreadPoolExecutor(2) as pool:
        integrity, foreign = pool.map(run, pragmas)
    if integrity != [("ok",)] or foreign:
        raise SystemExit(f"{path}: {pragmas[0]} {integrity}, foreign_key_check {foreign}")
    return " and ".join(pragmas)


def parse(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.citygen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "city.sqlite3")
    parser.add_argument("--org-out", type=Path, help="default: <out stem>-org.yaml beside it")
    parser.add_argument("--branches", type=int, help="organisations in all (default 8885)")
    parser.add_argument("--members", type=int, help="in branches (default 180000)")
    parser.add_argument(
        "--visitors", type=int, help="people in no branch, besides (default 0.5 %% of members)"
    )
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        default=datetime.now(ZONE).date(),
        help="the data ends at 00:00 (Asia/Shanghai) of this day; default today",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bank", type=Path, action="append", help="default: question_bank")
    parser.add_argument("--small", action="store_true", help="200 organisations, 4,000 members")
    checks = parser.add_mutually_exclusive_group()
    checks.add_argument("--no-check", action="store_true", help="skip the checks")
    checks.add_argument(
        "--full-check", action="store_true", help="integrity_check instead of quick_check"
    )
    args = parser.parse_args(argv)
    small = (200, 4_000) if args.small else (8_885, 180_000)
    out: Path = args.out
    return Options(
        out=out,
        org_out=args.org_out or out.with_name(f"{out.stem}-org.yaml"),
        branches=args.branches or small[0],
        members=args.members or small[1],
        visitors=(
            args.visitors
            if args.visitors is not None
            else round(VISITOR_SHARE * (args.members or small[1]))
        ),
        months=args.months,
        until=args.until,
        seed=args.seed,
        bank=tuple(args.bank or [ROOT / "question_bank"]),
        check=not args.no_check,
        full_check=args.full_check,
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    options = parse(argv)
    progress = Progress()
    result = generate(options, progress)
    result["load_seconds"] = round(progress.seconds, 1)
    if options.check:
        result["checked"] = check(options.out, options.full_check)
        progress(f"{result['checked']}: ok")
    result["seconds"] = round(progress.seconds, 1)
    result["check_seconds"] = round(result["seconds"] - result["load_seconds"], 1)
    result["db_mb"] = round(options.out.stat().st_size / 2**20, 1)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()

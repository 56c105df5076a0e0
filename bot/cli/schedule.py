"""``python -m bot schedule show``: the coming theme days, study days, meetings and nudges, so a
secretary can check the rules before anyone is reminded.

Until ``schedules`` is a field of ``bot.config.Settings``, this command reads the section (and
``timezone`` and the inline ``organisation`` units, for branch kinds) from the config file
itself, through ``bot.schedule.load_schedules``; environment overrides do not apply here yet.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.config import load_settings
from bot.org.tree import Kind, OrgTree, Unit
from bot.schedule import (
    Adjustment,
    BranchSchedule,
    ChineseCalendar,
    EventSettings,
    Occurrence,
    OccurrenceKind,
    Schedule,
    ScheduleSettings,
    parse_rule,
)
from bot.schedule.holidays import year_spans
from bot.schedule.notation import format_clock
from bot.storage import Storage
from bot.storage.url import DatabaseUrl
from bot.yamlfile import InvalidFileError, Problem

WEEKDAYS = "一二三四五六日"
POLICY = {"keep": "照常举行", "move": "顺延至下一个工作日", "skip": "取消"}
SHOWN = frozenset(OccurrenceKind) - {OccurrenceKind.REMINDER}


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = commands.add_parser("schedule", help="theme days, reminders and other schedules")
    actions = schedule.add_subparsers(metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print the coming occurrences")
    show.add_argument(
        "--branch", help="a branch id or name (default: the defaults, then each override)"
    )
    show.add_argument("--kind", choices=[k.value for k in Kind], help="the branch's kind")
    show.add_argument("--months", type=int, default=3, choices=range(1, 25), metavar="1..24")
    show.add_argument("--from", dest="start", type=date.fromisoformat, help="YYYY-MM-DD (today)")
    show.set_defaults(handler=_show)


def _show(args: argparse.Namespace) -> int:
    settings, zone, units = _load(args.config)
    kinds = {unit.id: unit.kind for unit in units}
    schedule = Schedule(settings, zone)
    first = args.start or datetime.now(UTC).astimezone(zone).date()
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    end_day = first + relativedelta(months=args.months)
    end = datetime.combine(end_day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    if args.branch:
        branch = _branch_id(args.branch, units)
        kind = Kind(args.kind) if args.kind else kinds.get(branch)
        targets = [(branch, kind, _heading(branch, kind))]
    else:
        targets = _default_targets(settings, kinds)
    print(f"{first} 至 {end_day - timedelta(days=1)}，时区 {zone.key}")
    warnings: set[str] = set()
    for branch_id, kind, heading in targets:
        plan = schedule.branch(branch_id, kind)
        found = plan.occurrences(start, end, kinds=SHOWN, include_skipped=True)
        print()
        print(heading)
        print(*describe_rules(plan), sep="\n")
        for occurrence in found:
            print(describe(occurrence, plan))
        warnings |= {
            o.holiday.warning for o in found if o.holiday is not None and o.holiday.warning
        }
        if not found:
            print("  （这段时间没有安排）")
    if warnings:
        print()
        print(
            f"⚠ 节假日数据只有 {year_spans(schedule.holidays.known_years)} 年"
            f"（chinese-calendar {ChineseCalendar().version}）；标 ⚠ 的日子按规则日期列出。"
            "国务院公布新一年的节假日安排后，请升级该软件包，或先写进 schedules.holidays。"
        )
    return 0


def describe_rules(plan: BranchSchedule) -> list[str]:
    """One line per enabled rule: what recurs when, and the holiday policy."""
    settings = plan.settings
    events: list[tuple[str, EventSettings]] = []
    if settings.theme_day.enabled:
        events.append(("主题党日", settings.theme_day))
    if settings.study_day_enabled:
        events.append(("固定学习日", settings.study_day))
    events += [(m.title or name, m) for name, m in sorted(settings.meetings.items()) if m.enabled]
    lines = []
    for default_title, event in events:
        if event.rule is None:
            continue
        reminders = "、".join(event.reminders) or "无"
        makeup = f"，补课 {event.makeup}" if event.makeup else ""
        lines.append(
            f"  规则：{event.title or default_title} {parse_rule(event.rule).describe()} "
            f"{format_clock(event.time)}，遇法定节假日{POLICY[event.on_holiday.value]}，"
            f"提醒 {reminders}{makeup}"
        )
    nudge = settings.quiz_nudge
    if nudge.enabled:
        days, at = nudge.days_before_month_end, format_clock(nudge.time)
        lines.append(f"  规则：答题提醒 每月最后一天前 {days} 天 {at}")
    return lines


def describe(occurrence: Occurrence, plan: BranchSchedule) -> str:
    """One line, e.g. ``2026-12-07 周一 09:00 主题党日 · 党员活动室 · 学习党章（提醒：12-06
    18:00，12-07 08:00）``; moved, kept and skipped days say so, with the holiday's name."""
    local = occurrence.occurs_at.astimezone(plan.zone)
    head = f"  {local:%Y-%m-%d} 周{WEEKDAYS[local.weekday()]} {local:%H:%M} {occurrence.title}"
    note = occurrence.holiday
    if occurrence.kind is OccurrenceKind.QUIZ_NUDGE:
        return f"{head}（本月尚未答题的党员）"
    if occurrence.kind is OccurrenceKind.MAKEUP:
        held = occurrence.event.occurs_at.astimezone(plan.zone)
        return f"{head}（{held:%m-%d} {occurrence.event.title}的学习内容，发给请假和未到的党员）"
    if occurrence.skipped and note is not None:
        reason = "，顺延会晚于下一次" if note.adjustment is Adjustment.MERGED else ""
        return f"{head} —— 本次不举行（{note.holiday}{reason}）"
    text = head + "".join(f" · {part}" for part in (occurrence.place, occurrence.topic) if part)
    if note is not None and note.adjustment is Adjustment.MOVED:
        text += f"（{note.holiday}，由 {note.rule_date:%m-%d} 顺延）"
    elif note is not None and note.adjustment is Adjustment.KEPT:
        text += f"（{note.holiday}，照常举行）"
    elif note is not None and note.adjustment is Adjustment.UNKNOWN:
        text += "（⚠ 节假日安排未知，按规则日期）"
    times = [_short(r.occurs_at, plan.zone) for r in plan.reminders(occurrence)]
    if times:
        text += f"（提醒：{'，'.join(times)}）"
    return text


def _short(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%m-%d %H:%M}"


def _default_targets(
    settings: ScheduleSettings, kinds: dict[str, Kind]
) -> list[tuple[str, Kind | None, str]]:
    targets: list[tuple[str, Kind | None, str]] = [("", None, "默认（未单独设置的支部）")]
    for kind in sorted({Kind.ORGAN, *settings.kinds}, key=list(Kind).index):
        targets.append(("", kind, f"默认：{kind.value}支部"))
    targets += [(b, kinds.get(b), _heading(b, kinds.get(b))) for b in sorted(settings.branches)]
    return targets


def _heading(branch_id: str, kind: Kind | None) -> str:
    return f"支部 {branch_id}" + (f"（{kind.value}）" if kind else "")


def _load(path: Path) -> tuple[ScheduleSettings, ZoneInfo, list[Unit]]:
    """The schedules, the time zone and the units (for their kinds and names), from the
    settings (file and environment overrides, all checked) and, when config names no units,
    the organisation applied to the database with ``org import``."""
    settings = load_settings(path)
    units = [unit.unit() for unit in settings.organisation.units]
    if not units and settings.database.exists():
        units = asyncio.run(_stored_units(settings.database))
    return settings.schedules, settings.zone, units


def _branch_id(typed: str, units: list[Unit]) -> str:
    """The branch ``--branch`` names, by id or by a name only one unit has. An id nobody
    knows is still shown (the rules apply to any branch id); an ambiguous name is refused."""
    found = OrgTree(tuple(units)).unit_named(typed)
    if isinstance(found, list):
        problem = f"有 {len(found)} 个组织都叫“{typed}”，请写编号（{'、'.join(found)}）"
        raise InvalidFileError([Problem("--branch", 0, 0, problem)])
    return found or typed


async def _stored_units(database: DatabaseUrl) -> list[Unit]:
    storage = await Storage.open(database)
    try:
        return await storage.org.units()
    finally:
        await storage.close()

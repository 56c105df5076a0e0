"""The ``schedules`` section: defaults, layers, and every problem at its file position."""

from __future__ import annotations

import datetime as dt
import textwrap

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.org.tree import Kind
from bot.schedule import (
    HolidayPolicy,
    ScheduleSettings,
    load_schedules,
    resolve,
)
from bot.yamlfile import parse_located, validation_problems


def load(text: str, **kwargs: object) -> tuple[ScheduleSettings | None, list[str]]:
    located = parse_located(textwrap.dedent(text), "config.yaml")
    settings, problems = load_schedules(located, **kwargs)  # type: ignore[arg-type]
    return settings, [str(p) for p in problems]


def test_an_empty_or_missing_section_means_the_defaults() -> None:
    for text in ("timezone: Asia/Shanghai\n", "schedules:\n", "schedules: {}\n"):
        settings, problems = load(text)
        assert problems == [] and settings == ScheduleSettings()
    defaults = ScheduleSettings()
    assert defaults.theme_day.rule == "FREQ=MONTHLY;BYDAY=1MO"
    assert defaults.theme_day.reminders == ("-1d@18:00", "0d@08:00")
    assert (
        defaults.theme_day.time == dt.time(9)
        and defaults.theme_day.on_holiday is HolidayPolicy.MOVE
    )
    assert defaults.study_day.rule == "FREQ=WEEKLY;BYDAY=FR"


def test_an_invalid_rule_is_reported_with_file_line_and_key() -> None:
    _, problems = load(
        """\
        timezone: Asia/Shanghai
        schedules:
          theme_day:
            rule: FREQ=MONTHLY;BYDAY=9MO
        """
    )
    assert problems == [
        "config.yaml:4:11: schedules.theme_day.rule: unsupported rule: BYDAY=9MO: a month has "
        "at most 5 Mondays (use 1..5, or -1..-5 counting from the end) "
        "(got 'FREQ=MONTHLY;BYDAY=9MO')"
    ]


def test_every_bad_value_at_once() -> None:
    _, problems = load(
        """\
        schedules:
          theme_day:
            time: 18:00
            reminders: [-1d@18:00, 1d@08:00]
            on_holiday: later
            topics: {2026-13: x}
          study_day:
            time: "25:00"
          quiz_nudge: {days_before_month_end: 28}
          political_birthday: {leap_day: feb29}
          kinds:
            机关单位: {}
          branches:
            "zb/1": {}
            zb-002:
              meetings:
                Party: {rule: 每周五}
        """
    )
    assert problems == [
        'config.yaml:3:11: schedules.theme_day.time: write the time in quotes, "18:00" '
        "(YAML reads 18:00 as 1080) (got 1080)",
        "config.yaml:4:28: schedules.theme_day.reminders[1]: invalid reminder offset: "
        "'1d@08:00': write -1d@… for before or +1d@… for after (got '1d@08:00')",
        "config.yaml:5:17: schedules.theme_day.on_holiday: Input should be 'keep', 'move' or "
        "'skip' (got 'later')",
        "config.yaml:6:14: schedules.theme_day.topics.2026-13: a topic is keyed by month "
        "(2026-12) or date (2026-12-07)",
        "config.yaml:8:11: schedules.study_day.time: '25:00' is not a time of day (00:00..23:59) "
        "(got '25:00')",
        "config.yaml:9:39: schedules.quiz_nudge.days_before_month_end: Input should be less "
        "than or equal to 27 (got 28)",
        "config.yaml:10:34: schedules.political_birthday.leap_day: Input should be 'feb28' or "
        "'mar1' (got 'feb29')",
        "config.yaml:12:5: schedules.kinds.机关单位: Input should be '机关', '村', '企业', "
        "'学校', '社区' or '其他'",
        "config.yaml:14:5: schedules.branches.zb/1: String should match pattern "
        "'^[A-Za-z0-9_-]{1,32}$'",
        "config.yaml:17:9: schedules.branches.zb-002.meetings.Party: String should match "
        "pattern '^[a-z0-9_]{1,32}$'",
    ]


def test_aliases_and_offsets_are_stored_canonically() -> None:
    settings, problems = load(
        """\
        schedules:
          theme_day: {rule: 每月最后一个星期五, reminders: [-90m, "+0d@8:00"], time: "14:30"}
        """
    )
    assert problems == [] and settings is not None
    assert settings.theme_day.rule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert settings.theme_day.reminders == ("-1h30m", "0d@08:00")
    assert settings.theme_day.time == dt.time(14, 30)


LAYERED = """\
schedules:
  theme_day:
    place: 党员活动室
    topic: 学习党章
    topics: {2026-12: 学习二十大精神}
  meetings:
    committee: {title: 支部委员会, rule: FREQ=MONTHLY;BYDAY=2TU, time: "19:00"}
  kinds:
    村:
      theme_day: {rule: 每月15日, time: "08:30"}
      quiz_nudge: {enabled: false}
    机关:
      study_day: {time: "16:00"}
  branches:
    zb-001:
      theme_day: {place: 村委会二楼, reminders: ["-2h"]}
      study_day: {enabled: true}
      meetings:
        committee: {time: "20:00"}
        lecture: {title: 党课, rule: "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=-1TH"}
"""


def test_layers_override_only_the_keys_they_name() -> None:
    settings, problems = load(LAYERED)
    assert problems == [] and settings is not None

    plain = resolve(settings, "zb-999")
    assert (
        plain.theme_day.rule == "FREQ=MONTHLY;BYDAY=1MO" and plain.theme_day.place == "党员活动室"
    )
    assert not plain.study_day_enabled and plain.quiz_nudge.enabled
    assert plain.meetings["committee"].time == dt.time(19)

    village = resolve(settings, "zb-999", Kind.VILLAGE)
    assert village.theme_day.rule == "FREQ=MONTHLY;BYMONTHDAY=15"
    assert village.theme_day.time == dt.time(8, 30) and village.theme_day.place == "党员活动室"
    assert not village.quiz_nudge.enabled

    organ = resolve(settings, "zb-999", Kind.ORGAN)
    assert organ.study_day_enabled and organ.study_day.time == dt.time(16)

    branch = resolve(settings, "zb-001", Kind.VILLAGE)
    assert branch.theme_day.rule == "FREQ=MONTHLY;BYMONTHDAY=15"  # from the kind
    assert branch.theme_day.place == "村委会二楼" and branch.theme_day.reminders == ("-2h",)
    assert branch.theme_day.topic_for(dt.date(2026, 12, 15)) == "学习二十大精神"
    assert branch.theme_day.topic_for(dt.date(2027, 1, 15)) == "学习党章"
    assert branch.study_day_enabled  # a village branch that chose a study day
    assert branch.meetings["committee"].time == dt.time(20)
    assert branch.meetings["committee"].rule == "FREQ=MONTHLY;BYDAY=2TU"
    assert branch.meetings["lecture"].title == "党课"


def test_problems_only_the_layers_show() -> None:
    _, problems = load(
        """\
        schedules:
          meetings:
            committee: {title: 支部委员会}
          study_day:
            rule: FREQ=WEEKLY;INTERVAL=2;BYDAY=FR
          kinds:
            村:
              theme_day: {rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"}
          branches:
            zb-001:
              theme_day: {starts: 2025-01-01}
              meetings:
                lecture: {rule: 每月15日}
            zb-002:
              theme_day: {starts: 2026-06-01, until: 2026-01-01}
        """,
        branch_ids={"zb-001"},
    )
    assert problems == [
        "config.yaml:3:16: schedules.meetings.committee.rule: no rule "
        "(e.g. FREQ=MONTHLY;BYDAY=1TU)",
        "config.yaml:5:11: schedules.study_day.rule: INTERVAL=2 needs starts (a date to count "
        "the weeks from)",
        "config.yaml:8:25: schedules.kinds.村.theme_day.rule: INTERVAL=4 needs starts (a date "
        "to count the years from)",
        "config.yaml:8:25: schedules.kinds.村.theme_day.rule: never occurs counting from "
        "2025-01-01",
        "config.yaml:13:18: schedules.branches.zb-001.meetings.lecture: a meeting needs a "
        "title (e.g. 支部委员会)",
        "config.yaml:14:5: schedules.branches.zb-002: no such branch",
        "config.yaml:15:46: schedules.branches.zb-002.theme_day.until: is before starts "
        "(2026-06-01)",
    ]


def test_disabled_events_are_not_checked() -> None:
    _, problems = load("schedules:\n  meetings:\n    old: {enabled: false}\n")
    assert problems == []


def test_the_one_line_wiring_into_settings_reports_positions_too() -> None:
    class Settings(BaseModel):  # what bot/config.py's Settings gains
        model_config = ConfigDict(extra="forbid", frozen=True)
        schedules: ScheduleSettings = ScheduleSettings()

    located = parse_located("schedules:\n  theme_day:\n    rule: 每月第六个星期一\n", "c.yaml")
    try:
        Settings.model_validate(located.data)
    except ValidationError as error:
        problems = [str(p) for p in validation_problems(located, error)]
    assert problems == [
        "c.yaml:3:11: schedules.theme_day.rule: unsupported rule: not a rule I know (write e.g. "
        "每月第一个星期一, 每月最后一个星期五, 每月15日, 每周五, or FREQ=MONTHLY;BYDAY=1MO) "
        "(got '每月第六个星期一')"
    ]


def test_declared_holidays_are_checked_where_they_are_written() -> None:
    settings, problems = load(
        """
        schedules:
          holidays:
            days_off:
              2027-01-01: 元旦
              2027-10-01..2027-10-07: 国庆节
            workdays: [2027-10-09]
        """
    )
    assert problems == [] and settings is not None
    days = settings.holidays.days_off_by_date()
    assert len(days) == 8 and days[dt.date(2027, 10, 7)] == "国庆节"
    _, problems = load(
        """
        schedules:
          holidays:
            days_off:
              2027-10-07..2027-10-01: 国庆节
        """
    )
    assert problems == [
        "config.yaml:5:7: schedules.holidays.days_off.2027-10-07..2027-10-01: "
        "a range runs forwards, a month at most",
    ]
    _, problems = load(
        """
        schedules:
          holidays:
            days_off: {2027-10-01: 国庆节}
            workdays: [2027-10-11]
        """
    )
    assert problems == [
        "config.yaml:4:5: schedules.holidays: 2027-10-11 is a weekday; "
        "调休 working days are weekend days"
    ]


def test_the_sign_in_window_and_the_makeup_must_make_sense() -> None:
    settings, problems = load("schedules: {}\n")
    assert settings is not None and problems == []
    theme_day = settings.theme_day
    assert (theme_day.signin_opens, theme_day.signin_closes) == ("-30m", "+3h")
    assert theme_day.makeup == "+1d@09:00" and settings.study_day.makeup is None
    assert settings.branches == {} and resolve(settings, "zb-1").event("x").makeup == "+1d@09:00"
    _, problems = load(
        """\
        schedules:
          theme_day:
            signin_opens: +1h
            signin_closes: +30m
          study_day:
            makeup: -1h
        """
    )
    assert len(problems) == 2
    assert "signin_closes must come after the start and after signin_opens" in problems[0]
    assert "makeup comes after the meeting (e.g. +1d@09:00 or +3h)" in problems[1]

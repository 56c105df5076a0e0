"""Schedules: theme days, study days, meetings, reminders, quiz nudges and 政治生日, as pure
computation — no Telegram, no storage, no clock. Callers pass the settings, the time zone and
a window of time; they get back ``Occurrence`` values with stable keys to deliver from an
outbox. The format of the ``schedules`` config section and the key contract are in
docs/schedules.md.
"""

from bot.schedule.config import (
    BranchSettings,
    EventSettings,
    LeapDay,
    Overrides,
    PoliticalBirthdaySettings,
    QuizNudgeSettings,
    ScheduleSettings,
    StudyDaySettings,
    ThemeDaySettings,
    load_schedules,
    resolve,
    schedule_problems,
)
from bot.schedule.holidays import (
    Adjustment,
    ChineseCalendar,
    HolidayCalendar,
    HolidayNote,
    HolidayPolicy,
    UnknownYearError,
)
from bot.schedule.notation import DayOffset, Lead, NotationError, Offset, parse_clock, parse_offset
from bot.schedule.occurrences import EVENT_KINDS, Occurrence, OccurrenceKind
from bot.schedule.planner import BranchSchedule, Schedule, anniversary, standing_years
from bot.schedule.rules import Rule, RuleError, parse_rule

__all__ = [
    "EVENT_KINDS",
    "Adjustment",
    "BranchSchedule",
    "BranchSettings",
    "ChineseCalendar",
    "DayOffset",
    "EventSettings",
    "HolidayCalendar",
    "HolidayNote",
    "HolidayPolicy",
    "Lead",
    "LeapDay",
    "NotationError",
    "Occurrence",
    "OccurrenceKind",
    "Offset",
    "Overrides",
    "PoliticalBirthdaySettings",
    "QuizNudgeSettings",
    "Rule",
    "RuleError",
    "Schedule",
    "ScheduleSettings",
    "StudyDaySettings",
    "ThemeDaySettings",
    "UnknownYearError",
    "anniversary",
    "load_schedules",
    "parse_clock",
    "parse_offset",
    "parse_rule",
    "resolve",
    "schedule_problems",
    "standing_years",
]

"""The ``schedules`` section of config.yaml: recurring events, reminders, nudges, greetings.

Settings come in layers, each overriding only the keys it names: the built-in defaults below,
then the organisation-wide values at the top of the section, then ``kinds.<branch kind>``
(机关, 村, …), then ``branches.<branch id>``. A list (``reminders``) or mapping (``topics``) is
replaced as a whole, never merged item by item. ``resolve`` applies the layers for one branch.

Pydantic checks every value where it is written (rules, times, offsets: see ``rules.py`` and
``notation.py``); ``schedule_problems`` checks what only the combined layers show (a meeting
without a rule, ``INTERVAL`` without ``starts``, branch ids the organisation does not have), and
``load_schedules`` does both, for code that reads the section on its own. The format and a
full example are in docs/schedules.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.org.config import UnitId
from bot.org.tree import Kind
from bot.schedule.holidays import HolidayPolicy
from bot.schedule.notation import (
    DayOffset,
    NotationError,
    format_clock,
    parse_clock,
    parse_offset,
)
from bot.schedule.rules import Rule, RuleError, parse_rule
from bot.yamlfile import Located, Path_, Problem, dotted, validation_problems

EARLIEST_START = dt.date(2000, 1, 1)
LATEST_START = dt.date(2199, 12, 31)


def _rule(text: str) -> str:
    try:
        return str(parse_rule(text))
    except RuleError as error:
        raise ValueError(f"unsupported rule: {error}") from error


def _offset(text: str) -> str:
    try:
        return str(parse_offset(text))
    except NotationError as error:
        raise ValueError(f"invalid reminder offset: {error}") from error


def _clock(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        # YAML 1.1 reads an unquoted 18:00 as the base-60 number 1080.
        hint = format_clock(dt.time(value // 60, value % 60))
        raise ValueError(f'write the time in quotes, "{hint}" (YAML reads {hint} as {value})')
    if not isinstance(value, str):
        raise ValueError('must be a time "HH:MM" (e.g. "09:00")')
    try:
        return parse_clock(value)
    except NotationError as error:
        raise ValueError(str(error)) from error


def _topic_key(text: str) -> str:
    for form in ("%Y-%m-%d", "%Y-%m"):
        try:
            dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return text
    raise ValueError("a topic is keyed by month (2026-12) or date (2026-12-07)")


def _days(text: str) -> str:
    """A day ``2027-10-01`` or an inclusive range ``2027-10-01..2027-10-07`` of at most a
    month, kept as written; ``HolidaySettings.days_off_by_date`` expands it."""
    first, _, last = text.partition("..")
    try:
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if last else start
    except ValueError as error:
        raise ValueError("write a day (2027-10-01) or a range (2027-10-01..2027-10-07)") from error
    if not start <= end <= start + dt.timedelta(days=31):
        raise ValueError("a range runs forwards, a month at most")
    _start(start)
    return text


def _expand(text: str) -> list[dt.date]:
    first, _, last = text.partition("..")
    start = dt.date.fromisoformat(first.strip())
    end = dt.date.fromisoformat(last.strip()) if last else start
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _start(value: dt.date) -> dt.date:
    if not EARLIEST_START <= value <= LATEST_START:
        raise ValueError(f"must be between {EARLIEST_START} and {LATEST_START}")
    return value


def _minutes_after(text: str) -> float:
    """An offset's distance from the start in minutes, for ordering checks: a day offset
    counts as its days (a ``0d@…`` one as the start itself, its clock time being unknown)."""
    offset = parse_offset(text)
    return offset.days * 1440.0 if isinstance(offset, DayOffset) else float(offset.minutes)


RuleText = Annotated[str, AfterValidator(_rule)]
"""A rule, stored as its canonical RRULE text (Chinese aliases are translated)."""
OffsetText = Annotated[str, AfterValidator(_offset)]
"""A reminder offset, stored in canonical spelling."""
WallTime = Annotated[dt.time, BeforeValidator(_clock)]
TopicKey = Annotated[str, AfterValidator(_topic_key)]
EventName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
StartDate = Annotated[dt.date, AfterValidator(_start)]
DaysText = Annotated[str, AfterValidator(_days)]
HolidayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventSettings(_Section):
    """A recurring event: the theme day, the study day, or a meeting under ``meetings``."""

    enabled: bool = True
    title: Text = ""
    rule: RuleText | None = None
    time: WallTime = dt.time(9, 0)
    place: Text = ""
    topic: Text = ""
    topics: dict[TopicKey, Text] = Field(default_factory=dict)
    """Per-month (``2026-12``) or per-date (``2026-12-07``) topics, over ``topic``."""
    reminders: tuple[OffsetText, ...] = ("-1d@18:00", "0d@08:00")
    on_holiday: HolidayPolicy = HolidayPolicy.MOVE
    starts: StartDate | None = None
    """No date before this one; ``INTERVAL`` counts from it."""
    until: StartDate | None = None
    """No date after this one."""
    signin_opens: OffsetText = "-30m"
    """When members may begin to sign themselves in (签到), relative to the start."""
    signin_closes: OffsetText = "+3h"
    """When self sign-in ends; the secretary's 代签 after it is labelled 补签."""
    makeup: OffsetText | None = None
    """When those on leave or absent get the topic and study material (补课); None: never."""

    @model_validator(mode="after")
    def _signin_and_makeup(self) -> EventSettings:
        if _minutes_after(self.signin_closes) <= max(_minutes_after(self.signin_opens), 0):
            raise ValueError("signin_closes must come after the start and after signin_opens")
        if self.makeup is not None and _minutes_after(self.makeup) <= 0:
            raise ValueError("makeup comes after the meeting (e.g. +1d@09:00 or +3h)")
        return self

    def topic_for(self, day: dt.date) -> str:
        """The topic of the occurrence whose rule date is ``day``."""
        iso = day.isoformat()
        return self.topics.get(iso) or self.topics.get(iso[:7]) or self.topic


class ThemeDaySettings(EventSettings):
    """支部主题党日: monthly, first Monday by default; moved off statutory holidays; 补课 the
    day after at 09:00."""

    title: Text = "主题党日"
    rule: RuleText | None = "FREQ=MONTHLY;BYDAY=1MO"
    makeup: OffsetText | None = "+1d@09:00"


class StudyDaySettings(EventSettings):
    """The weekly fixed study day (固定学习日); on by default for 机关 branches only."""

    enabled: bool | None = None  # type: ignore[assignment]
    """None: on for 机关 branches, off for others."""
    title: Text = "固定学习日"
    rule: RuleText | None = "FREQ=WEEKLY;BYDAY=FR"
    time: WallTime = dt.time(15, 0)
    reminders: tuple[OffsetText, ...] = ("0d@08:00",)
    on_holiday: HolidayPolicy = HolidayPolicy.SKIP


class QuizNudgeSettings(_Section):
    """The monthly nudge to members who have not taken a quiz that month."""

    enabled: bool = True
    days_before_month_end: Annotated[int, Field(ge=0, le=27)] = 3
    """0: on the month's last day."""
    time: WallTime = dt.time(10, 0)


class LeapDay(StrEnum):
    """Where a 29 February anniversary goes in other years."""

    FEB_28 = "feb28"
    MAR_1 = "mar1"


class PoliticalBirthdaySettings(_Section):
    """政治生日: a greeting on the Party-joining anniversary, and a notice to the secretary."""

    enabled: bool = True
    time: WallTime = dt.time(9, 0)
    notice_days: Annotated[int, Field(ge=1, le=60)] | None = 7
    """How many days ahead the secretary is told; None: no notice."""
    notice_time: WallTime = dt.time(9, 0)
    leap_day: LeapDay = LeapDay.FEB_28


class Overrides(_Section):
    """What a branch kind or a branch changes; each given key replaces the layer below."""

    theme_day: ThemeDaySettings | None = None
    study_day: StudyDaySettings | None = None
    meetings: dict[EventName, EventSettings] = Field(default_factory=dict)
    quiz_nudge: QuizNudgeSettings | None = None
    political_birthday: PoliticalBirthdaySettings | None = None


class HolidaySettings(_Section):
    """Statutory holidays declared by hand, for a year the installed chinese-calendar does not
    know yet (the State Council publishes it around November; the package follows later): a
    declared year replaces the package's for that year."""

    days_off: dict[DaysText, HolidayName] = Field(default_factory=dict)
    """Days off by day or range, named: ``"2027-10-01..2027-10-07": 国庆节``."""
    workdays: tuple[StartDate, ...] = ()
    """Weekend days made working days (调休)."""

    @model_validator(mode="after")
    def _consistent(self) -> HolidaySettings:
        days = self.days_off_by_date()
        years = {day.year for day in days}
        for day in self.workdays:
            if day in days:
                raise ValueError(f"{day} is both a day off and a working day")
            if day.weekday() < 5:
                raise ValueError(f"{day} is a weekday; 调休 working days are weekend days")
            if day.year not in years:
                raise ValueError(f"{day}: declare that year's days off too")
        return self

    def days_off_by_date(self) -> dict[dt.date, str]:
        return {day: name for text, name in self.days_off.items() for day in _expand(text)}


class ScheduleSettings(_Section):
    """The ``schedules`` section; an empty section means every default."""

    theme_day: ThemeDaySettings = ThemeDaySettings()
    study_day: StudyDaySettings = StudyDaySettings()
    meetings: dict[EventName, EventSettings] = Field(default_factory=dict)
    """Other recurring events (三会一课 …) by name; a meeting needs a rule and a title."""
    quiz_nudge: QuizNudgeSettings = QuizNudgeSettings()
    political_birthday: PoliticalBirthdaySettings = PoliticalBirthdaySettings()
    kinds: dict[Kind, Overrides] = Field(default_factory=dict)
    branches: dict[UnitId, Overrides] = Field(default_factory=dict)
    holidays: HolidaySettings = HolidaySettings()


@dataclass(frozen=True)
class BranchSettings:
    """The settings in force for one branch, every layer applied."""

    branch_id: str
    kind: Kind | None
    theme_day: ThemeDaySettings
    study_day: StudyDaySettings
    meetings: Mapping[str, EventSettings]
    quiz_nudge: QuizNudgeSettings
    political_birthday: PoliticalBirthdaySettings

    def event(self, rule_key: str) -> EventSettings:
        """The settings of the event a rule key names (``theme_day``, ``study_day``,
        ``meetings.<name>``); the theme day's for any other (an ad-hoc meeting)."""
        if rule_key == "study_day":
            return self.study_day
        name = rule_key.removeprefix("meetings.")
        if rule_key.startswith("meetings.") and name in self.meetings:
            return self.meetings[name]
        return self.theme_day

    @property
    def study_day_enabled(self) -> bool:
        if self.study_day.enabled is None:
            return self.kind is Kind.ORGAN
        return self.study_day.enabled


Model = TypeVar("Model", bound=BaseModel)


def _over(base: Model, override: Model | None) -> Model:
    if override is None:
        return base
    return base.model_copy(
        update={name: getattr(override, name) for name in override.model_fields_set}
    )


def _layers(settings: ScheduleSettings, branch_id: str, kind: Kind | None) -> list[Overrides]:
    return [
        layer
        for layer in (settings.kinds.get(kind) if kind else None, settings.branches.get(branch_id))
        if layer is not None
    ]


def resolve(
    settings: ScheduleSettings, branch_id: str, kind: Kind | None = None
) -> BranchSettings:
    """Apply the kind's and the branch's overrides to the organisation-wide settings."""
    layers = _layers(settings, branch_id, kind)
    meetings = dict(settings.meetings)
    for layer in layers:
        for name, meeting in layer.meetings.items():
            meetings[name] = _over(meetings[name], meeting) if name in meetings else meeting
    return BranchSettings(
        branch_id,
        kind,
        _fold(settings.theme_day, (layer.theme_day for layer in layers)),
        _fold(settings.study_day, (layer.study_day for layer in layers)),
        meetings,
        _fold(settings.quiz_nudge, (layer.quiz_nudge for layer in layers)),
        _fold(settings.political_birthday, (layer.political_birthday for layer in layers)),
    )


def _fold(base: Model, overrides: Iterable[Model | None]) -> Model:
    for override in overrides:
        base = _over(base, override)
    return base


def schedule_problems(
    located: Located,
    settings: ScheduleSettings,
    *,
    base: Path_ = ("schedules",),
    branch_ids: Collection[str] | None = None,
) -> list[Problem]:
    """The problems only the combined layers show, positioned at the key that causes each.

    Every combination a branch can meet is checked: the organisation alone, each configured
    kind, each configured branch alone and under each kind. With ``branch_ids`` (the units the
    organisation has), a branch under ``branches`` that is not among them is a problem too.
    """
    problems: set[Problem] = set()
    rules: dict[str, Rule] = {}  # each rule text parsed once, however many layers share it

    def report(path: Path_, message: str) -> None:
        full = (*base, *path)
        problems.add(located.problem(full, f"{dotted(full)}: {message}"))

    if branch_ids is not None:
        for unknown in set(settings.branches) - set(branch_ids):
            path = (*base, "branches", unknown)
            problems.add(located.problem(path, f"{dotted(path)}: no such branch", key=True))
    kinds: list[Kind | None] = [None, *settings.kinds]
    branches: list[str | None] = [None, *settings.branches]
    for kind, branch_id in ((k, b) for k in kinds for b in branches):
        sources: list[tuple[Path_, Overrides]] = [((), _as_overrides(settings))]
        if kind is not None:
            sources.append((("kinds", kind.value), settings.kinds[kind]))
        if branch_id is not None:
            sources.append((("branches", branch_id), settings.branches[branch_id]))
        resolved = resolve(settings, branch_id or "", kind)
        _check_event(report, rules, sources, ("theme_day",), resolved.theme_day)
        _check_event(report, rules, sources, ("study_day",), resolved.study_day)
        for name, meeting in resolved.meetings.items():
            _check_event(report, rules, sources, ("meetings", name), meeting)
    return sorted(problems)


def _as_overrides(settings: ScheduleSettings) -> Overrides:
    return Overrides(
        theme_day=settings.theme_day,
        study_day=settings.study_day,
        meetings=settings.meetings,
    )


def _where(sources: list[tuple[Path_, Overrides]], event: Path_, key: str) -> Path_:
    """The path of the most specific layer that sets ``key`` of ``event`` (or the event)."""
    found: Path_ | None = None
    for path, layer in sources:
        settings = _event_in(layer, event)
        if settings is not None and (key in settings.model_fields_set or not path):
            found = (*path, *event, key)
    if found is None:
        first = next(path for path, layer in sources if _event_in(layer, event) is not None)
        found = (*first, *event)
    return found


def _event_in(layer: Overrides, event: Path_) -> EventSettings | None:
    if event[0] == "meetings":
        return layer.meetings.get(str(event[1]))
    value: EventSettings | None = getattr(layer, str(event[0]))
    return value


def _check_event(
    report: Callable[[Path_, str], None],
    rules: dict[str, Rule],
    sources: list[tuple[Path_, Overrides]],
    event: Path_,
    settings: EventSettings,
) -> None:
    if settings.enabled is False:
        return
    if settings.rule is None:
        report(_where(sources, event, "rule"), "no rule (e.g. FREQ=MONTHLY;BYDAY=1TU)")
        return
    if event[0] == "meetings" and not settings.title:
        report(_where(sources, event, "title"), "a meeting needs a title (e.g. 支部委员会)")
    if settings.rule not in rules:
        rules[settings.rule] = parse_rule(settings.rule)
    rule = rules[settings.rule]
    if settings.starts and settings.until and settings.until < settings.starts:
        report(_where(sources, event, "until"), f"is before starts ({settings.starts})")
        return
    if rule.interval > 1:
        if settings.starts is None:
            report(
                _where(sources, event, "rule"),
                f"INTERVAL={rule.interval} needs starts (a date to count the "
                f"{rule.freq.value.lower().removesuffix('ly')}s from)",
            )
            return
        first = rule.first_date(settings.starts)
        if first is None or (settings.until is not None and first > settings.until):
            report(_where(sources, event, "rule"), f"never occurs counting from {settings.starts}")


def load_schedules(
    located: Located, *, base: Path_ = ("schedules",), branch_ids: Collection[str] | None = None
) -> tuple[ScheduleSettings | None, list[Problem]]:
    """Validate the section at ``base`` of a parsed file: the settings and every problem
    (pydantic's and ``schedule_problems``'); the settings are None when pydantic refused."""
    data: Any = located.data if isinstance(located.data, dict) else {}
    for key in base:
        data = data.get(key) if isinstance(data, dict) else None
    try:
        settings = ScheduleSettings.model_validate(data if data is not None else {})
    except ValidationError as error:
        return None, sorted(validation_problems(located, error, base))
    return settings, schedule_problems(located, settings, base=base, branch_ids=branch_ids)

"""Occurrences: what a schedule says happens when, as immutable values with stable keys.

An occurrence is one event (a theme day, study day or meeting), one reminder of an event, one
monthly quiz nudge, or one 政治生日 greeting or notice. Its ``key`` names it for good, so that an
outbox can write each occurrence's deliveries once under ``(key, recipient)`` and a restart, a
config reload or a second computation of the same window finds the same keys.

Key formats (``/`` cannot appear in branch ids, meeting names or offsets):

* event — ``<rule_key>/<branch>/<rule date>``: ``theme_day/zb-001/2026-10-05``;
* reminder — ``<event key>/<offset>``: ``theme_day/zb-001/2026-10-05/-1d@18:00``;
* quiz nudge — ``quiz_nudge/<branch>/<month>``: ``quiz_nudge/zb-001/2026-12``;
* 政治生日 greeting — ``political_birthday/member-<id>/<year>``:
  ``political_birthday/member-42/2027``;
* 政治生日 notice — ``<greeting key>/notice``: ``political_birthday/member-42/2027/notice``;
* 补课 — ``<event key>/makeup``: ``theme_day/zb-001/2026-10-05/makeup``.

``rule_key`` is ``theme_day``, ``study_day`` or ``meetings.<name>``. An event is keyed by its
*rule date* (the date the recurrence rule gives), not by the day it is held, so these never
change a key: the time, place, topic or title; the holiday policy, or a new chinese-calendar
release that moves the day; the branch's kind; spelling the same rule differently
(``每月第一个星期一`` and ``FREQ=MONTHLY;BYDAY=1MO``); restarts and reloads. A key changes only
when what it names changes: a rule that gives other dates (or ``starts`` moving an ``INTERVAL``
rule) gives other keys for those dates; a reminder whose offset changes (``-1d@18:00`` to
``-1d@19:00``) is a new reminder, already sent or not; a renamed meeting or branch id is a new
one. The quiz nudge is keyed by month, so changing ``days_before_month_end`` or its time never
sends a month's nudge twice; a greeting and its notice are keyed by member and year, not by
branch, so a member who moves branch is not greeted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from bot.schedule.holidays import Adjustment, HolidayNote


class OccurrenceKind(StrEnum):
    THEME_DAY = "theme_day"
    STUDY_DAY = "study_day"
    MEETING = "meeting"
    REMINDER = "reminder"
    QUIZ_NUDGE = "quiz_nudge"
    POLITICAL_BIRTHDAY = "political_birthday"
    BIRTHDAY_NOTICE = "birthday_notice"
    MAKEUP = "makeup"
    """补课: the topic and study material sent after an event to those on leave or absent."""


EVENT_KINDS = frozenset(
    {OccurrenceKind.THEME_DAY, OccurrenceKind.STUDY_DAY, OccurrenceKind.MEETING}
)


@dataclass(frozen=True)
class Occurrence:
    """One thing due at one instant. Fields that do not apply to a kind are left empty.

    ``occurs_at`` is aware and in UTC. ``rule_date`` is the local date the rule gave for the
    event this is about (a reminder's or a notice's is its parent's; a nudge's is its own day).
    ``parent`` is the event of a reminder and the greeting of a notice. ``holiday`` is set when
    the holiday calendar had a say; a skipped event keeps ``occurs_at`` at its rule date.
    """

    kind: OccurrenceKind
    rule_key: str
    branch_id: str
    occurs_at: datetime
    rule_date: date
    title: str = ""
    place: str = ""
    topic: str = ""
    holiday: HolidayNote | None = None
    parent: Occurrence | None = None
    offset: str | None = None
    """A reminder's offset, canonical (``-1d@18:00``)."""
    member_id: int | None = None
    """政治生日: the member (``bot.org.members.Member.id``)."""
    years: int | None = None
    """政治生日: whole years since joining the Party on the greeting's day (入党 N 周年)."""

    @property
    def key(self) -> str:
        """The stable unique key; see the module docstring for when it changes."""
        if self.parent is not None:
            suffix = {
                OccurrenceKind.BIRTHDAY_NOTICE: "notice",
                OccurrenceKind.MAKEUP: "makeup",
            }.get(self.kind, self.offset)
            return f"{self.parent.key}/{suffix}"
        if self.kind is OccurrenceKind.QUIZ_NUDGE:
            return f"quiz_nudge/{self.branch_id}/{self.rule_date:%Y-%m}"
        if self.kind is OccurrenceKind.POLITICAL_BIRTHDAY:
            return f"political_birthday/member-{self.member_id}/{self.rule_date.year}"
        return f"{self.rule_key}/{self.branch_id}/{self.rule_date.isoformat()}"

    def for_branch(self, branch_id: str) -> Occurrence:
        """The same occurrence for another branch with the same settings."""
        parent = None if self.parent is None else self.parent.for_branch(branch_id)
        return replace(self, branch_id=branch_id, parent=parent)

    @property
    def skipped(self) -> bool:
        """True for an event the holiday policy cancels (shown, never delivered)."""
        return self.holiday is not None and self.holiday.adjustment in (
            Adjustment.SKIPPED,
            Adjustment.MERGED,
        )

    @property
    def event(self) -> Occurrence:
        """What this is about: the parent of a reminder or notice, else itself."""
        return self.parent or self

"""Times of day and reminder offsets as written in config.yaml.

A time is ``HH:MM`` (24-hour; a full-width colon ``：`` is accepted too). A reminder offset says
when a reminder goes out relative to its event, in one of two forms:

* **a day and a time** — ``-1d@18:00`` (the day before, at 18:00 local time), ``0d@08:00`` (the
  event's day at 08:00), ``+1d@09:00`` (the day after). Days are calendar days in the configured
  time zone, so the reminder keeps its wall-clock time across a DST change. −31..+31 days.
* **a duration from the start** — ``-2h``, ``-30m``, ``-1h30m`` before the event starts, ``+1h``
  after it, ``0m`` at the start. Up to 72 hours either way; measured in real elapsed time.

A nonzero offset must carry its sign, because ``2h`` could mean either side of the event.
``str(offset)`` is the canonical spelling (``-90m`` prints as ``-1h30m``); it is part of a
reminder's stable key (see ``bot/schedule/occurrences.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_OFFSET_DAYS = 31
MAX_OFFSET_MINUTES = 72 * 60

_CLOCK = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_DAY_OFFSET = re.compile(r"^([+-]?)(\d{1,3})d@(.*)$")
_DURATION = re.compile(r"^([+-]?)(?:(\d{1,4})h)?(?:(\d{1,5})m)?$")


class NotationError(ValueError):
    """A time or an offset that cannot be read; the message says what is expected."""


def parse_clock(text: str) -> time:
    """``"18:00"`` -> ``time(18, 0)``."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise NotationError(f"{text!r} is not a time of day HH:MM (e.g. 09:00)")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise NotationError(f"{text!r} is not a time of day (00:00..23:59)")
    return time(hour, minute)


def format_clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True)
class DayOffset:
    """``days`` calendar days from the event's local date, at local time ``at``."""

    days: int
    at: time

    def __str__(self) -> str:
        sign = "+" if self.days > 0 else ""
        return f"{sign}{self.days}d@{format_clock(self.at)}"

    def moment(self, event_day: date, event_at: datetime, zone: ZoneInfo) -> datetime:
        """The reminder's instant (UTC) for an event on local ``event_day``."""
        day = event_day + timedelta(days=self.days)
        return datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Lead:
    """``minutes`` of elapsed time from the event's start; negative is before it."""

    minutes: int

    def __str__(self) -> str:
        if self.minutes == 0:
            return "0m"
        hours, minutes = divmod(abs(self.minutes), 60)
        text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
        return ("-" if self.minutes < 0 else "+") + text

    def moment(self, event_day: date, event_at: datetime, zone: ZoneInfo) -> datetime:
        """The reminder's instant (UTC) for an event starting at ``event_at``."""
        return (event_at + timedelta(minutes=self.minutes)).astimezone(UTC)


Offset = DayOffset | Lead


def parse_offset(text: str) -> Offset:
    """``"-1d@18:00"``, ``"0d@08:00"``, ``"-2h"``, ``"-1h30m"``, ``"+1d@09:00"``, ``"0m"``."""
    compact = text.strip().lower()
    if match := _DAY_OFFSET.match(compact):
        sign, digits, clock = match.groups()
        days = int(digits) * (-1 if sign == "-" else 1)
        if days and not sign:
            raise NotationError(f"{text!r}: write -{days}d@… for before or +{days}d@… for after")
        if abs(days) > MAX_OFFSET_DAYS:
            raise NotationError(f"{text!r}: at most {MAX_OFFSET_DAYS} days either way")
        try:
            at = parse_clock(clock)
        except NotationError:
            message = f"{text!r}: after @ comes a time HH:MM (e.g. -1d@18:00)"
            raise NotationError(message) from None
        return DayOffset(days, at)
    match = _DURATION.match(compact)
    if match is None or not (match.group(2) or match.group(3)):
        raise NotationError(
            f"{text!r} is not a reminder offset (e.g. -1d@18:00, 0d@08:00, -2h, -30m)"
        )
    sign, hours, minutes = match.groups()
    total = int(hours or 0) * 60 + int(minutes or 0)
    if total and not sign:
        raise NotationError(f"{text!r}: write -… for before the start or +… for after it")
    if total > MAX_OFFSET_MINUTES:
        raise NotationError(f"{text!r}: at most {MAX_OFFSET_MINUTES // 60} hours either way")
    return Lead(-total if sign == "-" else total)

"""Helpers for the schedule tests: zones, instants, and a holiday calendar with chosen days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.schedule import UnknownYearError

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def at(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """A local wall-clock time in ``zone`` as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class FakeCalendar:
    """Holidays by hand, for cases the real calendar cannot show (a year it does not know)."""

    holidays: dict[date, str] = field(default_factory=dict)
    years: range = range(2026, 2027)

    @property
    def known_years(self) -> range:
        return self.years

    def holiday(self, day: date) -> str | None:
        self._check(day)
        return self.holidays.get(day)

    def is_workday(self, day: date) -> bool:
        self._check(day)
        return day.weekday() < 5 and day not in self.holidays

    def _check(self, day: date) -> None:
        if day.year not in self.years:
            raise UnknownYearError(f"no data for {day.year}")

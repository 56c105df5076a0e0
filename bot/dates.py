"""Calendar dates as people type them, with a reason when a date cannot be taken.

Accepted (spaces ignored, full-width digits and punctuation as their ASCII forms):
``1990-07-01``, ``1990/7/1``, ``1990.7.1`` (one separator throughout), ``1990年7月1日`` (or
``1日`` written ``1号``, or no day mark at all) and ``19900701``. A date that has the right shape
but is not on the calendar (``1990-13-01``, ``1990-02-30``) and a date after today are refused
with their own reason, so the reply can say what is wrong instead of repeating the usage line.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DateProblem(StrEnum):
    FORM = "form"
    """Not a date in any accepted form."""
    MONTH = "month"
    """The month is not 1–12."""
    DAY = "day"
    """The month has no such day (``days_in_month`` says how many it has)."""
    FUTURE = "future"
    """A real date, but after today."""


@dataclass(frozen=True)
class DateRefusal:
    problem: DateProblem
    year: int = 0
    month: int = 0
    day: int = 0

    @property
    def days_in_month(self) -> int:
        """How many days the typed month has (only meaningful for ``DateProblem.DAY``)."""
        return calendar.monthrange(self.year, self.month)[1] if 1 <= self.month <= 12 else 0


MAX_LENGTH = 40
"""Longer input is not a date; nothing longer is matched against the patterns."""

_FORMS = (
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    re.compile(r"([0-9]{4})()年([0-9]{1,2})月([0-9]{1,2})[日号]?"),
    re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})"),
)


def parse_date(text: str, today: date) -> date | DateRefusal:
    """The date in ``text``, or why it is not one that can be taken (never an exception)."""
    if len(text) > MAX_LENGTH:
        return DateRefusal(DateProblem.FORM)
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    found = next((m for m in (form.fullmatch(compact) for form in _FORMS) if m), None)
    if found is None:
        return DateRefusal(DateProblem.FORM)
    year, month, day = int(found[1]), int(found[3]), int(found[4])
    if year == 0:
        return DateRefusal(DateProblem.FORM)
    if not 1 <= month <= 12:
        return DateRefusal(DateProblem.MONTH, year, month, day)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return DateRefusal(DateProblem.DAY, year, month, day)
    typed = date(year, month, day)
    if typed > today:
        return DateRefusal(DateProblem.FUTURE, year, month, day)
    return typed

"""Callback data of the quiz keyboards: ``quiz:<action>:<session>:<position>[:<option>]``.

Callback data comes back from clients and can be forged, so parsing is strict and total:
anything that is not exactly what the bot would have written parses to None.
"""

from __future__ import annotations

import re

from bot.quiz.session import Tap, TapAction

MAX_CALLBACK_BYTES = 64
_PATTERN = re.compile(r"quiz:(answer|toggle|submit):([1-9][0-9]{0,17}):([0-9]{1,2})(?::([0-7]))?")


def quiz_data(tap: Tap) -> str:
    parts = ["quiz", tap.action.value, str(tap.session_id), str(tap.position)]
    if tap.option is not None:
        parts.append(str(tap.option))
    return ":".join(parts)


def parse_quiz_data(data: object) -> Tap | None:
    if not isinstance(data, str) or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    match = _PATTERN.fullmatch(data)
    if match is None:
        return None
    action = TapAction(match.group(1))
    option = int(match.group(4)) if match.group(4) is not None else None
    if (action is TapAction.SUBMIT) != (option is None):
        return None
    return Tap(int(match.group(2)), int(match.group(3)), action, option)

"""The list of messages every locale must provide."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    # Commands, as shown in /help and in Telegram's command menu.
    command_start: str
    command_quiz: str
    command_me: str
    command_cancel: str
    command_rules: str
    command_help: str

    start: str
    help_header: str
    help_footer: str
    unknown: str
    private_only: str
    error: str

    rules_header: str
    rules_points: str
    rules_multiple: str
    rules_pass: str
    rules_time_limit: str
    rules_no_time_limit: str
    rules_footer: str

    type_single: str
    type_multiple: str
    type_judge: str
    question: str
    multiple_hint: str
    submit: str
    ticked: str
    unticked: str

    right: str
    wrong: str
    timed_out: str
    your_answer: str
    correct_answer: str
    explanation: str
    source: str

    resumed: str
    summary: str
    summary_full_marks: str
    summary_passed: str
    summary_failed: str
    summary_missed_header: str
    summary_missed_item: str
    summary_again: str
    duration_minutes: str
    duration_seconds: str

    cancelled: str
    nothing_to_cancel: str
    outdated: str

    tap_stale: str
    tap_not_yours: str
    tap_nothing_selected: str
    tap_invalid: str

    me_empty: str
    me: str
    me_recent_item: str

"""The list of messages every locale must provide, and the few formats built from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.stats.periods import Period, Span


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
    quote: str
    """Shown instead of 解析 for a question that has none (public banks): the quoted line."""
    citation: str
    next_button: str
    finish_button: str

    command_keyboard: str
    key_quiz: str
    key_topics: str
    key_me: str
    key_themeday: str
    key_hide: str
    keyboard_shown: str
    keyboard_hidden: str
    help_group_footer: str

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
    tap_private_only: str
    tap_refused: str
    input_expired: str

    me_empty: str
    me: str
    me_recent_item: str

    command_stats: str
    command_hardest: str
    command_ranking: str
    command_invite: str
    command_transfer: str
    command_bindgroup: str
    command_promote: str
    command_demote: str
    refused_member: str
    refused_secretary: str
    refused_general_secretary: str
    refused_admin: str
    choose_branch: str
    period_usage: str
    invite_usage: str
    invite_link: str
    invite_expires: str
    invite_no_expiry: str
    invites_revoked: str
    join_ask_name: str
    join_bad_name: str
    joined: str
    join_invalid: str
    join_expired: str
    join_revoked: str
    join_already: str
    transfer_usage: str
    transfer_not_found: str
    transfer_ambiguous: str
    transferred: str
    promote_usage: str
    promoted: str
    demoted: str
    demote_nothing: str
    bindgroup_in_group: str
    group_bound: str
    stats_title: str
    stats_members: str
    stats_rate: str
    stats_scores: str
    stats_previous_average: str
    stats_rank: str
    stats_unreachable: str
    stats_not_yet: str
    stats_everyone: str
    and_more: str
    change_up: str
    change_down: str
    change_none: str
    ranking_title: str
    ranking_item: str
    ranking_more: str
    ranking_empty: str
    hardest_title: str
    hardest_item: str
    hardest_footer: str
    me_standing: str
    command_leaderboard: str
    leaderboard_title: str
    leaderboard_line: str
    leaderboard_empty: str
    leaderboard_footer: str
    leaderboard_off: str
    leaderboard_unbound: str
    me_branch: str
    command_chart: str
    command_export: str
    chart_months_title: str
    chart_branches_title: str
    chart_unavailable: str
    export_working: str
    export_caption: str
    command_broadcast: str
    broadcast_ask: str
    broadcast_too_long: str
    broadcast_preview: str
    broadcast_confirm: str
    broadcast_cancel: str
    broadcast_cancelled: str
    broadcast_waiting_confirm: str
    broadcast_progress: str
    broadcast_done: str
    broadcast_failed_names: str
    input_cancelled: str
    command_attendance: str
    rsvp_yes: str
    rsvp_leave: str
    rsvp_recorded: str
    rsvp_ask_reason: str
    rsvp_leave_recorded: str
    rsvp_leave_recorded_meeting: str
    """请假 recorded for a meeting called in the chat, which has no 补课 to promise."""
    rsvp_past: str
    leave_trip: str
    leave_ill: str
    leave_work: str
    rsvp_state_yes: str
    rsvp_state_leave: str
    rsvp_change_to_leave: str
    rsvp_change_to_yes: str
    themeday_when: str
    themeday_place: str
    themeday_topic: str
    themeday_reminder: str
    attendance_usage: str
    attendance_none: str
    attendance_title: str
    attendance_coming: str
    attendance_leave: str
    attendance_no_reply: str
    attendance_unreachable: str
    attendance_present: str
    signed_proxy: str
    signed_late: str
    # Sign-in at the meeting (签到, 代签, 补签) and 补课.
    command_signin: str
    meeting_title_default: str
    meeting_with_topic: str
    signin_ask_code: str
    signin_not_a_code: str
    signin_done: str
    signin_refused_not_yet: str
    signin_refused_ended: str
    signin_refused_no_meeting: str
    signin_refused_cancelled: str
    signin_refused_not_member: str
    signin_refused_other_branch: str
    signin_refused_not_invited: str
    signin_refused_wrong_code: str
    signin_refused_bad_link: str
    signin_refused_too_many: str
    signin_refused_already: str
    signin_no_meeting: str
    signin_not_yet: str
    signin_open_ended: str
    signin_caption: str
    signin_board: str
    signin_board_nobody: str
    signin_proxy_button: str
    signin_late_button: str
    signin_open_button: str
    signin_proxy_title: str
    signin_late_title: str
    signin_proxy_all_signed: str
    signin_search_button: str
    signin_search_ask: str
    signin_search_none: str
    signin_search_title: str
    proxy_sign_button: str
    late_sign_button: str
    tap_signed_proxy: str
    tap_signed_late: str
    attendance_proxy_button: str
    attendance_late_button: str
    attendance_studied: str
    themeday_signin_button: str
    themeday_makeup_line: str
    makeup_text: str
    makeup_material: str
    makeup_done_button: str
    makeup_done: str
    tap_makeup_recorded: str
    tap_makeup_already: str
    nudge_button: str
    nudge_text: str
    nudge_already: str
    stats_attendance: str
    ranking_attendance: str
    topic_pick: str
    topic_document: str
    topic_all: str
    command_corrections: str
    correction_button: str
    correction_ask: str
    correction_thanks: str
    corrections_none: str
    corrections_title: str
    corrections_item: str
    corrections_gone: str
    corrections_close: str
    corrections_closed: str
    command_joindate: str
    joindate_saved: str
    event_reminder: str
    birthday_greeting: str
    birthday_notice: str
    command_themeday: str
    themeday_title: str
    themeday_none: str
    no_branch: str
    themeday_moved: str
    themeday_reminder_group: str
    themeday_open_private: str
    themeday_from_group: str
    themeday_see_you: str
    themeday_on_leave_today: str
    themeday_speaker: str
    themeday_agenda: str
    themeday_cancelled_mark: str
    themeday_manage_hint: str
    themeday_manage_button: str
    themeday_manage_title: str
    themeday_set_topic: str
    themeday_set_place: str
    themeday_set_agenda: str
    themeday_set_speaker: str
    themeday_set_material: str
    themeday_cancel_button: str
    themeday_detail_topic: str
    themeday_detail_place: str
    themeday_detail_agenda: str
    themeday_detail_speaker: str
    themeday_detail_material: str
    themeday_ask_detail: str
    themeday_too_long: str
    themeday_preview: str
    themeday_ask_cancel_reason: str
    themeday_cancel_preview: str
    themeday_confirm: str
    themeday_discard: str
    themeday_saved: str
    themeday_saved_material: str
    themeday_cancel_done: str
    themeday_discarded: str
    themeday_waiting_confirm: str
    themeday_edit_past: str
    themeday_edit_cancelled: str
    themeday_cancelled_notice: str
    unit_unknown: str
    bindgroup_not_group_admin: str
    group_bound_elsewhere: str
    invite_approval_on: str
    invite_approval_off: str
    join_next_approval: str
    join_next_direct: str
    join_waiting: str
    join_request_notice: str
    join_approve: str
    request_reject: str
    join_rejected: str
    join_approved_notice: str
    join_rejected_notice: str
    joined_notice: str
    left_notice: str
    request_decided: str
    request_gone: str
    command_name: str
    name_usage: str
    name_same: str
    name_requested: str
    rename_request_notice: str
    rename_approve: str
    rename_approved: str
    rename_rejected: str
    rename_approved_notice: str
    rename_rejected_notice: str
    correction_pending: str
    correction_notice: str
    correction_reply_ask: str
    correction_replied: str
    correction_nothing_to_close: str
    broadcast_sender: str
    secretary_role: str
    broadcast_confirm_ack: str
    broadcast_ack_button: str
    broadcast_acked: str
    broadcast_acked_again: str
    acks_button: str
    acks_summary: str
    acks_waiting: str
    acks_done: str
    acks_resend: str
    acks_refresh: str
    acks_nobody_left: str
    # 党员减少 and membership over time.
    command_depart: str
    depart_usage: str
    departed: str
    depart_too_early: str
    departure_expelled: str
    departure_died: str
    departure_moved_out: str
    # Statistics at every level: units, members, scope.
    command_units: str
    command_members: str
    scope_unknown: str
    scope_not_allowed: str
    stats_scores_unit: str
    stats_children: str
    stats_children_more: str
    ranking_mine: str
    units_title: str
    units_line: str
    units_more: str
    units_footer: str
    units_none: str
    units_none_at_all: str
    members_title: str
    members_line: str
    members_active: str
    members_no_activity: str
    members_never: str
    members_more: str
    members_none: str
    members_empty: str
    # Honest comparisons.
    stats_rate_same_time: str
    stats_previous_average_same_time: str
    stats_unranked: str
    ranking_idle: str
    hardest_threshold: str
    hardest_too_few: str
    # One member's record for their secretary.
    command_member: str
    member_usage: str
    member_title: str
    member_no_quiz: str
    member_quiz: str
    member_missed_header: str
    member_missed: str
    command_status: str
    status_sender: str
    status_sender_stuck: str
    status_sender_never: str
    truncated: str
    page_of: str
    page_previous: str
    page_next: str
    text_too_long: str
    transfer_member_notice: str
    transfer_secretary_notice: str
    transfer_requested: str
    transfer_withdraw_button: str
    transfer_request_notice: str
    transfer_accept: str
    transfer_decline: str
    transfer_accepted_notice: str
    transfer_declined_notice: str
    transfer_declined: str
    transfer_withdrawn_notice: str
    transfer_withdrawn: str
    transfer_duplicate: str
    transfer_no_receiver: str
    transfer_closed_accepted: str
    transfer_closed_declined: str
    transfer_closed_withdrawn: str
    transfer_closed_expired: str
    transfer_closed_void: str

    # Dates, weekdays and periods as this locale writes them: code never formats a date or a
    # period itself, so another locale changes them here (see the methods below).
    date_long: str
    list_separator: str
    judge_true: str
    judge_false: str
    date_month_day: str
    weekdays: str
    """Monday first, comma-separated."""
    period_month: str
    period_quarter: str
    period_year: str
    period_range: str
    """Months of one year: 2026年9月至11月."""
    period_range_years: str
    """Months across a new year: 2026年11月至2027年2月."""
    period_example: str
    """The period word used in usage examples (``/stats 本月 …``)."""

    # The /joindate conversation and the date parser's refusals (bot/dates.py).
    joindate_ask: str
    joindate_too_early: str
    date_form: str
    date_bad_month: str
    date_bad_day: str
    date_future: str
    date_hint: str

    # Chart and ledger labels (drawn and written in the report worker).
    chart_rate_axis: str
    chart_month: str
    chart_average: str
    ledger_file: str
    ledger_sheet_summary: str
    ledger_sheet_members: str
    ledger_sheet_answers: str
    ledger_sheet_items: str
    ledger_branch_id: str
    ledger_branch_name: str
    ledger_parent: str
    ledger_members: str
    ledger_participants: str
    ledger_rate: str
    ledger_quizzes: str
    ledger_average: str
    ledger_median: str
    ledger_unreachable: str
    ledger_theme_days: str
    ledger_attendance: str
    ledger_branch: str
    ledger_name: str
    ledger_member_id: str
    ledger_best: str
    ledger_last_quiz: str
    ledger_status: str
    ledger_answered_at: str
    ledger_question_id: str
    ledger_source: str
    ledger_correct: str
    ledger_seconds: str
    ledger_stem: str
    ledger_attempts: str
    ledger_right: str
    ledger_facility: str
    ledger_discrimination: str
    ledger_summary_note: str
    ledger_items_note: str
    ledger_truncated: str
    ledger_status_ok: str
    ledger_status_never: str
    ledger_status_blocked: str
    ledger_yes: str
    ledger_title: str
    ledger_heading: str
    ledger_days: str
    ledger_days_open: str
    ledger_footer: str
    ledger_page: str
    ledger_rank: str
    ledger_unranked: str
    ledger_total: str
    ledger_total_branches: str
    ledger_pinyin: str
    ledger_joined: str
    ledger_studied: str
    ledger_studied_yes: str
    ledger_studied_no: str
    ledger_pinyin_note: str
    ledger_sheet_options: str
    ledger_option: str
    ledger_option_text: str
    ledger_key: str
    ledger_chosen: str
    ledger_share: str
    ledger_remark: str
    ledger_worst: str
    ledger_options_note: str
    ledger_no: str

    # One text per situation (issue 14's words pass).
    comrade: str
    """How a member is addressed: ``{name}同志``; see ``address``."""
    demote_usage: str
    promoted_admin: str
    demoted_admin: str
    demote_nothing_admin: str
    stats_note: str
    attendance_note: str
    unknown_command: str
    unknown_command_plain: str
    quiz_use_buttons: str
    start_next: str

    def address(self, name: str) -> str:
        """``name`` with the form of address, once: 张三 → 张三同志, 新同志 stays 新同志."""
        bare = self.comrade.format(name="")
        return name if name.endswith(bare) else self.comrade.format(name=name)

    def long_date(self, day: date) -> str:
        return self.date_long.format(year=day.year, month=day.month, day=day.day)

    def month_day(self, day: date) -> str:
        return self.date_month_day.format(month=day.month, day=day.day)

    def weekday(self, day: date) -> str:
        return self.weekdays.split(",")[day.weekday()]

    def period(self, period: Period) -> str:
        """A period as people say it (2026年11月, 2026年第4季度, 2026年, 2026年9月至11月)."""
        if period.span is Span.RANGE:
            last = period.months()[-1]
            if last.year == period.year:
                return self.period_range.format(
                    year=period.year, month=period.index, last_month=last.index
                )
            return self.period_range_years.format(
                year=period.year, month=period.index, last_year=last.year, last_month=last.index
            )
        if period.span is Span.MONTH:
            return self.period_month.format(year=period.year, month=period.index)
        if period.span is Span.QUARTER:
            return self.period_quarter.format(year=period.year, quarter=period.index)
        return self.period_year.format(year=period.year)

    admin_title: str
    invite_for_good: str

    # Meetings moved or organised in the chat, their records, 三会一课 against the quota.
    command_meeting: str
    themeday_when_short: str
    themeday_other_meetings: str
    themeday_other_kind: str
    themeday_move_button: str
    themeday_ask_move_when: str
    themeday_ask_move_reason: str
    themeday_move_same: str
    themeday_move_preview: str
    themeday_move_done: str
    meeting_moved_notice: str
    when_form: str
    when_month: str
    when_day: str
    when_time: str
    when_past: str
    when_no_time: str
    meeting_kind_theme_day: str
    meeting_kind_members: str
    meeting_kind_committee: str
    meeting_kind_group: str
    meeting_kind_lecture: str
    meeting_new_word: str
    meeting_none_word: str
    meeting_choose_kind: str
    meeting_ask_when: str
    meeting_ask_topic: str
    meeting_ask_place: str
    meeting_ask_speaker: str
    meeting_new_preview: str
    meeting_audience_branch: str
    meeting_audience_committee: str
    meeting_created: str
    meeting_notice: str
    meeting_reminder: str
    meeting_list_title: str
    meeting_list_coming: str
    meeting_list_held: str
    meeting_list_none: str
    meeting_list_line: str
    meeting_list_hint: str
    meeting_edit_button: str
    meeting_record_button: str
    meeting_quota_item: str
    meeting_quota_separator: str
    stats_meetings_title: str
    stats_meetings_window: str
    stats_meetings_all_done: str
    stats_meetings_behind: str
    stats_meetings_behind_line: str
    stats_meetings_behind_more: str
    record_title: str
    record_minutes_none: str
    record_state_open: str
    record_state_closed: str
    record_minutes_button: str
    record_photos_button: str
    record_show_button: str
    record_sign_button: str
    record_close_button: str
    record_done_button: str
    record_ask_minutes: str
    record_minutes_saved: str
    record_ask_photos: str
    record_photos_waiting: str
    record_photo_kept: str
    record_photo_again: str
    record_photo_too_large: str
    record_photo_full: str
    record_photos_done: str
    record_no_photos: str
    record_close_preview: str
    record_closed: str
    record_is_closed: str
    record_not_held: str
    ledger_sheet_meetings: str
    ledger_meeting_time: str
    ledger_meeting_kind: str
    ledger_meeting_topic: str
    ledger_meeting_place: str
    ledger_expected: str
    ledger_present: str
    ledger_leave: str
    ledger_absent: str
    ledger_makeup: str
    ledger_photos: str
    ledger_minutes: str
    ledger_meetings_note: str

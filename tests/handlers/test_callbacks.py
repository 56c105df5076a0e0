"""Callback data is user input: every codec's unpack is total, strict and canonical, and what
the bot packs unpacks back to the same value and fits a button."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.handlers.callbacks import (
    ACK,
    ACKS,
    BROADCAST,
    CLOSE_CORRECTION,
    CORRECTIONS_PAGE,
    FIX,
    LEAVE_CHOICE,
    MAX_CALLBACK_BYTES,
    MEET,
    MEET_CONFIRM,
    MEETING_KIND,
    MEMBERS_PAGE,
    NEXT,
    NUDGE,
    PROXY,
    QUIZ,
    RECORD,
    REQUEST,
    RSVP,
    SIGN,
    SIGNIN,
    STUDIED,
    TOPIC,
    TRANSFER,
    AcksTap,
    AckTap,
    BroadcastTap,
    CloseTap,
    Codec,
    FixTap,
    LeaveChoiceTap,
    MeetConfirmTap,
    MeetingKindTap,
    MeetTap,
    MembersPageTap,
    NextTap,
    NudgeTap,
    PageTap,
    ProxyTap,
    RecordTap,
    RequestTap,
    RsvpTap,
    SigninTap,
    SignTap,
    StudiedTap,
    TopicTap,
    TransferTap,
)
from bot.handlers.registry import BUTTONS
from bot.org.transfers import TransferAction
from bot.quiz.session import Tap, TapAction
from bot.stats.periods import Period, Span

ROW_ID = st.integers(1, 10**18 - 1)
SMALL = st.integers(0, 99)
NAME = st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True)


def _period(span: Span, year: int, month: int, quarter: int) -> Period:
    index = {Span.MONTH: month, Span.QUARTER: quarter, Span.YEAR: 1}[span]
    return Period(span, year, index)


# A run of months (Span.RANGE) gets no 提醒未参学 button, so the codec never carries one.
PERIOD = st.builds(
    _period, st.sampled_from([Span.MONTH, Span.QUARTER, Span.YEAR]), st.integers(1000, 9999),
    st.integers(1, 12), st.integers(1, 4),
)  # fmt: skip

VALUES: dict[str, tuple[Codec[Any], st.SearchStrategy[Any]]] = {
    "quiz": (
        QUIZ,
        st.builds(
            lambda session, position, action, option: Tap(
                session, position, action, None if action is TapAction.SUBMIT else option
            ),
            ROW_ID,
            SMALL,
            st.sampled_from(list(TapAction)),
            st.integers(0, 7),
        ),
    ),
    "next": (NEXT, st.builds(NextTap, ROW_ID, SMALL)),
    "topic": (
        TOPIC,
        st.builds(TopicTap, SMALL, st.one_of(st.none(), st.just("all"), SMALL)),
    ),
    "fix": (FIX, st.builds(FixTap, ROW_ID, SMALL)),
    "fixdone": (CLOSE_CORRECTION, st.builds(CloseTap, NAME)),
    "fixpage": (CORRECTIONS_PAGE, st.builds(PageTap, st.integers(0, 9999))),
    "broadcast": (
        BROADCAST,
        st.one_of(
            st.builds(BroadcastTap, st.booleans(), ROW_ID),
            st.builds(BroadcastTap, st.just(True), ROW_ID, st.just(True)),
        ),
    ),
    "ack": (ACK, st.builds(AckTap, ROW_ID)),
    "acks": (ACKS, st.builds(AcksTap, ROW_ID, st.booleans())),
    "mempage": (MEMBERS_PAGE, st.builds(MembersPageTap, NAME, st.integers(0, 9999))),
    "rsvp": (RSVP, st.builds(RsvpTap, ROW_ID, st.sampled_from(["yes", "leave"]))),
    "nudge": (NUDGE, st.builds(NudgeTap, NAME, PERIOD)),
    "sign": (SIGN, st.builds(SignTap, ROW_ID, ROW_ID, st.integers(0, 9999))),
    "signin": (SIGNIN, st.builds(SigninTap, ROW_ID)),
    "proxy": (PROXY, st.builds(ProxyTap, ROW_ID, st.one_of(st.none(), st.integers(0, 9999)))),
    "studied": (STUDIED, st.builds(StudiedTap, ROW_ID)),
    "meet": (
        MEET,
        st.builds(
            MeetTap,
            ROW_ID,
            st.sampled_from(
                ["open", "topic", "place", "agenda", "speaker", "material", "move", "cancel"]
            ),
        ),
    ),
    "leave": (
        LEAVE_CHOICE,
        st.builds(LeaveChoiceTap, ROW_ID, st.sampled_from(["trip", "ill", "work"])),
    ),
    "meetok": (MEET_CONFIRM, st.builds(MeetConfirmTap, st.booleans(), ROW_ID)),
    "request": (REQUEST, st.builds(RequestTap, ROW_ID, st.booleans())),
    "transfer": (TRANSFER, st.builds(TransferTap, ROW_ID, st.sampled_from(TransferAction))),
    "mkind": (
        MEETING_KIND,
        st.builds(
            MeetingKindTap,
            NAME,
            st.sampled_from(
                ["member_meeting", "committee_meeting", "group_meeting", "party_lecture"]
            ),
        ),
    ),
    "rec": (
        RECORD,
        st.builds(
            RecordTap,
            ROW_ID,
            st.sampled_from(["open", "minutes", "photos", "done", "show", "close"]),
        ),
    ),
}


def test_every_registered_prefix_has_its_properties_tested() -> None:
    assert sorted(VALUES) == sorted(button.codec.prefix for button in BUTTONS)
    assert {codec.prefix for codec, _ in VALUES.values()} == set(VALUES)


def _near(prefix: str) -> st.SearchStrategy[str]:
    """Data that looks like the prefix's: the prefix, then random fields made of the pieces
    real data is built from (digits, colons, words), plus a few foreign characters."""
    piece = st.one_of(
        st.from_regex(r"-?[0-9]{1,22}", fullmatch=True),
        st.sampled_from(
            ["answer", "toggle", "submit", "all", "send", "cancel", "yes", "leave", "accept"]
        ),
        st.sampled_from(["²", "١", "0x1", " 1", "1 ", "+1", "", "Q4", "2026-13", "zb-1"]),
        NAME,
    )
    return st.lists(piece, max_size=5).map(lambda parts: ":".join([prefix, *parts]))


@pytest.mark.parametrize("prefix", sorted(VALUES))
@given(data=st.data())
def test_any_input_is_a_value_or_a_clean_refusal(prefix: str, data: st.DataObject) -> None:
    """Random bytes, text, other types and near misses: never an exception, and whatever is
    accepted is exactly what pack writes for it (one spelling per value)."""
    codec, _ = VALUES[prefix]
    raw = data.draw(
        st.one_of(
            st.binary(max_size=80),
            st.text(max_size=80),
            st.none(),
            st.integers(),
            _near(prefix),
        )
    )
    value = codec.unpack(raw)
    if value is not None:
        assert codec.pack(value) == raw


@pytest.mark.parametrize("prefix", sorted(VALUES))
@given(data=st.data())
def test_packed_data_round_trips_and_fits(prefix: str, data: st.DataObject) -> None:
    codec, values = VALUES[prefix]
    value = data.draw(values)
    packed = codec.pack(value)
    assert len(packed.encode()) <= MAX_CALLBACK_BYTES
    assert codec.unpack(packed) == value
    for _, (other, _) in VALUES.items():
        if other is not codec:
            assert other.unpack(packed) is None


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        (QUIZ, "quiz:answer:1:0"),
        (QUIZ, "quiz:submit:1:0:2"),
        (QUIZ, "quiz:answer:0:0:1"),
        (QUIZ, "quiz:answer:1:0:8"),
        (QUIZ, "quiz:answer:1:0:1:extra"),
        (QUIZ, "quiz:explode:1:0:1"),
        (QUIZ, " quiz:answer:1:0:1"),
        (QUIZ, "quiz:answer:01:0:1"),
        (QUIZ, "quiz:answer:1²:0:1"),
        (QUIZ, "quiz:answer:1234567890123456789:0:1"),
        (TOPIC, "topic:²"),
        (TOPIC, "topic:1:"),
        (TOPIC, "topic:1:100"),
        (TOPIC, "topic:-1"),
        (FIX, "fix:1"),
        (FIX, "fix:1:2:3"),
        (FIX, "fix:99999999999999999999:0"),
        (CLOSE_CORRECTION, "fixdone:"),
        (CLOSE_CORRECTION, "fixdone:dz 001"),
        (CLOSE_CORRECTION, "fixdone:" + "x" * 33),
        (BROADCAST, "broadcast:send"),
        (BROADCAST, "broadcast:send:0"),
        (BROADCAST, "broadcast:maybe:1"),
        (RSVP, "rsvp:1:no"),
        (RSVP, "rsvp:²:yes"),
        (NUDGE, "nudge:zb-1:2026-13"),
        (NUDGE, "nudge:zb-1:2026-Q5"),
        (NUDGE, "nudge:zb-1:26-11"),
        (NUDGE, "nudge:zb-1:2026-1"),
        (NUDGE, "nudge:zb 1:2026"),
        (SIGN, "sign:1:0"),
        (SIGN, "sign:1:²"),
        (SIGN, "sign:1:99999999999999999999"),
        (SIGN, "sign:1:2:0"),
        (SIGN, "sign:1:2:01"),
        (SIGN, "sign:1:2:10000"),
        (SIGNIN, "signin:0"),
        (SIGNIN, "signin:1:2"),
        (PROXY, "proxy:1"),
        (PROXY, "proxy:1:01"),
        (PROXY, "proxy:1:search"),
        (PROXY, "proxy:1:find:2"),
        (STUDIED, "studied:²"),
        (STUDIED, "studied:-1"),
        (LEAVE_CHOICE, "leave:1:other"),
        (LEAVE_CHOICE, "leave:0:ill"),
        (MEET, "meet:postpone:1"),
        (MEET, "meet:move:01"),
        (MEETING_KIND, "mkind:member_meeting:zb-1"),
        (MEETING_KIND, "mkind:lecture"),
        (MEETING_KIND, "mkind:lecture:zb 1"),
        (RECORD, "rec:open:0"),
        (RECORD, "rec:delete:1"),
        (RECORD, "rec:photos:1:2"),
        (MEET, "meet:topic:0"),
        (MEET, "meet:topic:²"),
        (MEET, "meet:topic"),
        (MEET_CONFIRM, "meetok:save:01"),
        (MEET_CONFIRM, "meetok:maybe:1"),
        (ACK, "ack:0"),
        (ACK, "ack:1:2"),
        (ACKS, "acks:1"),
        (ACKS, "acks:1:again"),
        (REQUEST, "request:1"),
        (REQUEST, "request:0:yes"),
        (REQUEST, "request:1:maybe"),
        (REQUEST, "request:1:yes:1"),
        (TRANSFER, "transfer:1"),
        (TRANSFER, "transfer:0:accept"),
        (TRANSFER, "transfer:01:accept"),
        (TRANSFER, "transfer:1:approve"),
        (TRANSFER, "transfer:1:Accept"),
        (TRANSFER, "transfer:²:withdraw"),
        (TRANSFER, "transfer:99999999999999999999:decline"),
        (TRANSFER, "transfer:1:decline:1"),
    ],
)
def test_near_misses_are_refused(codec: Codec[Any], data: str) -> None:
    assert codec.unpack(data) is None


def test_a_value_too_long_for_a_button_is_not_packed() -> None:
    with pytest.raises(ValueError):
        CLOSE_CORRECTION.pack(CloseTap("x" * 60))


def test_a_sign_button_of_an_older_sheet_still_reads() -> None:
    """``sign:<event>:<member>`` (before the 代签 list had pages) is page 0 of the list."""
    assert SIGN.unpack("sign:7:42") == SignTap(7, 42, 0)
    assert SIGN.pack(SignTap(7, 42, 0)) == "sign:7:42"
    assert SIGN.pack(SignTap(7, 42, 3)) == "sign:7:42:3"

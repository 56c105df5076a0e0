"""Numbers and unit ids typed by people (finding 13): ``str.isdigit`` took "²" and int() then
failed; a huge number overflowed SQLite; an unknown unit id silently meant the caller's own
branch, so ``/invite revoke zb-999`` revoked the caller's links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.numbers import ID_MAX, parse_id, parse_int, parse_telegram_id
from tests.e2e.conftest import ADMIN, SECRETARY_1, Harness, invite_link, person


@pytest.mark.parametrize("text", ["²", "５", "1²", "-1", "+1", " 1", "1 ", "", "1e3", "0x10"])
def test_only_ascii_digits_are_numbers(text: str) -> None:
    assert parse_id(text) is None


def test_numbers_are_range_checked() -> None:
    assert parse_id(str(ID_MAX)) == ID_MAX
    assert parse_id(str(ID_MAX + 1)) is None
    assert parse_id("9" * 400) is None
    assert parse_int("0", 1, 365) is None and parse_int("365", 1, 365) == 365
    assert parse_telegram_id("-1001234567890") == -1001234567890


@given(st.text(max_size=30))
def test_parse_id_is_total_and_exact(text: str) -> None:
    value = parse_id(text)
    if value is not None:
        assert str(value) == text.lstrip("0").rjust(1, "0") and 0 <= value <= ID_MAX


async def test_typed_numbers_and_unknown_units_are_refused_by_name(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        admin = await person(harness, "管理员", ADMIN)
        link = await invite_link(secretary)
        refused = await secretary.say("/invite revoke zb-999")
        assert "没有编号为 zb-999 的组织" in refused["text"]
        assert harness.rows("SELECT COUNT(*) FROM invites WHERE revoked_at IS NULL") == [(1,)]
        assert "没有编号为 zb-999 的组织" in (await secretary.say("/broadcast zb-999"))["text"]
        assert "没有编号为 zb-999 的组织" in (await secretary.say("/invite zb-999 7"))["text"]
        for days in ("²", "9" * 30, "0", "366"):
            reply = await secretary.say(f"/invite {days}")
            assert "用法" in reply["text"] or "/invite" in reply["text"], reply["text"]
        for user in ("²", "9" * 30):
            reply = await admin.say(f"/promote {user} zb-1")
            assert "用法" in reply["text"], reply["text"]
        assert link
    assert harness.rows("SELECT COUNT(*) FROM role_grants") == [(0,)]

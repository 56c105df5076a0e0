"""Command menus per scope, /help per chat, and the members' reply keyboard, through the
emulator (which refuses command lists Telegram would refuse, so every menu here is valid)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ADMIN, SECRETARY_1, Harness, person

MEMBER = ["quiz", "me", "cancel", "joindate", "name", "themeday", "leaderboard", "rules", "help"]
MEMBER += ["start", "keyboard"]
# Issue 13: members sign in at a meeting with its code (secretaries open sign-in with it).
MEMBER.insert(MEMBER.index("themeday") + 1, "signin")
GROUP = ["leaderboard", "rules", "help"]
SECRETARY = [*MEMBER, "stats", "hardest", "chart", "export", "broadcast", "attendance"]
SECRETARY += ["corrections", "invite", "transfer", "bindgroup"]
# Issue 12: a branch secretary sees their branch among its siblings (/ranking), the codes they
# may name (/units), their members (/members, /member) and records 党员减少 (/depart).
SECRETARY += ["ranking", "units", "members", "member", "depart"]
# Issue 13: 三会一课 organised and recorded in the chat (/meeting).
SECRETARY += ["meeting"]
ADMIN_ONLY = ["promote", "demote", "status"]
PROMOTED = 500077


async def _menu(harness: Harness, scope: dict[str, Any]) -> list[str]:
    return [c["command"] for c in await harness.client.get_commands(scope)]


async def _menu_changed(harness: Harness, telegram_id: int) -> None:
    """Wait until the bot has set (or deleted) the menu of ``telegram_id``'s chat."""
    await harness.client.wait_for_event(
        lambda ev: ev["type"] == "commands_changed" and str(telegram_id) in ev["scope"]
    )


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"type": "all_private_chats"}, MEMBER),
        ({"type": "all_group_chats"}, GROUP),
        ({"type": "default"}, GROUP),
        ({"type": "chat", "chat_id": SECRETARY_1}, SECRETARY),
        ({"type": "chat", "chat_id": ADMIN}, [*SECRETARY, *ADMIN_ONLY]),
    ],
    ids=["members' private chats", "groups", "default", "a secretary", "an admin"],
)
async def test_each_scope_lists_what_works_there(
    org_harness: Harness, scope: dict[str, Any], expected: list[str]
) -> None:
    harness = org_harness
    async with harness.bot():
        for telegram_id, name in ((SECRETARY_1, "赵书记"), (ADMIN, "管理员")):
            await (await person(harness, name, telegram_id)).say("/start")
        assert sorted(await _menu(harness, scope)) == sorted(expected)


async def test_promote_and_demote_refresh_the_persons_menu(org_harness: Harness) -> None:
    harness = org_harness
    scope = {"type": "chat", "chat_id": PROMOTED}
    async with harness.bot():
        admin = await person(harness, "管理员", ADMIN)
        promoted = await person(harness, "孙同志", PROMOTED)
        await promoted.say("/start")
        assert await _menu(harness, scope) == []  # a member: the private chats' menu applies
        assert "已任命" in (await admin.say(f"/promote {PROMOTED} zb-1"))["text"]
        await _menu_changed(harness, PROMOTED)
        assert sorted(await _menu(harness, scope)) == sorted(SECRETARY)
        await admin.say(f"/demote {PROMOTED} zb-1")
        await _menu_changed(harness, PROMOTED)
        assert await _menu(harness, scope) == []


@pytest.mark.parametrize(
    ("who", "where", "listed", "not_listed"),
    [
        ("secretary", "group", GROUP, ["stats", "invite", "bindgroup", "quiz"]),
        ("member", "group", GROUP, ["quiz", "me"]),
        ("member", "private", MEMBER, ["stats", "promote"]),
        ("secretary", "private", SECRETARY, ["promote"]),
    ],
)
async def test_help_follows_the_menus(
    org_harness: Harness, who: str, where: str, listed: list[str], not_listed: list[str]
) -> None:
    """A secretary's /help in a group shows the group what any member can do there, and no
    secretary commands."""
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        member = await person(harness, "张三")
        asker = secretary if who == "secretary" else member
        if where == "group":
            group = await harness.client.create_group("东村党支部群", [secretary.id, member.id])
            await harness.client.send_text(asker.id, "/help", chat_id=group["id"])
            text = (await harness.client.wait_for_message(group["id"]))["text"]
        else:
            text = (await asker.say("/help"))["text"]
        for name in listed:
            assert f"/{name} " in text, name
        for name in not_listed:
            assert f"/{name} " not in text, name


async def _keyboard(harness: Harness, chat_id: int) -> list[list[str]]:
    """The reply keyboard the chat shows now (Telegram keeps it on the chat, not a message)."""
    markup = (await harness.client.get_chat(chat_id))["reply_keyboard"] or {}
    rows = markup.get("keyboard", [])
    return [[b if isinstance(b, str) else b["text"] for b in row] for row in rows]


KEYBOARD = [["开始答题", "专项练习"], ["我的成绩", "主题党日"], ["收起按钮"]]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("开始答题", "第 1/4 题"),
        ("专项练习", "请选择"),
        ("我的成绩", "还没有答过题"),
        ("主题党日", "您还没有加入支部"),
    ],
)
async def test_a_keyboard_tap_runs_its_command(
    harness: Harness, label: str, expected: str
) -> None:
    async with harness.bot():
        member = await harness.member()
        await member.say("/start")
        assert await _keyboard(harness, member.id) == KEYBOARD
        reply = await member.say(label)
        assert expected in reply["text"]
        assert "没看懂" not in reply["text"]


async def test_the_keyboard_can_be_hidden_and_brought_back(harness: Harness) -> None:
    async with harness.bot():
        member = await harness.member()
        await member.say("/start")
        assert await _keyboard(harness, member.id) == KEYBOARD
        hidden = await member.say("收起按钮")
        assert "/keyboard" in hidden["text"]
        assert await _keyboard(harness, member.id) == []
        await member.say("/keyboard")
        assert await _keyboard(harness, member.id) == KEYBOARD

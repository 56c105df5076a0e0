"""Every command × every role × in and out of scope, from one table. Roles are enforced in
one place (the command registry); this test is the proof that the place is complete."""

from __future__ import annotations

from bot.handlers.registry import COMMANDS
from bot.org.access import Role
from tests.e2e.conftest import (
    ADMIN,
    GENERAL_SECRETARY,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    person,
)

PERSONAS = {
    "member": (None, Role.MEMBER),
    "secretary of zb-1": (SECRETARY_1, Role.SECRETARY),
    "secretary of zb-2": (SECRETARY_2, Role.SECRETARY),
    "secretary of the 党总支": (GENERAL_SECRETARY, Role.GENERAL_SECRETARY),
    "admin": (ADMIN, Role.ADMIN),
}
# The arguments each command is tried with: they all point at zb-1 (or its 党总支).
ARGUMENTS = {
    "stats": "本月 zb-1",
    "hardest": "本月 zb-1",
    "ranking": "本月 dzz",
    "invite": "zb-1",
    "transfer": "无此人 zb-1",
    "promote": "999 zb-1",
    "demote": "999 zb-1",
    "bindgroup": "zb-1",
    "chart": "本月 zb-1",
    "export": "本月 zb-1",
    "members": "zb-1",
}
# Who may see zb-1's data: for these commands, being allowed the role is not enough.
SEES_ZB1 = {"secretary of zb-1", "secretary of the 党总支", "admin"}
# The branch secretaries of zb-1 and zb-2 may both rank their 党总支's branches.
SEES_DZZ_RANKING = SEES_ZB1 | {"secretary of zb-2"}
OUT_OF_SCOPE_REPLY = "您无权查看"


async def test_every_command_for_every_role_and_scope(org_harness: Harness) -> None:
    harness = org_harness
    outcomes: dict[tuple[str, str], str] = {}
    async with harness.bot():
        for persona, (telegram_id, role) in PERSONAS.items():
            actor = await person(harness, persona, telegram_id)
            for command in COMMANDS:
                text = f"/{command.name} {ARGUMENTS.get(command.name, '')}".strip()
                message = await actor.say(text)
                reply = message.get("text") or message.get("caption", "")
                if command.name == "quiz":
                    await actor.say("/cancel")
                if command.name == "export" and reply.startswith("正在生成"):
                    await actor.next_message(lambda m: "document" in m)
                refused = reply.startswith("抱歉")
                expected_refusal = role < command.role
                assert refused == expected_refusal, (persona, text, reply)
                scoped = command.name in (
                    "stats",
                    "hardest",
                    "ranking",
                    "chart",
                    "export",
                    "members",
                )
                if scoped and not refused:
                    out_of_scope = OUT_OF_SCOPE_REPLY in reply
                    sees = SEES_DZZ_RANKING if command.name == "ranking" else SEES_ZB1
                    assert out_of_scope == (persona not in sees), (persona, text, reply)
                if command.name == "invite" and not refused:
                    refused_invite = "请在命令后写上您负责的组织编号" in reply
                    assert refused_invite == (persona not in SEES_ZB1), (persona, text, reply)
                outcomes[(persona, command.name)] = "refused" if refused else "ran"
    assert len(outcomes) == len(PERSONAS) * len(COMMANDS)
    refusals = sum(1 for outcome in outcomes.values() if outcome == "refused")
    assert harness.rows("SELECT COUNT(*) FROM refusals") == [(refusals,)]

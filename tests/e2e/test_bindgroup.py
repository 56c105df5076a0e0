"""/bindgroup decides where a branch's reminders go: only a secretary answering for the unit
who also owns or administers the group (Telegram's getChatMember) may bind it, and a group
bound to one branch is moved to another only by an admin (finding 3)."""

from __future__ import annotations

from tests.e2e.conftest import ADMIN, SECRETARY_1, SECRETARY_2, Harness, person


async def test_only_a_group_admin_binds_and_no_secretary_takes_another_branchs_group(
    org_harness: Harness,
) -> None:
    harness = org_harness
    client = harness.client
    async with harness.bot():
        owner = await person(harness, "东村书记", SECRETARY_1)
        other = await person(harness, "机关书记", SECRETARY_2)
        admin = await person(harness, "管理员", ADMIN)
        for someone in (owner, other, admin):
            await someone.say("/start")
        group = (
            await client.create_group(
                "东村党支部群", [owner.id, other.id, admin.id], admin_ids=[other.id, admin.id]
            )
        )["id"]

        async def in_group(who: int, text: str) -> str:
            await client.send_text(who, text, chat_id=group)
            return str((await client.wait_for_message(group))["text"])

        def bound() -> list[tuple[int, str]]:
            return [(r[0], r[1]) for r in harness.rows("SELECT chat_id, unit_id FROM group_chats")]

        assert "没有编号为 zb-999 的组织" in await in_group(owner.id, "/bindgroup zb-999")
        assert "已绑定到【东村党支部】" in await in_group(owner.id, "/bindgroup zb-1")
        assert bound() == [(group, "zb-1")]
        # Another branch's secretary, though a group administrator, cannot take it over…
        assert "如需改绑，请联系管理员" in await in_group(other.id, "/bindgroup zb-2")
        # …nor bind it to a branch they do not answer for.
        assert "/bindgroup zb-2" in await in_group(other.id, "/bindgroup zb-1")  # their own
        assert bound() == [(group, "zb-1")]
        # An admin may move it.
        assert "已绑定到【镇机关党支部】" in await in_group(admin.id, "/bindgroup zb-2")
        assert bound() == [(group, "zb-2")]

        # A secretary who is only a member of a group cannot bind it.
        stranger_group = (await client.create_group("别人的群", [admin.id, owner.id]))["id"]
        await client.send_text(owner.id, "/bindgroup zb-1", chat_id=stranger_group)
        refused = (await client.wait_for_message(stranger_group))["text"]
        assert "只有本群的群主或管理员才能绑定本群" in refused
        assert len(bound()) == 1

"""Every level of the tree: /stats, /hardest, /chart, /export for a 党总支 and a 党委 add up
their subtree; /units and /members; each scope error says what was wrong."""

from __future__ import annotations

import io

import openpyxl

from bot.stats.chart import NO_FONT
from tests.e2e.conftest import (
    ADMIN,
    GENERAL_SECRETARY,
    LEDGER_SECONDS,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    Member,
    invite_link,
    join,
    person,
    take_quiz,
)


async def organisation_that_studied(harness: Harness) -> dict[str, Member]:
    """东村 (zb-1): 张三 100, 李四 50; 镇机关 (zb-2): 赵六 75; 中学 (zb-3, under the 党委
    directly): 钱七, who has not studied."""
    secretary = await person(harness, "赵书记", SECRETARY_1)
    other = await person(harness, "孙书记", SECRETARY_2)
    admin = await person(harness, "管理员", ADMIN)
    general = await person(harness, "总支钱书记", GENERAL_SECRETARY)
    link = await invite_link(secretary)
    zhang = await join(harness, link, "张三")
    li = await join(harness, link, "李四")
    zhao = await join(
        harness, await invite_link(other), "赵六", SECRETARY_2, branch="镇机关党支部"
    )
    school = (await admin.say("/invite zb-3"))["text"]
    school_link = next(x for x in school.split() if "start=" in x)
    # 中学 has no secretary of its own: the admins decide its joins.
    qian = await join(harness, school_link, "钱七", ADMIN, branch="中学党支部")
    await take_quiz(zhang, wrong=0)
    await take_quiz(li, wrong=2)
    await take_quiz(zhao, wrong=1)
    return {"secretary": secretary, "other": other, "admin": admin, "general": general,
            "qian": qian}  # fmt: skip


async def test_a_general_branch_and_a_committee_add_up_their_subtree(
    org_harness: Harness,
) -> None:
    harness = org_harness
    harness.settings = harness.settings.model_copy(update={"chart_font": NO_FONT})
    async with harness.bot():
        people = await organisation_that_studied(harness)
        general, admin = people["general"], people["admin"]

        dzz = (await general.say("/stats"))["text"]
        assert "第一党总支" in dzz
        assert "党员 3 人，已参学 3 人" in dzz and "答题 3 次 · 平均正确率 75%" in dzz
        children = dzz.split("下属组织")[1].splitlines()[1:]
        assert children[0].startswith("1. 东村党支部") and "100%" in children[0]
        assert "平均正确率 75%" in children[0]
        # Equal rate and average: a shared place.
        assert children[1].startswith("1. 镇机关党支部") and "平均正确率 75%" in children[1]

        dw = (await admin.say("/stats 本月 dw"))["text"]
        assert "党员 4 人，已参学 3 人" in dw and "75%" in dw
        assert "1. 第一党总支" in dw and "—  中学党支部  未参学" in dw
        assert "钱七" not in dw and "张三" not in dw

        hardest = (await admin.say("/hardest 本月 dw"))["text"]
        assert "示范镇党委" in hardest

        chart = (await general.say("/chart", LEDGER_SECONDS))["text"]
        assert "暂时无法画图" in chart and "东村党支部" in chart

        await harness.client.send_text(admin.id, "/export 本月 dw")
        document = await admin.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
        data = await harness.client.download_file(document["document"]["file_id"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = {row[0]: row for row in book["汇总"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert {"zb-1", "zb-2", "zb-3"} <= set(rows)
    assert rows["zb-1"][3:5] == (2, 2) and rows["zb-3"][3:5] == (1, 0)


async def test_units_and_members(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        people = await organisation_that_studied(harness)
        units = (await people["general"].say("/units"))["text"]
        assert "dzz · 第一党总支（党总支）" in units and "zb-1 · 东村党支部（党支部）" in units
        assert "zb-3" not in units
        assert "zb-1 · 东村党支部" in (await people["admin"].say("/units 东村"))["text"]

        roster = (await people["secretary"].say("/members"))["text"]
        assert "东村党支部 · 党员名单（2 人）" in roster
        assert "张三 · " in roster and "李四 · " in roster and "赵六" not in roster
        found = (await people["admin"].say("/members 赵"))["text"]
        assert "赵六 · 镇机关党支部 · " in found and "张三" not in found
        assert "您无权查看 zb-2" in (await people["secretary"].say("/members zb-2"))["text"]

        # One member's drill-down: their quizzes and missed questions with the right answers.
        li = (await people["secretary"].say("/member 李四"))["text"]
        assert "李四（东村党支部）" in li and "答对 2/4 题，正确率 50%" in li
        assert "答错的题" in li and li.count("正确答案：") == 2
        assert "没有找到" in (await people["other"].say("/member 李四"))["text"]


SCOPE_CASES = [
    ("other", "/stats 本月 zb-1", "您无权查看 zb-1（东村党支部）"),
    ("other", "/hardest 本月 zb-1", "您无权查看 zb-1（东村党支部）"),
    ("general", "/stats 本月 dw", "您无权查看 dw（示范镇党委）"),
    ("general", "/export 上月 zb-3", "您无权查看 zb-3（中学党支部）"),
    ("secretary", "/ranking 本月 dw", "您无权查看 dw（示范镇党委）"),
    ("secretary", "/stats 本月 zb-9", "没有编号为 zb-9 的组织"),
    ("admin", "/chart 本月 zb-001", "没有编号为 zb-001 的组织"),
    ("admin", "/stats 十三月", "没看懂要查哪个时间段"),
    ("secretary", "/stats 2026-13", "没看懂要查哪个时间段"),
    ("secretary", "/stats 本月 上月", "没看懂要查哪个时间段"),
]


async def test_each_scope_error_says_what_was_wrong(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        people = {
            "secretary": await person(harness, "赵书记", SECRETARY_1),
            "other": await person(harness, "孙书记", SECRETARY_2),
            "general": await person(harness, "总支钱书记", GENERAL_SECRETARY),
            "admin": await person(harness, "管理员", ADMIN),
        }
        for who, command, expected in SCOPE_CASES:
            reply = (await people[who].say(command))["text"]
            assert expected in reply, (who, command, reply)
        # Secretary of two branches, naming neither: which one, with a real code.
        await people["admin"].say(f"/promote {SECRETARY_1} zb-3")
        reply = (await people["secretary"].say("/stats"))["text"]
        assert "请在命令后写上您负责的组织编号，例如：/stats 本月 zb-3" in reply

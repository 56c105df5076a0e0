"""Charts and ledgers end to end: the PNG arrives, the xlsx has the four sheets with the
numbers the members produced; without a CJK font the text report comes instead."""

from __future__ import annotations

import io
import json
import logging

import openpyxl
import pytest

from bot.stats.chart import NO_FONT, find_cjk_font
from tests.e2e.conftest import (
    GENERAL_SECRETARY,
    LEDGER_SECONDS,
    SECRETARY_1,
    Harness,
    invite_link,
    join,
    person,
    take_quiz,
)


async def invite_two_and_study(harness: Harness) -> tuple[object, object]:
    secretary = await person(harness, "赵书记", SECRETARY_1)
    link = await invite_link(secretary)
    first = await join(harness, link, "张三")
    second = await join(harness, link, "李四")
    await take_quiz(first, wrong=0)
    await take_quiz(second, wrong=2)
    return secretary, first


@pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed (fonts-noto-cjk)")
async def test_chart_is_a_png(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary, _ = await invite_two_and_study(harness)
        await harness.client.send_text(secretary.id, "/chart")
        photo = await secretary.next_message(lambda m: "photo" in m, timeout=LEDGER_SECONDS)
        assert "东村党支部 近半年参学率" in photo["caption"]
        data = await harness.client.download_file(photo["photo"][-1]["file_id"])
        assert data.startswith(b"\x89PNG")
        general = await person(harness, "总支钱书记", GENERAL_SECRETARY)
        await harness.client.send_text(general.id, "/chart")
        by_branch = await general.next_message(lambda m: "photo" in m, timeout=LEDGER_SECONDS)
        assert "第一党总支" in by_branch["caption"]


async def test_without_a_cjk_font_the_text_report_is_sent(
    org_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = org_harness
    harness.settings = harness.settings.model_copy(update={"chart_font": NO_FONT})
    async with harness.bot():
        secretary, _ = await invite_two_and_study(harness)
        with caplog.at_level(logging.WARNING):
            first = await secretary.say("/chart", LEDGER_SECONDS)
            second = await secretary.say("/chart", LEDGER_SECONDS)
        for reply in (first, second):
            assert "暂时无法画图" in reply["text"] and "参学率" in reply["text"]
    assert sum("no CJK font" in r.message for r in caplog.records) == 1


async def test_export_has_five_sheets_with_the_right_numbers(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary, _ = await invite_two_and_study(harness)
        await harness.client.send_text(secretary.id, "/export")
        document = await secretary.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
        assert document["document"]["file_name"].endswith(".xlsx")
        data = await harness.client.download_file(document["document"]["file_id"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["汇总", "党员明细", "会议记录", "答题明细", "题目分析", "选项分布"]
    summary = [row for row in book["汇总"].iter_rows(min_row=3, values_only=True)]
    assert summary[0][:6] == ("支部编号", "支部名称", "上级组织", "党员数", "参学人数", "参学率")
    assert summary[1][:9] == ("zb-1", "东村党支部", "第一党总支", 2, 2, 1, 2, 0.75, 0.75)
    assert summary[2][:7] == ("合计", "1 个支部", None, 2, 2, 1, 2)
    members = {row[1]: row for row in book["党员明细"].iter_rows(min_row=4, values_only=True)}
    assert members["张三"][5:8] == (1, 1, 1)
    assert members["李四"][5:8] == (1, 0.5, 0.5)
    answers = list(book["答题明细"].iter_rows(min_row=4, values_only=True))
    assert len(answers) == 8
    assert sum(1 for row in answers if row[5] == "答对") == 6
    items = [row for row in book["题目分析"].iter_rows(min_row=4, values_only=True) if row[3]]
    assert sum(row[3] for row in items if isinstance(row[3], int)) == 8
    assert book["汇总"].freeze_panes == "A4"
    # 选项分布: each option's count is the number of answers that chose it.
    chosen: dict[tuple[str, str], int] = {}
    for question_id, picked in harness.rows("SELECT question_id, chosen FROM answers"):
        for index in json.loads(picked):
            key = (question_id, "ABCDEFGH"[index])
            chosen[key] = chosen.get(key, 0) + 1
    sheet = {
        (row[0], row[3]): row[6]
        for row in book["选项分布"].iter_rows(min_row=4, values_only=True)
        if row[3] and isinstance(row[6], int)
    }
    assert {key: count for key, count in sheet.items() if count} == chosen

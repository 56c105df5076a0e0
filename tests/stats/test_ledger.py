"""The ledger as Excel reads it: typed cells, a 合计 row that adds up, the print setup, names
in 拼音 order (surnames read as surnames), 区分度 only with enough answers, and 选项分布
counts that match the answers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.i18n import ZH_CN
from bot.meetings.events import Event, EventStatus, HeldMeeting, MeetingKind
from bot.org.members import Member
from bot.org.tree import Level, OrgTree, Unit
from bot.quiz.questions import Question, QuestionType
from bot.stats.figures import (
    AnswerDetail,
    BranchFigures,
    Enrolment,
    ItemFigures,
    MemberTotals,
    aggregate,
)
from bot.stats.ledger import Ledger, LedgerData
from bot.stats.periods import Period, Span
from bot.stats.pinyin import PinyinOrder

ZONE = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 20, 2, tzinfo=UTC)
TREE = OrgTree(
    (
        Unit("dw", "示范镇党委", Level.COMMITTEE),
        Unit("zb-1", "东村党支部", Level.BRANCH, parent="dw"),
        Unit("zb-2", "中学党支部", Level.BRANCH, parent="dw"),
    )
)
NAMES = ["张三", "曾国藩", "单雄信", "解缙", "李四", "郑成功", "安然", "沈括"]
PINYIN_ORDER = ["安然", "李四", "单雄信", "沈括", "解缙", "曾国藩", "张三", "郑成功"]
QUESTION = Question(
    "q1", QuestionType.SINGLE, "党章", "总纲", "党的最高理想和最终目标是？",
    ("实现共产主义", "全面建成小康社会", "实现四个现代化", "消灭剥削"),
    frozenset({0}), "", "党章 总纲", 1,
)  # fmt: skip


def member(number: int, name: str) -> Enrolment:
    person = Member(number, 1000 + number, name, name, "zb-1", None, None)
    return Enrolment(person, AT - timedelta(days=30), AT, True, number % 2 == 0)


HELD = [
    HeldMeeting(
        Event(
            7, "theme_day:zb-1:20261102T0100", "zb-1", "theme_day",
            datetime(2026, 11, 2, 1, tzinfo=UTC), "主题党日", "学习党章", "村委会",
            EventStatus.SCHEDULED, minutes="一、学习党章总纲。\n二、交纳党费。",
        ),
        expected=8, present=5, leave=2, makeup_done=1, photos=2,
    ),
    HeldMeeting(
        Event(
            9, "adhoc:zb-1:1:2", "zb-1", MeetingKind.COMMITTEE.value,
            datetime(2026, 11, 10, 7, 30, tzinfo=UTC), "", "研究发展党员", "书记办公室",
            EventStatus.SCHEDULED, adhoc=True, expected=3,
        ),
        expected=3, present=3, leave=0, makeup_done=0, photos=0,
    ),
]  # fmt: skip


def build(min_attempts: int = 5, attempts: int = 10) -> openpyxl.Workbook:
    figures = [
        BranchFigures("zb-1", 8, 4, 6, 75.0, 80.0),
        BranchFigures("zb-2", 3, 0, 0, None, None),
    ]
    data = LedgerData(
        unit_name="示范镇党委",
        period=Period(Span.MONTH, 2026, 11),
        texts=ZH_CN,
        period_range="2026-11-01 至 2026-11-30",
        tree=TREE,
        figures=figures,
        total=aggregate("dw", figures),
        members=[member(n, name) for n, name in enumerate(NAMES, start=1)],
        member_totals={2: MemberTotals(2, 100.0, 75.0, AT)},
        names={n: name for n, name in enumerate(NAMES, start=1)},
        items=[ItemFigures("q1", attempts, 6, 0.5)],
        options={"q1": {frozenset({0}): 6, frozenset({2}): 3, frozenset({1}): 1}},
        questions={"q1": QUESTION},
        zone=ZONE,
        made_on=date(2026, 12, 5),
        min_attempts=min_attempts,
        meetings=HELD,
    )
    ledger = Ledger(data)
    ledger.add_answers([AnswerDetail(AT, "zb-1", 2, "q1", True, 5300)])
    return openpyxl.load_workbook(io.BytesIO(ledger.finish()))


def test_sheets_cells_and_the_total_row() -> None:
    book = build()
    assert book.sheetnames == ["汇总", "党员明细", "会议记录", "答题明细", "题目分析", "选项分布"]
    summary = book["汇总"]
    assert summary["A1"].value == "示范镇党委 2026年11月 学习情况台账"
    assert "期间：2026年11月（2026-11-01 至 2026-11-30）" in summary["A2"].value
    assert summary["A3"].value == "支部编号"
    rows = list(summary.iter_rows(min_row=4, max_row=6))
    first, second, total = rows
    assert first[0].value == "zb-1" and first[3].value == 8 and first[4].value == 4
    assert first[5].value == 0.5 and first[5].number_format == "0.0%"
    assert first[7].value == 0.75 and first[12].value == 1
    # No quiz: no place, 未参学.
    assert second[12].value == "未参学"
    assert total[0].value == "合计"
    for column in (3, 4, 6, 9, 10):
        assert total[column].value == first[column].value + second[column].value
    assert total[5].value == pytest.approx(4 / 11) and total[7].value == 0.75
    assert any("党员数：期末" in str(row[0].value) for row in summary.iter_rows(min_row=7))


def test_print_setup_on_every_sheet() -> None:
    for sheet in build().worksheets:
        assert sheet.print_title_rows == "$1:$3", sheet.title
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        footer = sheet.oddFooter
        assert "制表人" in footer.left.text and "审核人" in footer.left.text
        assert "制表日期：2026年12月5日" in footer.left.text
        assert "&P" in footer.right.text and "&N" in footer.right.text
        assert sheet.freeze_panes == "A4"


def test_members_in_pinyin_order_with_surname_readings() -> None:
    sheet = build()["党员明细"]
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if row[2]]
    assert names == PINYIN_ORDER
    assert PinyinOrder().key("曾国藩")[0] == "zeng1"
    assert PinyinOrder().key("单雄信")[0] == "shan4"
    assert PinyinOrder().key("解缙")[0] == "xie4"
    assert sheet.column_dimensions["C"].hidden
    joined = sheet["E4"]
    assert isinstance(joined.value, datetime) and joined.number_format == "yyyy-mm-dd"


def test_discrimination_only_with_enough_answers() -> None:
    assert build(min_attempts=5, attempts=10)["题目分析"]["G4"].value == 0.5
    few = build(min_attempts=20, attempts=10)["题目分析"]
    assert few["G4"].value is None
    assert any("作答不足 20 次" in str(row[0]) for row in few.iter_rows(values_only=True))


def test_option_distribution() -> None:
    sheet = build()["选项分布"]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] == "q1"]
    assert [(r[3], r[5], r[6]) for r in rows] == [("A", "✓", 6), ("B", None, 1), ("C", None, 3),
                                                 ("D", None, 0)]  # fmt: skip
    assert rows[2][7] == 0.3 and rows[2][8] == "最多人选的错误选项"
    answered = build()["答题明细"]
    assert isinstance(answered["A4"].value, datetime) and answered["C4"].value == "曾国藩"


def test_the_meetings_sheet_lists_each_meeting_held_with_its_counts() -> None:
    sheet = build()["会议记录"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == (
        "时间", "支部", "会议类型", "主题", "地点", "应到", "实到", "请假", "缺席", "补课完成",
        "照片", "会议纪要",
    )  # fmt: skip
    assert rows[1] == (
        datetime(2026, 11, 2, 9, 0), "东村党支部", "主题党日", "学习党章", "村委会", 8, 5, 2,
        1, 1, 2, "一、学习党章总纲。\n二、交纳党费。",
    )  # fmt: skip
    assert rows[2][2:10] == ("支委会", "研究发展党员", "书记办公室", 3, 3, 0, 0, 0)
    assert sheet.cell(4, 1).number_format == "yyyy-mm-dd hh:mm"
    assert rows[4][0].startswith("应到：")

"""The organisation tree's checks and the spreadsheet import, with row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.org.access import ADMIN_UNIT, Role, actor_for
from bot.org.importer import load_roster_file, load_units_file
from bot.org.tree import Kind, Level, OrgTree, Unit, tree_problems
from bot.yamlfile import InvalidFileError

TODAY = date(2026, 12, 4)
TREE = OrgTree(
    (
        Unit("dw", "党委", Level.COMMITTEE),
        Unit("dzz", "总支", Level.GENERAL_BRANCH, parent="dw"),
        Unit("a", "甲支部", Level.BRANCH, Kind.VILLAGE, "dzz"),
        Unit("b", "乙支部", Level.BRANCH, Kind.ORGAN, "dzz"),
        Unit("c", "丙支部", Level.BRANCH, parent="dw"),
    )
)


def test_tree_problems() -> None:
    units = [
        Unit("x", "x", Level.BRANCH, parent="y"),
        Unit("y", "y", Level.BRANCH, parent="x"),
        Unit("x", "dup", Level.COMMITTEE),
        Unit("z", "z", Level.GENERAL_BRANCH, parent="nowhere"),
        Unit("w", "w", Level.COMMITTEE, leaderboard=True),
    ]
    messages = [message for _, message in tree_problems(units)]
    assert "编号“x”重复（第 1 个组织已用）" in messages
    assert "党支部不能隶属于党支部" in messages
    assert "上级“nowhere”不是已列出的组织" in messages
    assert "学习榜只能在党支部开，不能在党委开" in messages
    assert tree_problems(TREE.units) == []


def test_scope_by_role() -> None:
    def actor(telegram_id: int, secretaries: dict[int, frozenset[str]], grants=()) -> object:
        return actor_for(telegram_id, None, TREE, frozenset({9}), secretaries, list(grants))

    member = actor_for(1, None, TREE, frozenset(), {}, [])
    assert member.role is Role.MEMBER and member.scope == frozenset()
    secretary = actor_for(2, None, TREE, frozenset(), {2: frozenset({"a"})}, [])
    assert secretary.role is Role.SECRETARY and secretary.scope == {"a"}
    general = actor_for(3, None, TREE, frozenset(), {}, [(3, "dzz")])
    assert general.role is Role.GENERAL_SECRETARY and general.scope == {"a", "b"}
    admin = actor_for(4, None, TREE, frozenset(), {}, [(4, ADMIN_UNIT)])
    assert admin.role is Role.ADMIN and admin.scope == {"a", "b", "c"}
    assert actor(9, {}).role is Role.ADMIN


def test_xlsx_import_reports_row_and_column(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "名称", "层级", "类型", "上级", "书记"])
    sheet.append(["dw", "示范镇党委", "党委", "机关", None, None])
    sheet.append(["zb-1", "东村党支部", "党支部", "村", "dw", "111, 222"])
    good = tmp_path / "org.xlsx"
    book.save(good)
    units = load_units_file(good)
    assert [u.id for u in units] == ["dw", "zb-1"] and units[1].secretaries == (111, 222)
    sheet.append(["zb-2", "西村党支部", "党小组", "村", "dw", None])
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(InvalidFileError) as error:
        load_units_file(bad)
    assert str(error.value.problems[0]) == (
        f"{bad}:4:3: 第 4 行 C 列（层级）：应为 党委、党总支、党支部 之一（现为“党小组”）"
    )


def test_roster_is_all_or_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,支部,入党日期\n王大妈,a,1985-07-01\n李大爷,z,1990-01-01\n", encoding="utf-8"
    )
    with pytest.raises(InvalidFileError) as error:
        load_roster_file(roster, TREE.branches, TODAY)
    assert [p.line for p in error.value.problems] == [3]
    roster.write_text("姓名,支部\n王大妈,a\n", encoding="gb18030")
    assert load_roster_file(roster, TREE.branches, TODAY)[0].real_name == "王大妈"


def test_the_leaderboard_column_reads_yes_and_no_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_text(
        "编号,名称,层级,上级,学习榜\n"
        "dw,示范镇党委,党委,,\n"
        "zb-1,东村党支部,党支部,dw,是\n"
        "zb-2,西村党支部,党支部,dw,否\n",
        encoding="utf-8",
    )
    units = load_units_file(path)
    assert [u.leaderboard for u in units] == [False, True, False]
    path.write_text(path.read_text(encoding="utf-8") + "zb-3,南村党支部,党支部,dw,也许\n")
    with pytest.raises(InvalidFileError) as error:
        load_units_file(path)
    assert "第 5 行 E 列（学习榜）：应为 是 或 否（现为“也许”）" in str(error.value.problems[0])


def test_a_roster_takes_branch_names_and_the_dates_people_write(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,支部,入党日期\n"
        "王大妈,甲支部,1985/10/1\n"
        "李大爷,b,1985年10月1日\n"
        "阿依古丽·买买提,丙支部,1990.7.1\n"
        "张三,乙支部,\n",
        encoding="utf-8",
    )
    entries = load_roster_file(roster, TREE.branches, TODAY)
    assert [(e.real_name, e.branch_id, e.party_joined_on) for e in entries] == [
        ("王大妈", "a", date(1985, 10, 1)),
        ("李大爷", "b", date(1985, 10, 1)),
        ("阿依古丽·买买提", "c", date(1990, 7, 1)),
        ("张三", "b", None),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (",甲支部,", "第 2 行 A 列（姓名）：不能为空"),
        ("王大妈,丁支部,", "第 2 行 B 列（支部）：没有编号或名称为“丁支部”的党支部"),
        (
            "王大妈,同名支部,",
            "第 2 行 B 列（支部）：有 2 个党支部都叫“同名支部”，请写编号（x、y）",
        ),
        ("王大妈,a,1985-13-01", "第 2 行 C 列（入党日期）：“1985-13-01”：没有 13 月"),
        (
            "王大妈,a,1985年2月30日",
            "第 2 行 C 列（入党日期）：“1985年2月30日”：1985年2月只有 28 天",
        ),
        (
            "王大妈,a,2030-07-01",
            "第 2 行 C 列（入党日期）：“2030-07-01”在今天之后，入党日期不能晚于今天",
        ),
        ("王大妈,a,去年", "第 2 行 C 列（入党日期）：“去年”不是日期"),
    ],
)
def test_roster_problems_are_chinese_with_row_and_column(
    tmp_path: Path, row: str, problem: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"姓名,支部,入党日期\n{row}\n", encoding="utf-8")
    branches = [
        *TREE.branches,
        Unit("x", "同名支部", Level.BRANCH),
        Unit("y", "同名支部", Level.BRANCH),
    ]
    with pytest.raises(InvalidFileError) as error:
        load_roster_file(roster, branches, TODAY)
    assert error.value.problems[0].message.startswith(problem)


def test_an_organisation_sheet_names_parents_by_name_and_explains_in_chinese(
    tmp_path: Path,
) -> None:
    path = tmp_path / "org.csv"
    path.write_text(
        "编号,名称,层级,类型,上级,书记\n"
        "dw,示范镇党委,党委,机关,,\n"
        "zb-1,东村党支部,党支部,村,示范镇党委,\n",
        encoding="utf-8",
    )
    assert [u.parent for u in load_units_file(path)] == [None, "dw"]
    path.write_text(
        "编号,名称,层级,类型,上级,书记\n"
        "dw,示范镇党委,支委,机关,,\n"
        "zb 1,东村党支部,党支部,工厂,dw,张书记\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidFileError) as error:
        load_units_file(path)
    messages = [str(p) for p in error.value.problems]
    assert [(p.line, p.column) for p in error.value.problems] == [(2, 3), (3, 1), (3, 4), (3, 6)]
    assert messages[0].endswith(
        "第 2 行 C 列（层级）：应为 党委、党总支、党支部 之一（现为“支委”）"
    )
    assert messages[1].endswith(
        "第 3 行 A 列（编号）：编号只能由字母、数字、- 和 _ 组成，最长 32 个字符（现为“zb 1”）"
    )
    assert messages[2].endswith(
        "第 3 行 D 列（类型）：应为 机关、村、企业、学校、社区、其他 之一（现为“工厂”）"
    )
    assert messages[3].endswith(
        "第 3 行 F 列（书记）：应为书记的 Telegram 用户 ID（数字），多个用逗号分开（现为“张书记”）"
    )
    assert not any("Input should" in m for m in messages)

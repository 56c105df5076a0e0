"""The organisation tree's checks and the spreadsheet import, with row and column."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bot.org.access import ADMIN_UNIT, Role, actor_for
from bot.org.importer import load_roster_file, load_units_file
from bot.org.tree import Kind, Level, OrgTree, Unit, tree_problems
from bot.yamlfile import InvalidFileError

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
    assert 'id "x" is already used (entry 1)' in messages
    assert "a 党支部 cannot sit under a 党支部" in messages
    assert 'parent "nowhere" is not a unit' in messages
    assert "a leaderboard is for a 党支部, not a 党委" in messages
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
    assert str(error.value.problems[0]).endswith(
        "row 4, column 层级: Input should be '党委', '党总支' or '党支部'"
    )


def test_roster_is_all_or_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,支部,入党日期\n王大妈,a,1985-07-01\n李大爷,z,1990-01-01\n", encoding="utf-8"
    )
    with pytest.raises(InvalidFileError) as error:
        load_roster_file(roster, {"a", "b"})
    assert [p.line for p in error.value.problems] == [3]
    roster.write_text("姓名,支部\n王大妈,a\n", encoding="gb18030")
    assert load_roster_file(roster, {"a"})[0].real_name == "王大妈"


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
    assert "row 5, column 学习榜" in str(error.value.problems[0])

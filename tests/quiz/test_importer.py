"""``bank import``: spreadsheets and Aiken text in, a bank the real loader accepts out; every
problem named by row (or line) and column, and nothing written unless all is well."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.quiz.bank import load_bank
from bot.quiz.importer import Header, ImportResult, import_bank, write_template
from bot.quiz.questions import JUDGE_OPTIONS, Bank, QuestionType
from bot.yamlfile import InvalidFileError
from tests.conftest import FIXTURES

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "docs" / "question-bank-template.xlsx"

HEADER = [
    "题型",
    "题目",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
    "出处",
    "难度",
    "章节",
]
ROWS: list[list[Any]] = [
    [
        "单选",
        "预备期为多长？",
        "半年",
        "一年",
        "两年",
        None,
        "B",
        "第七条。",
        "样例 第七条",
        1,
        "第一章",
    ],
    [
        "多选题",
        "先锋队？",
        "工人阶级",
        "中国人民",
        "中华民族",
        "全世界",
        "A,C,B",
        "总纲。",
        "总纲",
        "中",
        "总纲",
    ],
    [
        "判断",
        "预备期为一年。",
        None,
        None,
        None,
        None,
        "对",
        "第七条。",
        "样例第七条",
        3,
        "第一章",
    ],
    [
        "判断题",
        "预备期为两年。",
        None,
        None,
        None,
        None,
        "×",
        "第七条。",
        "第七条",
        "易",
        "第一章",
    ],
    [
        "单选题",
        "年满多少岁？",
        "十六岁",
        "十八岁",
        None,
        None,
        "Ｂ",
        "第一条。",
        "样例 第一条",
        None,
        "第一章",
    ],
    [
        "判断",
        "党员可以不参加组织生活。",
        "正确",
        "错误",
        None,
        None,
        "B",
        "第八条。",
        "样例 第八条",
        2,
        "第一章",
    ],
]


def write_xlsx(path: Path, header: list[Any], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, header: list[Any], rows: list[list[Any]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def bank_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "question_bank"
    folder.mkdir(exist_ok=True)
    return folder


def imported(source: Path, tmp_path: Path, **header: str) -> tuple[ImportResult, Bank]:
    output = bank_folder(tmp_path) / "imported.yaml"
    result = import_bank(source, output, Header(**{"document": "样例", **header}))
    return result, load_bank([output]).bank


def problems_of(source: Path, tmp_path: Path, **header: str) -> list[str]:
    output = bank_folder(tmp_path) / "imported.yaml"
    with pytest.raises(InvalidFileError) as error:
        import_bank(source, output, Header(**{"document": "样例", **header}))
    assert not output.exists()
    assert list(output.parent.iterdir()) == [], "a temporary file was left behind"
    return [str(p) for p in error.value.problems]


def test_the_common_excel_layout_imports_and_loads(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, ROWS)
    result, bank = imported(source, tmp_path, revision="2022-10-22")
    assert dict(result.counts) == {"single": 2, "multiple": 1, "judge": 3}
    single, multiple, true, false, full_width, choice_judge = bank.questions
    assert single.type is QuestionType.SINGLE and single.answer == frozenset({1})
    assert single.options == ("半年", "一年", "两年")
    assert multiple.type is QuestionType.MULTIPLE and multiple.answer == frozenset({0, 1, 2})
    assert multiple.difficulty == 2 and multiple.source == "样例 总纲"
    assert true.options == JUDGE_OPTIONS and true.answer == frozenset({0})
    assert true.source == "样例 第七条" and true.difficulty == 3
    assert false.answer == frozenset({1}) and false.difficulty == 1
    assert false.source == "样例 第七条"
    assert full_width.answer == frozenset({1}) and full_width.difficulty == 2
    # A judge question written as a choice between 正确 and 错误 keeps its meaning.
    assert choice_judge.type is QuestionType.JUDGE and choice_judge.answer == frozenset({1})
    assert all(q.id.startswith("q-") and len(q.id) <= 32 for q in bank.questions)
    assert "1 道题未填难度，按 2 计" in result.notes
    text = (tmp_path / "question_bank" / "imported.yaml").read_text(encoding="utf-8")
    assert "revision: 2022-10-22\n" in text and "answer: ABC\n" in text


def test_a_bad_answer_letter_in_row_7_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    row_7 = ["单选", "预备期从何时算起？", "支部大会通过之日", "上级批准之日", "递交申请之日"]
    rows = [*ROWS[:5], [*row_7, None, "E", "第七条。", "样例 第七条", 1, "第一章"]]
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, rows)
    found = problems_of(source, tmp_path)
    assert found == [f"{source}：第 7 行“答案”列（填的是“E”）：答案中的 E 不在选项 A–C 之中"]


def test_every_problem_is_listed_in_row_order(tmp_path: Path) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][0] = "填空"  # row 2: no such type
    rows[1][4] = None  # row 3: 选项C empty, 选项D filled
    rows[2][7] = None  # row 4: no 解析, which is fine
    rows[3][9] = "很难"  # row 5: no such difficulty
    rows[4][2] = "十八岁"  # row 6: two options the same, named at the second
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, rows)
    assert problems_of(source, tmp_path) == [
        f"{source}：第 2 行“题型”列（填的是“填空”）：不是题型（应为 单选、多选 或 判断）",
        f"{source}：第 3 行“选项C”列（未填）：为空，但后面的选项有内容",
        f"{source}：第 5 行“难度”列（填的是“很难”）：不是难度（应为 1、2、3 或 易、中、难）",
        f"{source}：第 6 行“选项B”列（填的是“十八岁”）：与选项A相同",
    ]


def test_an_option_too_long_names_its_column(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:4], "很" * 301, *ROWS[0][5:]]]
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, rows)
    (problem,) = problems_of(source, tmp_path)
    assert problem.startswith(
        f"{source}：第 2 行“选项C”列（填的是“{'很' * 301}”）：太长（最多 300 字）"
    )


def test_csv_with_bom_and_gb18030_csv(tmp_path: Path) -> None:
    for encoding in ("utf-8-sig", "gb18030"):
        source = write_csv(tmp_path / f"{encoding}.csv", HEADER, ROWS, encoding)
        _, bank = imported(source, tmp_path)
        assert len(bank) == len(ROWS)
        assert bank.questions[0].stem == "预备期为多长？"
        assert bank.questions[1].chapter == "总纲"


def test_header_synonyms_spaces_and_full_width(tmp_path: Path) -> None:
    header = [
        " 类型 ",
        "试题（必填）",
        "选项1",
        "选项 2",
        "Ｃ",
        "D选项",
        "正确答案",
        "答案解析",
        "依据",
        "难易程度",
        "所属章节",
        "序号",
    ]
    # Numbered rows below the last question are not questions.
    rows = [[*row, index] for index, row in enumerate(ROWS)] + [[None] * 11 + [n] for n in (7, 8)]
    source = write_xlsx(tmp_path / "bank.xlsx", ["这是标题行：某党委题库", None], [header, *rows])
    result, bank = imported(source, tmp_path)
    assert len(bank) == len(ROWS)
    assert bank.questions[1].options == ("工人阶级", "中国人民", "中华民族", "全世界")
    assert f"{source}：未使用的列：序号" in result.notes


def test_the_document_comes_from_the_sources_when_not_given(tmp_path: Path) -> None:
    rows = [row for row in ROWS if str(row[8]).startswith("样例 ")]
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, rows)
    import_bank(source, bank_folder(tmp_path) / "imported.yaml")
    (summary,) = load_bank([tmp_path / "question_bank"]).files
    assert summary.document == "样例"
    mixed = write_xlsx(tmp_path / "mixed.xlsx", HEADER, [*rows, [*ROWS[1][:8], "党章 总纲"]])
    with pytest.raises(InvalidFileError) as error:
        import_bank(mixed, bank_folder(tmp_path) / "mixed.yaml")
    assert [str(p) for p in error.value.problems] == [
        f"{mixed}：出处写了 2 个不同的文件（党章、样例），请用 --document 指定"
    ]


def test_reimport_keeps_ids_and_an_edit_changes_only_that_question(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, ROWS)
    _, first = imported(source, tmp_path)
    _, again = imported(source, tmp_path)
    assert [q.id for q in first.questions] == [q.id for q in again.questions]
    rows = [list(row) for row in ROWS]
    rows[0][7] = "第七条：预备期为一年。"  # the explanation: same question, same id
    rows[2][1] = "预备党员的预备期为一年。"  # the stem: a different question
    _, edited = imported(write_xlsx(tmp_path / "bank.xlsx", HEADER, rows), tmp_path)
    changed = [a.id != b.id for a, b in zip(first.questions, edited.questions, strict=True)]
    assert changed == [False, False, True, False, False, False]


def test_duplicate_rows_are_named(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, [*ROWS, ROWS[0]])
    assert problems_of(source, tmp_path) == [f"{source}：第 8 行：与第 2 行的题目和选项相同"]


def test_the_same_questions_imported_into_a_second_file_are_refused(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, ROWS)
    first = bank_folder(tmp_path) / "first.yaml"
    import_bank(source, first, Header("样例"))
    with pytest.raises(InvalidFileError) as error:
        import_bank(source, first.with_name("second.yaml"), Header("样例"), existing=[first])
    found = [str(p) for p in error.value.problems]
    assert len(found) == len(ROWS)
    assert found[0].startswith(f"{source}：第 2 行：编号“q-")
    assert found[0].endswith(f"已在 {first} 使用")
    assert not first.with_name("second.yaml").exists()


def test_sheets_per_type_are_read_and_named(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    single = book.active
    assert single is not None
    single.title = "单选题"
    single.append(["题目", "A", "B", "答案", "解析", "出处", "章节"])
    single.append(["预备期？", "一年", "两年", "A", "第七条。", "第七条", "第一章"])
    judge = book.create_sheet("判断题")
    judge.append(["题目", "答案", "解析", "出处", "章节"])
    judge.append(["预备期为一年。", "√", "第七条。", "第七条", "第一章"])
    judge.append(["预备期为两年。", "E", "第七条。", "第七条", "第一章"])
    book.create_sheet("说明").append(["填写说明：每行一题"])
    source = tmp_path / "bank.xlsx"
    book.save(source)
    assert problems_of(source, tmp_path) == [
        f"{source} [判断题]：第 3 行“答案”列（填的是“E”）：判断题的答案应为 正确 或 错误"
    ]
    judge["B3"] = "错"
    book.save(source)
    result, bank = imported(source, tmp_path)
    assert [q.type for q in bank.questions] == [
        QuestionType.SINGLE,
        QuestionType.JUDGE,
        QuestionType.JUDGE,
    ]
    assert f"{source} [说明]：前几行中没有“题目”列，已跳过" in result.notes


def test_missing_columns_and_unreadable_files(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "bank.xlsx", ["题目", "解析"], [["题？", "A"]])
    assert problems_of(source, tmp_path) == [f"{source}：第 1 行：缺少列：答案"]
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    (problem,) = problems_of(garbage, tmp_path)
    assert problem.startswith(f"{garbage}: cannot read as an Excel workbook")  # spreadsheets
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert problems_of(old, tmp_path) == [
        f"{old}：不是 .xlsx、.csv 或 .txt（Aiken）文件，请另存为 .xlsx"
    ]
    no_header = write_csv(tmp_path / "x.csv", ["a", "b"], [["1", "2"]], "utf-8")
    assert "前几行中没有“题目”列" in problems_of(no_header, tmp_path)[0]


AIKEN = """\
1. 预备党员的预备期为多长？
A. 半年
B、一年
C．两年
ANSWER: B
解析：党章第七条规定预备期为一年。
出处：样例 第七条
章节：第一章 党员
难度：易

中国共产党是哪些群体的先锋队？
A) 中国工人阶级
B) 中国人民
C) 中华民族
D) 全世界无产阶级
答案：A、B、C
解析：总纲第一段。
这一段解析写了两行。
出处：样例 总纲
章节：总纲

预备党员的预备期为一年。
答案：正确
解析：第七条。
出处：样例 第七条
章节：第一章 党员
"""


def test_aiken_text_imports(tmp_path: Path) -> None:
    source = tmp_path / "bank.txt"
    source.write_text(AIKEN, encoding="utf-8")
    _, bank = imported(source, tmp_path)
    single, multiple, judge = bank.questions
    assert single.stem == "预备党员的预备期为多长？" and single.answer == frozenset({1})
    assert single.options == ("半年", "一年", "两年") and single.difficulty == 1
    assert multiple.answer == frozenset({0, 1, 2})
    assert multiple.explanation == "总纲第一段。\n这一段解析写了两行。"
    assert judge.type is QuestionType.JUDGE and judge.answer == frozenset({0})
    assert judge.difficulty == 2


def test_aiken_problems_are_named_by_line(tmp_path: Path) -> None:
    source = tmp_path / "bank.txt"
    source.write_text(AIKEN.replace("ANSWER: B", "ANSWER: D"), encoding="utf-8")
    assert problems_of(source, tmp_path) == [
        f"{source}：第 5 行“答案”（填的是“D”）：答案中的 D 不在选项 A–C 之中"
    ]
    source.write_text(AIKEN.replace("ANSWER: B\n", ""), encoding="utf-8")
    assert problems_of(source, tmp_path) == [f"{source}：第 1 行：没有“答案”"]
    source.write_text(AIKEN.replace("C．两年", "D．两年"), encoding="utf-8")
    assert problems_of(source, tmp_path) == [f"{source}：第 4 行：选项 D 的顺序不对（此处应为 C）"]
    source.write_text(AIKEN.replace("章节：总纲\n\n", "章节：总纲\n"), encoding="utf-8")
    found = problems_of(source, tmp_path)
    assert found[0].startswith(f"{source}：第 21 行：这里应是选项")
    assert found[0].endswith("两道题之间请空一行")


def test_the_shipped_template_imports_and_matches_its_generator(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "docs" / "reference", tmp_path / "docs" / "reference")
    output = bank_folder(tmp_path) / "template.yaml"
    header = Header("党章", "中国共产党章程", "2022-10-22", "docs/reference/constitution.md")
    result = import_bank(TEMPLATE, output, header)
    assert dict(result.counts) == {"single": 1, "multiple": 1, "judge": 2}
    assert len(load_bank([output]).bank) == 4
    regenerated = tmp_path / "template.xlsx"
    write_template(regenerated)
    assert cell_values(regenerated) == cell_values(TEMPLATE)
    assert main(["bank", "template", "-o", str(tmp_path / "题库模板.xlsx")]) == 0
    assert cell_values(tmp_path / "题库模板.xlsx") == cell_values(TEMPLATE)
    assert main(["bank", "template", "-o", str(tmp_path / "no" / "such" / "t.xlsx")]) == 1


def cell_values(path: Path) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_quotes_and_sources_are_checked_against_a_reference(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "reference", tmp_path / "reference")
    header = [*HEADER, "原文"]
    rows = [
        [*ROWS[0], "预备期为一年。"],
        [*ROWS[2], "预备期为两年。"],
        [*ROWS[4][:8], "样例 第九条", *ROWS[4][9:], "年满十八岁"],
    ]
    source = write_xlsx(tmp_path / "bank.xlsx", header, rows)
    output = tmp_path / "bank" / "imported.yaml"
    output.parent.mkdir()
    with pytest.raises(InvalidFileError) as error:
        import_bank(source, output, Header("样例", reference="reference/sample.md"))
    assert [str(p) for p in error.value.problems] == [
        f"{source}：第 3 行“原文”列（填的是“预备期为两年。”）："
        "原文在参考文本中找不到逐字相同的句子",
        f"{source}：第 4 行“出处”列（填的是“样例 第九条”）："
        "“第九条”在参考文本中没有这一条或这一部分",
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "question_bank").glob("*.yaml")))
def test_the_shipped_bank_survives_a_round_trip_through_excel(tmp_path: Path, name: str) -> None:
    """Every shipped question, written to a spreadsheet the way committees write them
    (``A,C,D``, 对/错, 易/中/难, ``党章第三条``), imports to the same question."""
    path = ROOT / "question_bank" / name
    (summary,) = load_bank([path]).files
    document = summary.document
    header = ["序号", "试题类型", "试题内容", *(f"选项{n}" for n in range(1, 9)), "正确答案"]
    header += ["答案解析", "出处", "原文", "难易程度", "所属章节", "知识点"]
    kinds = {
        QuestionType.SINGLE: "单选题",
        QuestionType.MULTIPLE: "多选题",
        QuestionType.JUDGE: "判断题",
    }
    rows: list[list[Any]] = []
    for number, q in enumerate(summary.questions, start=1):
        options = [] if q.type is QuestionType.JUDGE else list(q.options)
        letters = ",".join("ABCDEFGH"[i] for i in sorted(q.answer))
        answer = ("对", "错")[min(q.answer)] if q.type is QuestionType.JUDGE else letters
        rows.append(
            [
                number,
                kinds[q.type],
                q.stem,
                *options,
                *[None] * (8 - len(options)),
                answer,
                q.explanation,
                q.source.replace(" ", "", 1),
                q.quote,
                "易中难"[q.difficulty - 1],
                q.chapter,
                "、".join(q.tags) or None,
            ]
        )
    source = write_xlsx(tmp_path / "bank.xlsx", header, rows)
    shutil.copytree(ROOT / "docs" / "reference", tmp_path / "docs" / "reference")
    reference = yaml.safe_load(path.read_text(encoding="utf-8"))["reference"]
    output = bank_folder(tmp_path) / name
    import_bank(source, output, Header(document, reference=reference))
    imported = load_bank([output]).bank
    assert len(imported) == len(summary.questions)
    for before, after in zip(summary.questions, imported.questions, strict=True):
        assert replace(after, id=before.id) == before


def test_bank_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = bank_folder(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text(f"question_bank: [{folder}]\n", encoding="utf-8")
    source = write_xlsx(tmp_path / "bank.xlsx", HEADER, ROWS)

    def run(output: str) -> int:
        command = ["--config", str(config), "bank", "import", str(source), "-o", output]
        return main([*command, "--document", "样例", "--revision", "2022-10-22"])

    assert run(str(folder / "first.yaml")) == 0
    out = capsys.readouterr().out
    assert "6 道题（单选 2，多选 1，判断 3）已写入" in out
    assert "提示：1 道题未填难度，按 2 计" in out
    assert main(["--config", str(config), "bank", "check"]) == 0
    capsys.readouterr()
    # The configured bank already holds these questions: a second copy is refused.
    assert run(str(folder / "second.yaml")) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(ROWS) and "已在" in err[0]
    assert sorted(p.name for p in folder.iterdir()) == ["first.yaml"]
    # Re-importing into the same file replaces it.
    assert run(str(folder / "first.yaml")) == 0


# Random input: a positioned problem or a valid bank, never a crash -------------------------

cells = st.one_of(
    st.none(),
    st.integers(-5, 20),
    st.sampled_from(
        ["单选", "多选", "判断", "A", "ACD", "Ｂ", "正确", "×", "易", "难", "样例 第一条"]
    ),
    st.text(max_size=12),
)
option_text = st.text(alphabet="一二三四五六七八九十年岁党员支部", min_size=2, max_size=6)
plausible: dict[str, st.SearchStrategy[Any]] = {
    "题型": st.sampled_from([None, None, "单选", "多选题", "判断"]),
    "题目": st.text(alphabet="党章预备期为一年多少岁？", min_size=1, max_size=12),
    "选项A": option_text,
    "选项B": option_text,
    "选项C": option_text,
    "选项D": st.none() | option_text,
    "答案": st.sampled_from(["A", "B", "A,C", "ＢＣ", "A", "B", "正确", "×", "E", None]),
    "解析": st.just("第七条。"),
    "出处": st.sampled_from(["样例 第七条", "第七条", "样例第一条"]),
    "难度": st.sampled_from([1, 2, 3, "易", "中", None, "很难"]),
    "章节": st.just("第一章"),
}
extra_headers = ["选项E", "试题", "正确答案", "选项1", "序号", "", "原文", "标签", "题型"]
Table = tuple[list[str], list[list[Any]]]


def table(
    header: list[str], cell: Callable[[str], st.SearchStrategy[Any]]
) -> st.SearchStrategy[Table]:
    row = st.tuples(*(cell(name) for name in header)).map(list)
    return st.tuples(st.just(header), st.lists(row, max_size=4))


# Half the tables have the full layout in any order with likely values, so that rows get as
# far as the loader and some files import; the others have any headers and any cells.
tables = st.one_of(
    st.permutations(HEADER).flatmap(
        lambda header: table(header, lambda name: plausible.get(name, cells))
    ),
    st.lists(st.sampled_from([*HEADER, *extra_headers]), max_size=14).flatmap(
        lambda header: table(header, lambda _: cells)
    ),
)


def check_outcome(source: Path, output: Path) -> None:
    try:
        import_bank(source, output, Header("样例"))
    except InvalidFileError as error:
        event("refused")
        assert error.problems
        for problem in error.problems:
            assert str(problem).startswith(f"{source}"), problem
            assert "：" in str(problem)
        assert not output.exists()
        assert list(output.parent.iterdir()) == []
    else:
        event("imported")
        assert len(load_bank([output]).bank) > 0
        output.unlink()


# tmp_path is shared by the examples of one test; each example cleans up what it wrote.
fixture_ok = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(fixture_ok, max_examples=150)
@given(table=tables)
def test_random_csv_never_crashes(tmp_path: Path, table: Table) -> None:
    header, rows = table
    source = write_csv(tmp_path / "random.csv", header, rows, "utf-8")
    check_outcome(source, bank_folder(tmp_path) / "random.yaml")


@settings(fixture_ok, max_examples=30)
@given(table=tables)
def test_random_xlsx_never_crashes(tmp_path: Path, table: Table) -> None:
    header, rows = table
    # openpyxl refuses control characters in cells; Excel cannot hold them either.
    rows = [[c if not isinstance(c, str) or c.isprintable() else None for c in r] for r in rows]
    source = write_xlsx(tmp_path / "random.xlsx", header, rows)
    check_outcome(source, bank_folder(tmp_path) / "random.yaml")


aiken_lines = st.one_of(
    st.sampled_from(
        [
            "",
            "",
            "预备期为一年。",
            "1. 预备期为多长？",
            "A. 一年",
            "B、两年",
            "C．三年",
            "D) 四年",
            "ANSWER: B",
            "答案：正确",
            "答案：AC",
            "解析：第七条。",
            "出处：样例 第七条",
            "章节：第一章",
            "难度：难",
            "题型：多选",
        ]
    ),
    st.text(max_size=20),
)
# A well-formed question, so that some random files import.
aiken_question = st.just(
    [
        "预备期为多长？",
        "A. 一年",
        "B. 两年",
        "ANSWER: A",
        "解析：七。",
        "出处：第七条",
        "章节：一",
        "",
    ]
)


@settings(fixture_ok, max_examples=200)
@given(blocks=st.lists(aiken_question | st.lists(aiken_lines, max_size=10), max_size=4))
def test_random_aiken_never_crashes(tmp_path: Path, blocks: list[list[str]]) -> None:
    source = tmp_path / "random.txt"
    source.write_text("\n".join(line for block in blocks for line in block), encoding="utf-8")
    check_outcome(source, bank_folder(tmp_path) / "random.yaml")

"""``bank import`` on 题库 as public banks publish them (序号, 题型, 题目, 选项A–F, 正确答案,
解析 — no 出处, no 章节, 解析 mostly empty, answers in every common form), and a sheet with
many kinds of mistakes reported in one run with row, column and the cell's own text.

The fixture files in tests/fixtures/import/ are self-made rows in that layout, saved as Excel
saves them: CSV UTF-8 with BOM, CSV GB18030 and XLSX.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from bot.quiz.bank import load_bank
from bot.quiz.importer import Header, import_bank
from bot.quiz.importer.normalising import answer_letters, judge_word
from bot.quiz.questions import JUDGE_OPTIONS, QuestionType
from bot.yamlfile import InvalidFileError
from tests.conftest import FIXTURES

PUBLIC = FIXTURES / "import"
LAYOUT = ["序号", "题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F"]
LAYOUT += ["正确答案", "解析"]


def output_in(tmp_path: Path) -> Path:
    folder = tmp_path / "question_bank"
    folder.mkdir(exist_ok=True)
    return folder / "public.yaml"


@pytest.mark.parametrize(
    "name", ["public_bank_utf8_bom.csv", "public_bank_gb18030.csv", "public_bank.xlsx"]
)
def test_a_public_bank_imports_as_it_is(tmp_path: Path, name: str) -> None:
    output = output_in(tmp_path)
    result = import_bank(PUBLIC / name, output, Header("党章", chapter="党章知识"))
    assert dict(result.counts) == {"single": 6, "multiple": 3, "judge": 7}
    bank = load_bank([output]).bank
    by_stem = {q.stem: q for q in bank.questions}
    # Answers as C. （A） b、 答案：A ａ A,B,C,D are read as letters.
    answers = [
        (sorted(q.answer), q.type) for q in bank.questions if q.type is not QuestionType.JUDGE
    ]
    assert answers == [
        ([0], QuestionType.SINGLE),
        ([2], QuestionType.SINGLE),
        ([0], QuestionType.SINGLE),
        ([1], QuestionType.SINGLE),
        ([0], QuestionType.SINGLE),
        ([0], QuestionType.SINGLE),
        ([0, 1, 2, 3], QuestionType.MULTIPLE),
        ([0, 1, 2, 3], QuestionType.MULTIPLE),
        ([0, 1, 2, 3, 4], QuestionType.MULTIPLE),
    ]
    # 对 × √ 错误 T 否, and a judge question written as options 正确/错误 with answer A.
    judged = [JUDGE_OPTIONS[min(q.answer)] for q in bank.questions if q.type is QuestionType.JUDGE]
    assert judged == ["正确", "错误", "正确", "错误", "正确", "错误", "正确"]
    assert all(q.options == JUDGE_OPTIONS for q in bank.questions if q.type is QuestionType.JUDGE)
    # No 出处 and no 章节: the document and --chapter; 解析 where the sheet has one.
    assert {q.source for q in bank.questions} == {"党章"}
    assert {q.chapter for q in bank.questions} == {"党章知识"}
    explained = [q for q in bank.questions if q.explanation]
    assert len(explained) == 3
    assert by_stem["预备党员的预备期为（  ）。"].explanation == ""
    assert "13 道题没有解析：答题后只显示原文和出处" in result.notes
    assert "16 道题未填章节，按“党章知识”计" in result.notes
    assert any("未使用的列：序号" in note for note in result.notes)


def test_the_three_files_give_the_same_bank(tmp_path: Path) -> None:
    banks = []
    for name in ("public_bank_utf8_bom.csv", "public_bank_gb18030.csv", "public_bank.xlsx"):
        output = output_in(tmp_path)
        import_bank(PUBLIC / name, output, Header("党章"))
        banks.append(output.read_text(encoding="utf-8").split("\n", 2)[2])
    assert banks[0] == banks[1] == banks[2]


@pytest.mark.parametrize(
    ("written", "letters"),
    [
        ("B", "B"),
        ("B.", "B"),
        ("B．", "B"),
        ("（B）", "B"),
        ("(B)", "B"),
        ("【B】", "B"),
        ("B、", "B"),
        ("答案：B", "B"),
        ("正确答案: B", "B"),
        ("b", "B"),
        ("Ｂ", "B"),
        ("ｂ", "B"),
        (" A, C, D ", "ACD"),
        ("A、C、D", "ACD"),
        ("ＤＣＡ", "ACD"),
        ("acd", "ACD"),
        ("A C D", "ACD"),
        ("答案：（A、B）", "AB"),
    ],
)
def test_answer_letters_in_every_common_form(written: str, letters: str) -> None:
    assert answer_letters(written) == letters


@pytest.mark.parametrize("written", ["不知道", "", "对", "√", "1"])
def test_what_is_not_letters_is_not_read_as_letters(written: str) -> None:
    assert answer_letters(written) is None


@pytest.mark.parametrize(
    ("written", "word"),
    [
        *[(w, "正确") for w in ("对", "正确", "√", "✓", "✔", "T", "t", "True", "TRUE", "是", "Y")],
        *[(w, "正确") for w in ("V", "对。", "（√）", "答案：对", "正确！", "ｔ")],
        *[(w, "错误") for w in ("错", "错误", "×", "✗", "✘", "X", "x", "F", "False", "否", "N")],
        *[(w, "错误") for w in ("（×）", "答案：错", "错误。", "Ｆ")],
    ],
)
def test_judge_answers_in_every_common_form(written: str, word: str) -> None:
    assert judge_word(written) == word


def write_xlsx(path: Path, header: list[Any], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def row(number: int, kind: str, stem: str, *cells: Any) -> list[Any]:
    """序号, 题型, 题目, 选项A–F, 正确答案, 解析 from the options and answer given."""
    *options, answer = cells
    return [number, kind, stem, *options, *[None] * (6 - len(options)), answer, None]


MISTAKES = [
    row(1, "填空题", "党的最高理想是什么？", "共产主义", "小康", "A"),  # row 2
    row(2, "单选题", "预备期为多长？", "半年", "一年", "两年", "三年", "E"),  # row 3
    row(3, "单选题", "党员大会多久开一次？", "每月", "每季度", "每年", "不知道"),  # row 4
    row(4, "判断题", "党员必须履行义务。", "可能"),  # row 5
    row(5, "单选题", "“一课”是指什么？", "党课", "党员大会", None, "党小组会", "A"),  # row 6
    row(6, "单选题", "预备期是多少？", "一年", "一年", "两年", "B"),  # row 7
    row(7, "单选题", "预备期为几年？", "一 年", "一年。", "两年", "A"),  # row 8
    row(8, "单选题", "入党年龄？", "十八岁", "很" * 301, "A"),  # row 9
    row(9, "单选题", "党的性质？", "先锋队", "群众组织", "AB"),  # row 10
    row(10, "多选题", "四个意识包括？", "政治意识", "大局意识", "创新意识", "A"),  # row 11
    row(11, "单选题", None, "甲", "乙", "A"),  # row 12
    row(12, "单选题", "党的最高理想是什么？", "共产主义", "小康", "A"),  # row 13: row 2 again
    row(13, "单选题", "党的 最高理想是什么", "小康", "共产主义", "B"),  # row 14: nearly row 2
    row(14, "单选题", "支部委员会任期几年？", "两年", "两年", "三年", "F"),  # row 15: two at once
]


def test_a_sheet_with_many_kinds_of_mistakes_reports_all_of_them_in_one_run(
    tmp_path: Path,
) -> None:
    source = write_xlsx(tmp_path / "错题.xlsx", LAYOUT, MISTAKES)
    output = output_in(tmp_path)
    with pytest.raises(InvalidFileError) as error:
        import_bank(source, output, Header("党章"))
    assert not output.exists()
    assert [str(p).removeprefix(f"{source}：") for p in error.value.problems] == [
        "第 2 行“题型”列（填的是“填空题”）：不是题型（应为 单选、多选 或 判断）",
        "第 3 行“正确答案”列（填的是“E”）：答案中的 E 不在选项 A–D 之中",
        "第 4 行“正确答案”列（填的是“不知道”）："
        "看不出是哪个选项（写字母，如 B、ACD，判断题写 正确/错误）",
        "第 5 行“正确答案”列（填的是“可能”）：判断题的答案应为 正确 或 错误",
        "第 6 行“选项C”列（未填）：为空，但后面的选项有内容",
        "第 7 行“选项B”列（填的是“一年”）：与选项A相同",
        "第 8 行“选项B”列（填的是“一年。”）："
        "与选项A几乎相同（只差空格或标点）；确属不同请加 --allow-similar",
        f"第 9 行“选项B”列（填的是“{'很' * 301}”）：太长（最多 300 字）",
        "第 10 行“正确答案”列（填的是“AB”）：单选题只能有一个答案",
        "第 11 行“正确答案”列（填的是“A”）：多选题应有两个或以上答案",
        "第 12 行“题目”列（未填）：必填，不能为空",
        "第 13 行：与第 2 行的题目和选项相同",
        "第 14 行：与第 2 行的题干几乎相同（只差空格或标点）；确属两道题请加 --allow-similar",
        "第 15 行“选项B”列（填的是“两年”）：与选项A相同",
        "第 15 行“正确答案”列（填的是“F”）：答案中的 F 不在选项 A–C 之中",
    ]


def test_allow_similar_keeps_near_copies_and_says_so(tmp_path: Path) -> None:
    rows = [MISTAKES[6], MISTAKES[11], MISTAKES[12]]
    source = write_xlsx(tmp_path / "近似.xlsx", LAYOUT, rows)
    output = output_in(tmp_path)
    with pytest.raises(InvalidFileError) as error:
        import_bank(source, output, Header("党章"))
    assert len(error.value.problems) == 2
    result = import_bank(source, output, Header("党章"), allow_similar=True)
    assert len(load_bank([output]).bank) == 3
    assert "2 处几乎相同的题目或选项按 --allow-similar 保留" in result.notes


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "question_bank"
    folder.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(f"question_bank: [{folder}]\n", encoding="utf-8")
    command = ["--config", str(config), "bank", "import", str(PUBLIC / "public_bank.xlsx")]
    command += ["-o", str(folder / "public.yaml"), "--document", "党章", "--check"]
    assert main(command) == 0
    assert (
        "检查通过：16 道题（单选 6，多选 3，判断 7），未写入文件（--check）"
        in capsys.readouterr().out
    )
    assert list(folder.iterdir()) == []
    bad = write_xlsx(tmp_path / "错题.xlsx", LAYOUT, MISTAKES)
    command[4] = str(bad)
    assert main(command) == 1
    assert len(capsys.readouterr().err.splitlines()) == 15
    assert list(folder.iterdir()) == []


def test_reimporting_an_updated_sheet_keeps_ids_and_reports_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "question_bank"
    folder.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(f"question_bank: [{folder}]\n", encoding="utf-8")
    sheet = tmp_path / "题库.xlsx"
    shutil.copy(PUBLIC / "public_bank.xlsx", sheet)
    output = folder / "public.yaml"
    command = ["--config", str(config), "bank", "import", str(sheet), "-o", str(output)]
    command += ["--document", "党章"]
    assert main(command) == 0
    before = {q.stem: q.id for q in load_bank([output]).bank.questions}
    capsys.readouterr()

    book = openpyxl.load_workbook(sheet)
    rows = book.active
    assert rows is not None
    rows["C3"] = "预备党员的预备期为多长时间？"  # row 3: the stem reworded
    rows["E4"] = "上级党组织"  # row 4: an option corrected
    rows["K5"] = "党章第九条。"  # row 5: 解析 added
    rows["J12"] = "对"  # row 12: the key corrected (√ → 对 is the same; see below)
    rows["J13"] = "√"  # row 13: the key corrected: 错误 → 正确
    rows.delete_rows(17)  # row 17, the last question, removed
    new = [17, "单选题", "党的根本组织原则是（  ）。", "民主集中制", "集体领导"]
    rows.append([*new, None, None, None, None, "A"])  # row 17: a new question
    book.save(sheet)
    assert main(command) == 0
    out = capsys.readouterr().out
    after = {q.stem: q.id for q in load_bank([output]).bank.questions}
    assert after["预备党员的预备期为多长时间？"] == before["预备党员的预备期为（  ）。"]
    assert "与" in out and "新增 1，修改 4，删除 1，未变 11" in out
    reworded = before["预备党员的预备期为（  ）。"]
    assert f"  修改 {reworded}（第 3 行）：题干" in out
    assert "：选项" in out and "：解析" in out and "：答案" in out
    assert "  删除 " in out and "党的各级领导机关都由选举产生。" in out
    assert "  新增 q-" in out and "（第 17 行）" in out


@given(st.text(max_size=20))
def test_any_answer_text_is_letters_a_judge_word_or_neither(text: str) -> None:
    letters = answer_letters(text)
    assert letters is None or (letters.isascii() and letters.isalpha() and letters.isupper())
    assert letters is None or list(letters) == sorted(letters)
    assert judge_word(text) in (None, *JUDGE_OPTIONS)


@given(st.sampled_from("ABCDEFGH"), st.sampled_from(["", ".", "、", "）", " "]), st.booleans())
def test_a_letter_in_any_dress_is_that_letter(letter: str, after: str, wide: bool) -> None:
    shown = chr(ord(letter) + 0xFEE0) if wide else letter
    for dressed in (f"{shown}{after}", f"（{shown}）", f"答案：{shown}", shown.lower()):
        assert answer_letters(dressed) == letter, dressed


def test_a_shared_stem_does_not_pass_one_question_s_id_to_another(tmp_path: Path) -> None:
    """下列说法正确的是 heads many different questions: a reworded one is matched to its old
    id only when the match is one to one."""
    stem = "下列说法正确的是（  ）。"
    first = [
        row(1, "单选题", stem, "预备期为一年", "预备期为两年", "A"),
        row(2, "单选题", stem, "党员须年满十八岁", "党员须年满二十岁", "A"),
        row(3, "单选题", "党的最高理想是什么？", "共产主义", "小康", "A"),
    ]
    output = output_in(tmp_path)
    import_bank(write_xlsx(tmp_path / "a.xlsx", LAYOUT, first), output, Header("党章"))
    old = [q.id for q in load_bank([output]).bank.questions]
    second = [
        first[0],
        row(2, "单选题", stem, "党员须年满十八周岁", "党员须年满二十周岁", "A"),
        row(3, "单选题", "党的最高理想和最终目标是什么？", "共产主义", "小康", "A"),
    ]
    result = import_bank(write_xlsx(tmp_path / "b.xlsx", LAYOUT, second), output, Header("党章"))
    new = [q.id for q in load_bank([output]).bank.questions]
    assert new[0] == old[0]  # unchanged
    assert new[1] not in old  # a shared stem and new options: a new question
    assert new[2] == old[2]  # reworded stem, same options: the same question
    assert [c.id for c in result.changes.added] == [new[1]]
    assert [qid for qid, _ in result.changes.removed] == [old[1]]
    assert [(c.id, c.fields) for c in result.changes.changed] == [(old[2], ("stem",))]


def test_a_reference_without_a_quote_column_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    shutil.copy(FIXTURES / "reference" / "sample.md", tmp_path / "docs" / "reference")
    source = write_xlsx(
        tmp_path / "a.xlsx", LAYOUT, [row(1, "单选题", "预备期？", "一年", "两年", "A")]
    )
    with pytest.raises(InvalidFileError) as error:
        header = Header("样例", reference="docs/reference/sample.md")
        import_bank(source, output_in(tmp_path), header)
    assert [str(p) for p in error.value.problems] == [
        f"{source}：第 2 行：出处应写成“样例 条款”，如“样例 第三条”",
        f"{source}：第 2 行：原文：题库指定了参考文本，每道题都要填原文（答案所依据的原句）",
    ]

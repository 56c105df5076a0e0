"""Reference texts as data: today's files load as before, a header names a new document,
each line carries its verification status and source, and ``bank reference add`` registers a
document whose quotes ``bank import`` and ``bank check`` then check."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.quiz.bank import load_bank
from bot.quiz.reference import (
    UNVERIFIED_MARK,
    check_new_reference,
    load_reference,
    parse_reference,
)
from bot.yamlfile import InvalidFileError

ROOT = Path(__file__).parents[2]

DOCUMENT = """\
---
title: 样例学习材料（测试用）
short_name: 学习材料
version: 2026-01-01
source: 测试用样例，不是真实文件
---
# 样例学习材料（测试用）

## 一、总体要求

第一条　这是测试用的第一条，支部每月开展一次集中学习。〔核对：测试样例第1页〕

第二条　这是测试用的第二条，学习材料由党委统一印发。

## 二、具体安排

【未核对】第三条　这一条还没有核对，不能出题。
"""


@pytest.mark.parametrize("path", sorted((ROOT / "docs" / "reference").glob("*.md")))
def test_todays_reference_files_load_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    reference = load_reference(path)
    if text.startswith("---\n"):  # the optional header: what bank files call the document
        text = text.split("\n---\n", 1)[1]
        documents = {s.document for s in load_bank([ROOT / "question_bank"]).files if s.reference}
        assert reference.short_name in documents and reference.version
    raw = [line.strip() for line in text.splitlines() if line.strip()]
    assert reference.title == raw[0].removeprefix("# ")
    assert len(reference.lines) == len(raw)
    unverified = [line for line in raw if line.lstrip("#").strip().startswith(UNVERIFIED_MARK)]
    assert len(reference.unverified) == len(unverified)
    # Every line keeps its text (the mark aside), so quotes match exactly as before.
    for line, original in zip(reference.lines, raw, strict=True):
        marked = original.lstrip("#").strip().startswith(UNVERIFIED_MARK)
        expected = original.replace(UNVERIFIED_MARK, "", 1) if marked else original
        assert line.text.replace(" ", "") == expected.replace(" ", "")
        assert line.verified is not marked
        assert line.source or not line.verified, f"{path.name}:{line.number} has no source"


def test_a_header_names_the_document_and_each_line_has_status_and_source() -> None:
    reference = parse_reference(DOCUMENT, Path("学习材料.md"))
    assert (reference.title, reference.short_name, reference.version) == (
        "样例学习材料（测试用）",
        "学习材料",
        "2026-01-01",
    )
    assert reference.chapters == ("一、总体要求", "二、具体安排")
    first, second, third = reference.body
    assert first.text == "第一条　这是测试用的第一条，支部每月开展一次集中学习。"
    assert (first.verified, first.source, first.number) == (True, "测试样例第1页", 11)
    assert (second.verified, second.source) == (True, "测试用样例，不是真实文件")
    assert not third.verified and third.text.startswith("第三条")
    assert reference.article_of(third) == "第三条"
    assert [line.number for line in reference.unverified] == [17]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntitle: x\n", "文件头以 --- 开始，但没有以 --- 结束"),
        ("---\ntitle: x\nshort_name: y\n---\n", "version: required key is missing"),
        ("---\n- a\n---\n", "文件头应为 title、short_name、version 等键值"),
    ],
)
def test_a_bad_header_is_named(text: str, expected: str) -> None:
    with pytest.raises(InvalidFileError) as error:
        parse_reference(text, Path("x.md"))
    assert any(expected in str(p) for p in error.value.problems), error.value.problems


def project(tmp_path: Path) -> Path:
    (tmp_path / "question_bank").mkdir()
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    config = tmp_path / "config.yaml"
    config.write_text("question_bank: [question_bank]\n", encoding="utf-8")
    return tmp_path


def test_reference_add_registers_a_document_that_imports_are_checked_against(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path))
    new = tmp_path / "学习材料.md"
    new.write_text(DOCUMENT, encoding="utf-8")
    assert main(["bank", "reference", "add", str(new)]) == 0
    out = capsys.readouterr().out
    assert "已登记《样例学习材料（测试用）》（简称 学习材料，2026-01-01）" in out
    assert "2 个章节，3 段，其中未核对 1 段" in out
    assert "reference: docs/reference/学习材料.md" in out
    assert (tmp_path / "docs" / "reference" / "学习材料.md").read_text(
        encoding="utf-8"
    ) == DOCUMENT

    sheet = tmp_path / "学习题.xlsx"
    book = openpyxl.Workbook()
    rows = book.active
    assert rows is not None
    rows.append(["题型", "题目", "选项A", "选项B", "答案", "原文"])
    rows.append(
        ["单选", "支部多久集中学习一次？", "每月", "每年", "A", "支部每月开展一次集中学习"]
    )
    rows.append(["判断", "学习材料由党委统一印发。", None, None, "对", "学习材料由党委统一印发"])
    rows.append(["判断", "第三条可以出题。", None, None, "错", "这一条还没有核对"])
    book.save(sheet)
    command = ["bank", "import", str(sheet), "-o", "question_bank/study.yaml"]
    command += ["--reference", "docs/reference/学习材料.md"]
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "第 4 行“原文”列（填的是“这一条还没有核对”）：原文只出现在标为【未核对】的段落中" in err
    rows.delete_rows(4)
    book.save(sheet)
    assert main(command) == 0
    capsys.readouterr()
    (first, second) = load_bank([tmp_path / "question_bank"]).bank.questions
    # The document's short name and title come from the reference; 出处 from the quoted line.
    assert (first.document, first.source, second.source) == (
        "学习材料",
        "学习材料 第一条",
        "学习材料 第二条",
    )

    assert main(["bank", "stats"]) == 0
    stats = capsys.readouterr().out
    assert "学习材料（question_bank/study.yaml）：2 道" in stats
    assert "一、总体要求：2" in stats and "二、具体安排：0" in stats
    assert "依据未核对段落的题目：0（目标 0）" in stats
    assert "docs/reference/学习材料.md 中仍标【未核对】的行：1" in stats
    assert (
        "docs/reference/学习材料.md:17（二、具体安排）第三条　这一条还没有核对，不能出题。"
        in stats
    )


def test_a_registered_document_without_questions_shows_in_stats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path))
    (tmp_path / "docs" / "reference" / "学习材料.md").write_text(DOCUMENT, encoding="utf-8")
    sample = (ROOT / "tests" / "fixtures" / "bank" / "sample.yaml").read_text(encoding="utf-8")
    (tmp_path / "question_bank" / "sample.yaml").write_text(
        sample.replace("reference: reference/sample.md\n", ""), encoding="utf-8"
    )
    assert main(["bank", "stats"]) == 0
    stats = capsys.readouterr().out
    assert "学习材料（尚无题目；docs/reference/学习材料.md）：0 道" in stats
    assert "4 道题所在文件未指定参考文本：原文未经比对" in stats


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("short_name: 学习材料\n", ""), "short_name: required key is missing"),
        (lambda t: t.split("# 样例")[0], "没有正文"),
        (lambda t: t + "\n第二条　重复的第二条。\n", "第二条出现了两次（第一次在第 13 行）"),
    ],
)
def test_reference_add_refuses_what_cannot_be_registered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: object, expected: str
) -> None:
    assert callable(change)
    new = tmp_path / "学习材料.md"
    new.write_text(change(DOCUMENT), encoding="utf-8")
    folder = tmp_path / "reference"
    assert main(["bank", "reference", "add", str(new), "--into", str(folder)]) == 1
    assert expected in capsys.readouterr().err
    assert not (folder / "学习材料.md").exists()


def test_reference_add_does_not_overwrite_another_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "学习材料.md").write_text(DOCUMENT.replace("每月", "每季度"), encoding="utf-8")
    new = tmp_path / "学习材料.md"
    new.write_text(DOCUMENT, encoding="utf-8")
    assert main(["bank", "reference", "add", str(new), "--into", str(folder)]) == 1
    assert "已存在且内容不同；确需替换请加 --replace" in capsys.readouterr().err
    assert main(["bank", "reference", "add", str(new), "--into", str(folder), "--replace"]) == 0
    assert (folder / "学习材料.md").read_text(encoding="utf-8") == DOCUMENT


reference_lines = st.one_of(
    st.sampled_from(
        [
            "---",
            "title: 题",
            "short_name: 简",
            "version: 2026-01-01",
            "# 标题",
            "- 核对：某处",
            "## 第一章",
            "##",
            "第一条　内容。",
            "【未核对】第二条　内容。",
            "## 【未核对】第二章",
            "内容〔核对：某页〕",
            "〔核对：〕",
            "",
        ]
    ),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(reference_lines, max_size=12))
def test_any_text_is_a_reference_or_a_positioned_refusal(lines: list[str]) -> None:
    try:
        reference = parse_reference("\n".join(lines), Path("random.md"))
    except InvalidFileError as error:
        assert error.problems and all(str(p).startswith("random.md") for p in error.problems)
        return
    for line in reference.lines:
        assert line.text and not line.text.startswith(UNVERIFIED_MARK)
        assert reference.lines_quoting(line.text)
    for problem in check_new_reference(reference, "random.md"):
        assert str(problem).startswith("random.md")

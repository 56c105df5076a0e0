"""``bank stats``: coverage by document, chapter and article, uncovered articles listed from
the reference text, and correction reports flagged only when their counts are given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.quiz.bank import load_bank
from bot.quiz.coverage import ArticleCount, article_number, coverage, stats_report
from bot.quiz.questions import QuestionType
from tests.conftest import FIXTURES, SAMPLE_BANK


@pytest.mark.parametrize(
    ("article", "number"),
    [
        ("第一条", 1),
        ("第十条", 10),
        ("第十一条", 11),
        ("第二十条", 20),
        ("第五十五条", 55),
        ("第一百条", 100),
        ("第一百零二条", 102),
        ("第一百一十五条", 115),
        ("第3条", 3),
        ("总纲", None),
        ("一、坚定理想信念", None),
    ],
)
def test_article_numbers(article: str, number: int | None) -> None:
    assert article_number(article) == number


def test_sample_bank_coverage_lists_uncovered_articles_of_the_reference() -> None:
    (sample,) = coverage(load_bank([SAMPLE_BANK])).documents
    assert sample.document == "样例" and sample.questions == 4
    assert sample.types == {
        QuestionType.SINGLE: 1,
        QuestionType.MULTIPLE: 1,
        QuestionType.JUDGE: 2,
    }
    assert sample.difficulties == {1: 3, 2: 1}
    # Chapters in the reference's order.
    assert sample.chapters == (("总纲", 1), ("第一章 党员", 3))
    # Verification: the unverified 第八条 line is listed; no question rests on it.
    assert [line.text for _, line in sample.unverified] == ["第八条　这一行没有核对过。"]
    assert sample.on_unverified == 0 and sample.unchecked == 0
    # 总纲 comes first because the reference has it first; 第八条 (unverified) has no question.
    assert sample.articles == (
        ArticleCount("总纲", 1, False),
        ArticleCount("第一条", 1, True),
        ArticleCount("第七条", 2, True),
        ArticleCount("第八条", 0, True),
    )
    assert [a.article for a in sample.thin] == ["总纲", "第一条", "第八条"]


def test_without_a_reference_articles_are_ordered_by_number(tmp_path: Path) -> None:
    text = (SAMPLE_BANK / "sample.yaml").read_text(encoding="utf-8")
    text = text.replace("reference: reference/sample.md\n", "")
    text = text.replace("source: 样例 第一条", "source: 样例 第十一条")
    (tmp_path / "sample.yaml").write_text(text, encoding="utf-8")
    (sample,) = coverage(load_bank([tmp_path])).documents
    assert [(a.article, a.questions) for a in sample.articles] == [
        ("总纲", 1),
        ("第七条", 2),
        ("第十一条", 1),
    ]
    assert not any(a.in_reference for a in sample.articles)


def test_report_flags_open_corrections_only_when_counts_are_given() -> None:
    loaded = load_bank([SAMPLE_BANK])
    plain = stats_report(coverage(loaded))
    assert "4 道题，涉及 1 份文件" in plain
    assert "总纲 1 · 第一条 1 · 第七条 2 · 第八条 0" in plain
    assert "不足 2 道题的条款：3 条" in plain
    assert "纠错" not in plain
    assert coverage(loaded).documents[0].reported is None
    reports = {"s-003": 2, "s-001": 0, "gone-001": 1}
    assert coverage(loaded, reports).documents[0].reported == ((loaded.bank.by_id["s-003"], 2),)
    flagged = stats_report(coverage(loaded, reports))
    assert "! s-003（第七条）：2 条未处理 · 预备党员的预备期为一年。" in flagged
    assert "未处理的纠错：涉及 1 道题" in flagged
    assert "1 条未处理的纠错针对的题目已不在这些文件中" in flagged
    nothing_open = stats_report(coverage(loaded, {}))
    assert "未处理的纠错：涉及 0 道题" in nothing_open


def test_bank_stats_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURES / "reference", tmp_path / "reference")
    shutil.copytree(SAMPLE_BANK, tmp_path / "bank")
    assert main(["bank", "stats", str(tmp_path / "bank")]) == 0
    out = capsys.readouterr().out
    assert "样例（" in out and "条款：3 条有题，参考文本共 3 条" in out
    (tmp_path / "bank" / "sample.yaml").write_text("questions: [\n", encoding="utf-8")
    assert main(["bank", "stats", str(tmp_path / "bank")]) == 1
    assert "YAML syntax error" in capsys.readouterr().err

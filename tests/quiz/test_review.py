"""``bank review``: a seeded sample with the quote, the key and the reference line together,
printed and written as a workbook for a 党委's reviewers."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.quiz.bank import load_bank
from bot.quiz.review import review_sample, review_text
from tests.conftest import FIXTURES, SAMPLE_BANK

ROOT = Path(__file__).parents[2]


def test_the_same_seed_draws_the_same_sample() -> None:
    loaded = load_bank([ROOT / "question_bank"])
    first = [item.question.id for item in review_sample(loaded, 40, seed=2026)]
    again = [item.question.id for item in review_sample(loaded, 40, seed=2026)]
    other = [item.question.id for item in review_sample(loaded, 40, seed=2027)]
    assert first == again and first != other
    assert len(set(first)) == 40
    # Every sampled question of the shipped bank rests on a verified reference line.
    assert all(
        any(line.verified for line in item.lines) for item in review_sample(loaded, 40, seed=2026)
    )


def test_each_item_shows_key_quote_and_the_line_it_rests_on() -> None:
    loaded = load_bank([SAMPLE_BANK])
    items = review_sample(loaded, 10, seed=1)
    assert len(items) == 4  # the whole bank when it is smaller than the sample
    by_id = {item.question.id: item for item in items}
    assert by_id["s-001"].key == "B 十八岁"
    assert by_id["s-002"].key == "A 中国工人阶级；B 中国人民；C 中华民族"
    assert by_id["s-003"].key == "正确"
    text = review_text(items, len(loaded.bank), 1)
    assert "抽查 4 道题（共 4 道，随机种子 1；同一种子抽到同样的题）" in text
    block = text.split("[1/4] s-001")[1].split("[2/4]")[0]
    assert "  答案：B 十八岁" in block
    assert "  原文：年满十八岁的中国工人" in block
    assert "sample.md:13（已核对：无）第一条　年满十八岁的中国工人" in block


def test_bank_review_command_prints_and_writes_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "reference", tmp_path / "reference")
    shutil.copytree(SAMPLE_BANK, tmp_path / "bank")
    output = tmp_path / "审核表.xlsx"
    command = ["bank", "review", str(tmp_path / "bank"), "--sample", "3", "--seed", "5"]
    assert main([*command, "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("抽查 3 道题（共 4 道，随机种子 5")
    assert f"审核表已写入 {output}" in out
    book = openpyxl.load_workbook(output, read_only=True)
    rows = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert rows[0][:3] == ("序号", "编号", "文件") and rows[0][-2:] == ("审核结论", "审核意见")
    assert len(rows) == 4
    quoted = {row[1]: (row[9], row[10]) for row in rows[1:]}
    for quote, line in quoted.values():
        assert quote and quote in line  # the quote beside the line it is found in

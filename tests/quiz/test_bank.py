"""The bank loader: a clean bank loads, and every kind of mistake is named with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.handlers.quiz_view import screen
from bot.quiz.bank import load_bank
from bot.quiz.questions import JUDGE_OPTIONS, QuestionType
from bot.yamlfile import InvalidFileError, parse_located
from tests.conftest import FIXTURES, SAMPLE_BANK


def test_sample_bank_loads_with_answers_as_indices() -> None:
    loaded = load_bank([SAMPLE_BANK])
    bank = loaded.bank
    assert len(bank) == 4
    assert bank.by_id["s-001"].answer == frozenset({1})
    assert bank.by_id["s-002"].answer == frozenset({0, 1, 2})
    assert bank.by_id["s-003"].options == JUDGE_OPTIONS
    assert bank.by_id["s-004"].answer == frozenset({1})
    assert bank.by_id["s-002"].type is QuestionType.MULTIPLE
    assert bank.version


def copy_bank(tmp_path: Path) -> Path:
    """A writable copy of the sample bank with its reference, laid out as in the repo."""
    shutil.copytree(FIXTURES / "reference", tmp_path / "reference")
    shutil.copytree(SAMPLE_BANK, tmp_path / "bank")
    return tmp_path / "bank"


def problems_of(*paths: Path) -> list[str]:
    with pytest.raises(InvalidFileError) as error:
        load_bank(list(paths))
    return [str(p) for p in error.value.problems]


def test_duplicate_id_wrong_letter_and_syntax_error_are_all_reported(tmp_path: Path) -> None:
    bank = copy_bank(tmp_path)
    sample = bank / "sample.yaml"
    sample.write_text(
        sample.read_text(encoding="utf-8").replace("answer: B", "answer: E"), encoding="utf-8"
    )
    (bank / "extra.yaml").write_text(
        "document: 样例\ntitle: t\nrevision: 2022-10-22\nquestions:\n"
        "  - id: s-001\n    type: judge\n    chapter: c\n    stem: s\n    answer: 正确\n"
        "    explanation: e\n    source: 样例 第一条\n    difficulty: 1\n",
        encoding="utf-8",
    )
    (bank / "broken.yaml").write_text("questions:\n  - id: [\n", encoding="utf-8")
    found = problems_of(bank)
    text = "\n".join(found)
    assert f"{bank / 'sample.yaml'}:" in text
    assert any(
        "sample.yaml:11:13" in p and "answer: 答案中的 E 不在选项 A–D 之中（现为“E”）" in p
        for p in found
    )
    assert any("extra.yaml:5:" in p and "id: 编号“s-001”已在" in p for p in found)
    assert any("broken.yaml:" in p and "YAML syntax error" in p for p in found)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("answer: ABC", "answer: A", "answer: 多选题应有两个或以上答案"),
        (
            "stem: 申请入党须年满多少岁？",
            'stem: ""',
            "stem: 必填，不能为空",
        ),
        ("explanation: 第七条。", "explaination: 第七条。", "explaination: 未知的键"),
        (
            "difficulty: 2",
            "difficulty: 5",
            "difficulty: 格式不对：Input should be less than or equal to 3（现为“5”）",
        ),
        (
            "options: [十六岁, 十八岁, 二十岁, 二十二岁]",
            "options: [十六岁]",
            "options: 应有 2–8 个选项（现有 1 个）",
        ),
        ("answer: 正确", "answer: 对", "answer: 判断题的答案应为 正确 或 错误（现为“对”）"),
        (
            "quote: 预备期为一年。",
            "quote: 预备期为两年。",
            "quote: 原文在参考文本中找不到逐字相同的句子",
        ),
        (
            "source: 样例 第七条\n    quote: 预备期",
            "source: 样例 第九条\n    quote: 预备期",
            "source: “第九条”在参考文本中没有这一条或这一部分",
        ),
        (
            "type: single",
            "type: singel",
            "type: 格式不对：Input should be 'single', 'multiple' or 'judge'（现为“singel”）",
        ),
    ],
)
def test_each_mistake_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    bank = copy_bank(tmp_path)
    sample = bank / "sample.yaml"
    text = sample.read_text(encoding="utf-8")
    assert old in text
    sample.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = problems_of(bank)
    assert any(expected in p and p.startswith(f"{sample}:") for p in found), found


def _with_last_option(tmp_path: Path, option: str) -> Path:
    bank = copy_bank(tmp_path)
    sample = bank / "sample.yaml"
    sample.write_text(
        sample.read_text(encoding="utf-8").replace("二十二岁]", f"{option}]"), encoding="utf-8"
    )
    return bank


def test_long_options_load_up_to_300_characters(tmp_path: Path) -> None:
    """A long option is shown in the text with a letter button, so only length counts."""
    bank = load_bank([_with_last_option(tmp_path, "很" * 300)], screen).bank
    assert bank.by_id["s-001"].options[3] == "很" * 300


def test_an_option_over_300_characters_is_refused(tmp_path: Path) -> None:
    found = problems_of(_with_last_option(tmp_path, "很" * 301))
    assert any("options[3]: 太长（最多 300 字）" in p for p in found), found


def test_a_question_whose_message_would_not_fit_telegram_is_refused(tmp_path: Path) -> None:
    """Eight options of 300 characters, seven of them right: a member who ticks all eight
    would get a result (their answer, the right answer) over Telegram's 4,096."""
    bank = copy_bank(tmp_path)
    sample = bank / "sample.yaml"
    options = ", ".join(f"{letter}{'很' * 299}" for letter in "甲乙丙丁戊己庚辛")
    text = sample.read_text(encoding="utf-8").replace(
        "[中国工人阶级, 中国人民, 中华民族, 全世界]\n    answer: ABC",
        f"[{options}]\n    answer: ABCDEFG",
    )
    sample.write_text(text, encoding="utf-8")
    load_bank([bank])  # the data alone is valid
    with pytest.raises(InvalidFileError) as error:
        load_bank([bank], screen)
    (problem,) = [str(p) for p in error.value.problems]
    assert problem.startswith(f"{sample}:")
    assert "答题结果消息（选中全部选项时）在 Telegram 中放不下" in problem, problem


def test_duplicate_key_in_one_question(tmp_path: Path) -> None:
    bank = copy_bank(tmp_path)
    sample = bank / "sample.yaml"
    sample.write_text(
        sample.read_text(encoding="utf-8").replace(
            "    difficulty: 1\n  - id: s-002",
            "    difficulty: 1\n    difficulty: 2\n  - id: s-002",
        ),
        encoding="utf-8",
    )
    found = problems_of(bank)
    assert any("questions[0].difficulty: duplicate key (first at line" in p for p in found), found


def test_quote_on_an_unverified_line_is_refused(tmp_path: Path) -> None:
    bank = copy_bank(tmp_path)
    sample = bank / "sample.yaml"
    sample.write_text(
        sample.read_text(encoding="utf-8").replace(
            "quote: 预备期为一年。", "quote: 这一行没有核对过。"
        ),
        encoding="utf-8",
    )
    assert any("【未核对】" in p for p in problems_of(bank))


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert "没有找到题库文件" in problems_of(tmp_path)[0]


def test_a_date_no_calendar_has_is_a_problem_not_a_crash() -> None:
    with pytest.raises(InvalidFileError) as error:
        parse_located("holidays:\n  2027-13-01: 元旦\n  ok: 2027-02-30\n", "config.yaml")
    assert [str(p) for p in error.value.problems] == [
        "config.yaml:2:3: YAML error: '2027-13-01' is not a valid date or time "
        "(month must be in 1..12)",
        "config.yaml:3:7: YAML error: '2027-02-30' is not a valid date or time "
        "(day is out of range for month)",
    ]


def test_a_bad_character_is_placed_by_characters_not_bytes() -> None:
    """libyaml, which parses first, counts the offset in bytes: the report must not."""
    with pytest.raises(InvalidFileError) as error:
        parse_located("stem: 党章总纲\x07第一段\n", "bank.yaml")
    assert str(error.value) == "bank.yaml:1:11: YAML error: character 7 is not allowed"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_crashes_the_yaml_reader(text: str) -> None:
    try:
        parse_located(text, "random.yaml")
    except InvalidFileError as error:
        assert all(str(p).startswith("random.yaml:") for p in error.problems)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["document", "title", "revision", "questions", "x"]), yaml_values
    )
)
def test_random_bank_shapes_give_positioned_problems_not_crashes(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, object]
) -> None:
    import yaml

    folder = tmp_path_factory.mktemp("bank")
    (folder / "random.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        load_bank([folder])
    except InvalidFileError as error:
        assert error.problems
        assert all(":" in str(p) for p in error.problems)

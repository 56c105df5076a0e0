"""Real names as people type them: what is taken, how it is stored, what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.org.joining import MAX_NAME_INPUT, NAME_MAX, NAME_MIN, real_name

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
LATIN = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张三", "张三"),
        (" 张三 ", "张三"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽 ・ 买买提", "阿依古丽·买买提"),
        ("ＡＢ", "AB"),
        ("Li  Ming", "Li Ming"),
        ("张", None),
        ("张3", None),
        ("张三!", None),
        ("·张三", None),
        ("张三·", None),
        ("张··三", None),
        ("张 三", "张三"),
        ("张三" * 10 + "丰", None),
        ("", None),
    ],
)
def test_names(typed: str, stored: str | None) -> None:
    assert real_name(typed) == stored


@given(st.text(HAN, min_size=NAME_MIN, max_size=NAME_MAX))
def test_every_han_name_of_a_fitting_length_is_taken_as_typed(name: str) -> None:
    assert real_name(name) == name


@given(st.lists(st.text(HAN, min_size=1, max_size=6), min_size=2, max_size=3))
def test_minority_names_keep_their_middle_dot(parts: list[str]) -> None:
    name = "·".join(parts)
    assert real_name(name) == (name if len(name) >= NAME_MIN else None)


@given(st.text(max_size=MAX_NAME_INPUT + 20))
def test_whatever_is_taken_is_a_tidy_name_of_2_to_20_characters(typed: str) -> None:
    name = real_name(typed)
    if name is not None:
        assert NAME_MIN <= len(name) <= NAME_MAX
        assert name == name.strip() and "  " not in name
        assert all(c == "·" or c == " " or c.isalpha() for c in name)
        assert real_name(name) == name


@given(st.text(st.one_of(HAN, LATIN), min_size=NAME_MAX + 1, max_size=NAME_MAX + 10))
def test_longer_names_are_refused(name: str) -> None:
    assert real_name(name) is None

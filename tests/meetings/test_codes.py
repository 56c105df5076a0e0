"""The sign-in code parser is user input: forgiving of how older members type a code, total on
anything else (never an exception), and it never makes a code out of something that is not one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.meetings.codes import CODE_DIGITS, format_code, parse_code

CODE = st.from_regex(rf"[0-9]{{{CODE_DIGITS}}}", fullmatch=True)
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
CHINESE = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))
SPACE = st.sampled_from(["", " ", "  ", "\u3000", "\t"])


@st.composite
def typed(draw: st.DrawFn, code: str) -> str:
    """``code`` as a member might type it: each digit ASCII, full-width or a Chinese numeral,
    spaces (ASCII or full-width) anywhere, maybe 签到 or 签到码 and a colon before it."""
    digits = [
        draw(st.sampled_from([d, FULL_WIDTH[d], CHINESE[d]] + (["零"] if d == "0" else [])))
        for d in code
    ]
    body = "".join(draw(SPACE) + d for d in digits) + draw(SPACE)
    prefix = draw(st.sampled_from(["", "签到", "签到码", "簽到", "簽到碼"]))
    colon = draw(st.sampled_from(["", ":", "：", " :", "： "])) if prefix else ""
    return draw(SPACE) + prefix + colon + body


@given(st.data(), CODE)
def test_a_code_typed_any_forgiving_way_reads_back(data: st.DataObject, code: str) -> None:
    assert parse_code(data.draw(typed(code))) == code


@given(CODE)
def test_the_shown_code_reads_back(code: str) -> None:
    assert parse_code(format_code(code)) == code


@given(st.one_of(st.text(max_size=60), st.binary(max_size=20), st.none(), st.integers()))
def test_anything_is_a_code_or_none_and_never_an_error(raw: object) -> None:
    code = parse_code(raw)
    assert code is None or (len(code) == CODE_DIGITS and code.isascii() and code.isdigit())


@given(st.from_regex(r"[0-9]{1,3}|[0-9]{5,12}", fullmatch=True))
def test_too_few_or_too_many_digits_are_not_a_code(digits: str) -> None:
    assert parse_code(digits) is None


@given(CODE, st.integers(0, CODE_DIGITS), st.sampled_from([*"abcxX-+.#?号码", "²"]))
def test_a_stray_character_makes_it_not_a_code(code: str, at: int, stray: str) -> None:
    text = code[:at] + stray + code[at:]
    assert parse_code(text) is None


def test_examples() -> None:
    assert parse_code("1234") == "1234"
    assert parse_code(" １２ ３４ ") == "1234"
    assert parse_code("签到码：一二三四") == "1234"
    assert parse_code("〇零09") == "0009"
    assert parse_code("2026-12-07") is None
    assert parse_code("19900701") is None
    assert parse_code("١٢٣٤") is None  # other scripts' digits are not taken for ours

"""The catalogues: every locale says the same things with the same placeholders, every message
fits where Telegram shows it, and zh-TW is written in Traditional characters throughout
(OpenCC's character table is the judge)."""

from __future__ import annotations

import ast
import re
import string
from dataclasses import fields
from datetime import date
from functools import cache
from pathlib import Path

import opencc  # type: ignore[import-untyped]
import pytest

from bot.config import load_settings
from bot.i18n import LOCALES, Texts
from bot.stats.periods import Period, Span
from bot.yamlfile import InvalidFileError

REFERENCE = LOCALES["zh-CN"]

MESSAGE_LIMIT = 4096
"""sendMessage's text, after the placeholders are filled."""
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
"""answerCallbackQuery's text: what a tapped button answers."""
BUTTON_LIMIT = 40
"""Not Telegram's limit but a phone's: a longer button label is cut off on screen."""
ANSWERS = ("tap_", "signed_now", "corrections_closed", "nudge_already", "rsvp_past")
ANSWERS += ("record_is_closed", "record_not_held", "themeday_edit_")
BUTTONS = (
    "submit", "rsvp_yes", "rsvp_leave", "proxy_sign_button", "late_sign_button", "nudge_button",
    "broadcast_confirm",
    "broadcast_cancel", "correction_button", "corrections_close", "topic_all",
    "rsvp_change_to_leave", "rsvp_change_to_yes", "themeday_set_topic", "themeday_set_place",
    "themeday_set_agenda", "themeday_set_speaker", "themeday_set_material",
    "themeday_cancel_button", "themeday_confirm",
    "themeday_discard", "themeday_manage_button", "themeday_open_private",
    "leave_trip", "leave_ill", "leave_work", "signin_proxy_button", "signin_late_button",
    "signin_open_button", "signin_search_button", "attendance_proxy_button",
    "attendance_late_button", "themeday_signin_button", "makeup_done_button",
    "themeday_move_button", "meeting_edit_button", "meeting_record_button",
    "record_minutes_button", "record_photos_button", "record_show_button",
    "record_close_button", "record_done_button", "record_sign_button", "meeting_kind_members",
    "meeting_kind_committee", "meeting_kind_group", "meeting_kind_lecture",
)  # fmt: skip


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_message_has_the_reference_placeholders(locale: str) -> None:
    texts = LOCALES[locale]
    for field in fields(Texts):
        mine, reference = getattr(texts, field.name), getattr(REFERENCE, field.name)
        assert placeholders(mine) == placeholders(reference), (locale, field.name)
        assert mine.strip(), (locale, field.name)


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_command_descriptions_fit_the_menu(locale: str) -> None:
    texts = LOCALES[locale]
    for field in fields(Texts):
        if field.name.startswith("command_"):
            assert 1 <= len(getattr(texts, field.name)) <= 256, (locale, field.name)


def test_an_unknown_locale_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("locale: en-GB\n", encoding="utf-8")
    with pytest.raises(InvalidFileError) as error:
        load_settings(path, environ={})
    assert "locale: unknown locale (use one of" in str(error.value)


def test_a_zh_tw_deployment_speaks_traditional_characters(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("locale: zh-TW\n", encoding="utf-8")
    texts = LOCALES[load_settings(path, environ={}).locale]
    assert texts.command_quiz == "開始答題" and "書記" in texts.refused_secretary


def render(text: str) -> str:
    """The message with every placeholder filled by a sample that adds no Han character, so
    what remains is the catalogue's own words."""
    return text.format_map({name: 12 for name in placeholders(text)})


def rendered(texts: Texts) -> dict[str, str]:
    """Every message filled in, and every format the catalogue builds."""
    out = {field.name: render(getattr(texts, field.name)) for field in fields(Texts)}
    day = date(2026, 7, 1)
    out["long_date()"] = texts.long_date(day)
    out["month_day()"] = texts.month_day(day)
    out |= {f"weekday({n})": texts.weekday(date(2026, 6, 29 + n)) for n in range(2)}
    for span in Span:
        out[f"period({span})"] = texts.period(Period(span, 2026, 4))
    return out


@cache
def _table(name: str) -> dict[str, set[str]]:
    path = Path(opencc.__file__).parent / "dictionary" / name
    pairs = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
    return {key: set(values.split()) for key, values in pairs}


@cache
def _allowed(script: str) -> dict[str, set[str]]:
    """For each character OpenCC converts, the forms it may take in the other script."""
    if script == "traditional":
        return _table("TSCharacters.txt")
    variants = _table("TWVariants.txt")
    return {
        c: forms | {v for form in forms for v in variants.get(form, ())}
        for c, forms in _table("STCharacters.txt").items()
    }


def only_in(script: str, text: str) -> set[str]:
    """Characters of ``text`` that exist only in Simplified (``script="simplified"``) or only
    in Traditional writing: OpenCC's s2t (or t2s) character table converts them, and not to
    themselves (台 → 台 臺 檯 颱 stays valid Traditional; 发 → 發 髮 does not). Taiwan's
    standard forms count as Traditional too (s2t gives 羣, Taiwan writes 群)."""
    allowed = _allowed(script)
    return {c for c in text if c in allowed and c not in allowed[c]}


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_message_renders_with_sample_values(locale: str) -> None:
    for name, text in rendered(LOCALES[locale]).items():
        assert text.strip(), (locale, name)
        assert len(text) <= MESSAGE_LIMIT, (locale, name)
        if name.endswith("caption"):
            assert len(text) <= CAPTION_LIMIT, (locale, name)
        if name.startswith(ANSWERS):
            assert len(text) <= ALERT_LIMIT, (locale, name)
        if name in BUTTONS:
            assert len(text) <= BUTTON_LIMIT, (locale, name)


def test_zh_tw_has_no_simplified_only_character() -> None:
    found = {
        name: "".join(sorted(only_in("simplified", text)))
        for name, text in rendered(LOCALES["zh-TW"]).items()
    }
    assert {name: chars for name, chars in found.items() if chars} == {}


def test_zh_cn_has_no_traditional_only_character() -> None:
    found = {
        name: "".join(sorted(only_in("traditional", text)))
        for name, text in rendered(LOCALES["zh-CN"]).items()
    }
    assert {name: chars for name, chars in found.items() if chars} == {}


def test_the_oracle_tells_the_scripts_apart() -> None:
    assert only_in("simplified", "发台后區群") == {"发"}
    assert only_in("traditional", "發台后区群") == {"發"}


def test_weekdays_are_seven() -> None:
    for texts in LOCALES.values():
        assert len(texts.weekdays.split(",")) == 7


WORDS_ALLOWED_IN = {
    "bot/i18n": "the catalogue itself",
    "bot/cli": "the operator's command line (its own Chinese, issue 14 item 7)",
    "bot/sandbox": "the demo organisation and page",
    "bot/dates.py": "reads the dates people type (年, 月, 日)",
    "bot/meetings/codes.py": "reads the sign-in codes people type (签到 1234, 一二三四)",
    "bot/stats/periods.py": "reads the periods secretaries type (本月, 季度)",
    "bot/stats/pinyin.py": "surnames read as surnames (曾 zēng, 单 shàn) for the 拼音 order",
    "bot/schedule/rules.py": "reads rules written in config (每月第一个星期一)",
    "bot/schedule/config.py": "default event titles of the config file",
    "bot/schedule/planner.py": "default event titles of the config file",
    "bot/quiz/importer": "reads spreadsheet headers (题目, 答案) and writes the template",
    "bot/quiz/bank_texts.py": "the bank tools' messages to the operator (issue 14 item 7)",
    "bot/quiz/reference.py": "reads the reference texts' marks (【未核对】, 〔核对：…〕, 第X条)",
    "bot/quiz/review.py": "the operator's review workbook",
    "bot/quiz/coverage.py": "reads article numbers (第二十二条)",
    "bot/quiz/bank.py": "the reference files' 【未核对】 mark",
    "bot/quiz/questions.py": "a judge question's answers as bank files write them",
    "bot/org/importer.py": "reads roster and unit sheet headers (姓名, 支部)",
    "bot/org/tree.py": "the level and kind names of the organisation file",
    "bot/storage/migrations.py": "SQL comments",
}
ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u3400-\u9fff]")


def _literals_with_han(path: Path) -> list[str]:
    """String literals of a module that contain a Han character; docstrings (a string that is
    a statement of its own, including attribute docstrings) are for maintainers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        f"{path}:{node.lineno}: {node.value[:40]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and HAN.search(node.value)
    ]


def test_words_people_read_live_only_in_the_catalogue() -> None:
    """A Chinese word in a handler or a service would show untranslated under zh-TW."""
    stray = [
        found
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if not path.relative_to(ROOT).as_posix().startswith(tuple(WORDS_ALLOWED_IN))
        for found in _literals_with_han(path)
    ]
    assert stray == []


def test_every_message_is_used() -> None:
    """A message no code names is a leftover: its situation is gone or has another text."""
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "bot").rglob("*.py")
        if "i18n" not in path.parts
    )
    code += (
        (ROOT / "bot" / "i18n" / "texts.py").read_text(encoding="utf-8").split("    def ", 1)[1]
    )
    unused = [f.name for f in fields(Texts) if not re.search(rf"\b{f.name}\b", code)]
    assert unused == []

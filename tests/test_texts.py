"""The catalogues: every locale says the same things with the same placeholders, and command
descriptions fit Telegram's menu."""

from __future__ import annotations

import string
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.i18n import LOCALES, Texts
from bot.yamlfile import InvalidFileError

REFERENCE = LOCALES["zh-CN"]


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

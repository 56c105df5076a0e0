"""Config: defaults, positioned errors, environment overrides, and no token in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Mode, load_settings, read_token
from bot.yamlfile import InvalidFileError

ROOT = Path(__file__).parent.parent


def test_shipped_config_is_valid_and_equals_the_defaults() -> None:
    settings = load_settings(ROOT / "config.yaml", environ={})
    assert settings == load_settings(Path("does-not-exist.yaml"), environ={})
    assert settings.timezone == "Asia/Shanghai"
    assert settings.quiz.questions_per_quiz == 10
    assert settings.telegram.mode is Mode.POLLING


def problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidFileError) as error:
        load_settings(path, environ=environ or {})
    return [str(p).replace(str(tmp_path) + "/", "") for p in error.value.problems]


def test_every_problem_is_listed_with_line_and_key(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "timezone: Mars/Olympus\nquiz:\n  questions_per_quiz: 0\n  colour: red\n",
    )
    assert found == [
        "config.yaml:1:11: timezone: unknown time zone (use a name such as Asia/Shanghai) "
        "(got 'Mars/Olympus')",
        "config.yaml:3:23: quiz.questions_per_quiz: must be 1..50 (got 0)",
        "config.yaml:4:3: quiz.colour: unknown key",
    ]


def test_a_token_in_the_file_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "telegram:\n  token: '123:abc'\n")
    assert found == [
        "config.yaml:2:3: telegram.token: the token is a secret; "
        "set BOT_TOKEN or telegram.token_file"
    ]


def test_environment_overrides_any_key(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("quiz:\n  questions_per_quiz: 10\n", encoding="utf-8")
    settings = load_settings(
        path,
        environ={"BOT__QUIZ__QUESTIONS_PER_QUIZ": "5", "BOT__TELEGRAM__MODE": "webhook"},
    )
    assert settings.quiz.questions_per_quiz == 5
    assert settings.telegram.mode is Mode.WEBHOOK


def test_a_bad_override_is_reported(tmp_path: Path) -> None:
    found = problems(tmp_path, "{}\n", environ={"BOT__QUIZ__QUESTIONS_PER_QUIZ": "99"})
    assert found == ["config.yaml:1:1: quiz.questions_per_quiz: must be 1..50 (got 99)"]


def test_token_from_environment_or_file(tmp_path: Path) -> None:
    settings = load_settings(Path("none.yaml"), environ={})
    token = "123456:" + "A" * 35
    assert read_token(settings, {"BOT_TOKEN": token}) == token
    assert read_token(settings, {}) is None
    secret = tmp_path / "token"
    secret.write_text(token + "\n", encoding="utf-8")
    from_file = settings.model_copy(
        update={"telegram": settings.telegram.model_copy(update={"token_file": secret})}
    )
    assert read_token(from_file, {}) == token
    with pytest.raises(InvalidFileError):
        read_token(settings, {"BOT_TOKEN": "not-a-token"})


def test_chart_font_is_auto_none_or_a_file_that_exists(tmp_path: Path) -> None:
    font = tmp_path / "font.otf"
    font.write_bytes(b"")
    for value in ("auto", "none", str(font)):
        (tmp_path / "ok.yaml").write_text(f"chart_font: {value}\n", encoding="utf-8")
        assert load_settings(tmp_path / "ok.yaml", environ={}).chart_font == value
    assert problems(tmp_path, "chart_font: /no/such/font.otf\n") == [
        "config.yaml:1:13: chart_font: use auto, none or the path of a font file that exists "
        "(got '/no/such/font.otf')"
    ]

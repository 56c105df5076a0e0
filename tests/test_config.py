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


def test_the_database_is_a_sqlite_path_or_a_postgresql_url(tmp_path: Path) -> None:
    default = load_settings(Path("does-not-exist.yaml"), environ={}).database
    assert (default.engine, default.path) == ("sqlite", Path("data/bot.sqlite3"))
    path = tmp_path / "config.yaml"
    path.write_text("database: postgresql://bot@db.internal:5432/branches\n", encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.database.engine == "postgresql"
    assert str(settings.database) == "postgresql://bot@db.internal:5432/branches"
    path.write_text("database: sqlite:///var/bot.sqlite3\n", encoding="utf-8")
    assert load_settings(path, environ={}).database.path == Path("var/bot.sqlite3")


def test_a_database_password_comes_from_the_environment_and_is_never_shown(
    tmp_path: Path,
) -> None:
    found = problems(tmp_path, "database: postgresql://bot:s3cret@db/branches\n")
    assert found == [
        "config.yaml:1:11: database: a password is a secret; set DATABASE_URL (or PGPASSWORD) "
        "in the environment instead"
    ]
    assert not any("s3cret" in line for line in problems(tmp_path, "database: x://u:s3cret@h\n"))
    path = tmp_path / "config.yaml"
    path.write_text("database: data/bot.sqlite3\n", encoding="utf-8")
    url = "postgresql://bot:s3cret@db:5432/branches"
    settings = load_settings(path, environ={"DATABASE_URL": url})
    assert settings.database.url == url and settings.database.password == "s3cret"
    assert "s3cret" not in str(settings.database) and "s3cret" not in repr(settings)
    assert str(settings.database) == "postgresql://bot:***@db:5432/branches"
    found = problems(tmp_path, "timezone: UTC\n", {"DATABASE_URL": "mysql://u:s3cret@h/db"})
    assert found == ["DATABASE_URL: unknown database kind 'mysql': use a path or postgresql://…"]

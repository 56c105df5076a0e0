"""Configuration: ``config.yaml`` validated into typed settings, with environment overrides.

Any key can be overridden from the environment as ``BOT__<SECTION>__<KEY>``, e.g.
``BOT__QUIZ__QUESTIONS_PER_QUIZ=5``; the value is read as YAML, so ``5`` is a number and
``[a, b]`` a list. The bot token is a secret and is never read from this file: it comes from
``BOT_TOKEN`` or from the file named by ``telegram.token_file``. So is a database password:
``database`` in the file names a SQLite file or a PostgreSQL server without one, and
``DATABASE_URL`` (or ``BOT__DATABASE``) in the environment may carry it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
)

from bot.i18n import LOCALES
from bot.org.config import OrganisationSettings
from bot.org.tree import tree_problems
from bot.schedule.config import ScheduleSettings, load_schedules, schedule_problems
from bot.stats.chart import AUTO_FONT, NO_FONT
from bot.storage.url import DatabaseUrl
from bot.yamlfile import InvalidFileError, Located, Problem, load_located, validation_problems

ENV_PREFIX = "BOT__"
TOKEN_ENV = "BOT_TOKEN"
DATABASE_ENV = "DATABASE_URL"
CONFIG_MAX_BYTES = 1 << 20
"""config.yaml, organisation units included; a bigger tree belongs in organisation.file."""
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


def _between(low: int, high: int) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be {low}..{high}")
        return value

    return AfterValidator(check)


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone (use a name such as Asia/Shanghai)") from exc
    return name


def _database(value: object) -> DatabaseUrl:
    if isinstance(value, DatabaseUrl | Path | str) and str(value).strip():
        return DatabaseUrl.of(value if isinstance(value, DatabaseUrl | Path) else value.strip())
    raise ValueError("a SQLite file's path, or postgresql://user@host:port/database")


def _locale(name: str) -> str:
    if name not in LOCALES:
        raise ValueError(f"unknown locale (use one of {', '.join(sorted(LOCALES))})")
    return name


def _chart_font(value: str) -> str:
    if value in (AUTO_FONT, NO_FONT) or Path(value).is_file():
        return value
    raise ValueError(f"use {AUTO_FONT}, {NO_FONT} or the path of a font file that exists")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuizSettings(_Section):
    questions_per_quiz: Annotated[int, _between(1, 50)] = 10
    seconds_per_question: Annotated[int, _between(5, 3600)] | None = None
    maintainers: tuple[int, ...] = ()
    """Telegram ids of the question bank's maintainers: told of each 纠错 (else the admins)."""
    auto_advance: bool = False
    """Send the next question as soon as an answer is judged (for timed contests); by default
    the verdict and explanation stay in view until the member taps 下一题."""


class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class WebhookSettings(_Section):
    listen: str = "127.0.0.1"
    """Behind a TLS-terminating reverse proxy on the same host; 0.0.0.0 only in a container
    whose port is reachable by the proxy alone."""
    port: Annotated[int, _between(1, 65535)] = 8443
    url_path: str = "telegram"
    public_url: str | None = Field(
        default=None, description="https://… address Telegram posts to, e.g. behind nginx"
    )
    secret_token_env: str = "BOT_WEBHOOK_SECRET"


class Http(StrEnum):
    """The HTTP client python-telegram-bot's requests go through (bot/transport.py)."""

    AIOHTTP = "aiohttp"
    HTTPX = "httpx"


class TelegramSettings(_Section):
    mode: Mode = Mode.POLLING
    http: Http = Http.AIOHTTP
    base_url: str | None = None
    base_file_url: str | None = None
    token_file: Path | None = None
    webhook: WebhookSettings = WebhookSettings()


class DeliverySettings(_Section):
    """Scheduled reminders and broadcasts."""

    per_second: Annotated[int, _between(1, 30)] = 29
    """Messages a second, just under Telegram's 30."""
    allow_paid_broadcast: bool = False
    """Telegram's paid broadcasts (Stars) lift the limit to 1000 a second."""
    paid_per_second: Annotated[int, _between(1, 1000)] = 900
    grace_hours: Annotated[int, _between(0, 72)] = 6
    """A reminder missed while the bot was down is still sent within this window."""


class StatsSettings(_Section):
    """Statistics for secretaries."""

    min_attempts: Annotated[int, _between(1, 1000)] = 5
    """A question is ranked by /hardest, and its 区分度 shown in the ledger, only once it has
    been answered this many times in the period: a question answered once is not "hard"."""


class Settings(_Section):
    timezone: Annotated[str, AfterValidator(_timezone)] = "Asia/Shanghai"
    locale: Annotated[str, AfterValidator(_locale)] = "zh-CN"
    database: Annotated[DatabaseUrl, PlainValidator(_database)] = DatabaseUrl.of(
        "data/bot.sqlite3"
    )
    """A SQLite file (the default) or ``postgresql://user@host:port/database``."""
    question_bank: list[Path] = Field(default_factory=lambda: [Path("question_bank")])
    quiz: QuizSettings = QuizSettings()
    telegram: TelegramSettings = TelegramSettings()
    organisation: OrganisationSettings = OrganisationSettings()
    delivery: DeliverySettings = DeliverySettings()
    stats: StatsSettings = StatsSettings()
    schedules: ScheduleSettings = ScheduleSettings()
    pending_input_minutes: Annotated[int, _between(1, 1440)] = 30
    """What the bot asked someone for (a broadcast text and its 确认发送, a leave reason, a
    correction) lapses after this many minutes, so an old question never acts on a new day."""
    log_level: str = "INFO"
    chart_font: Annotated[str, AfterValidator(_chart_font)] = AUTO_FONT
    """auto: an installed CJK font (fonts-noto-cjk); none: /chart sends text; or a font file."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, override from the environment, validate; raise ``InvalidFileError`` listing every
    problem. A missing file means the embedded defaults."""
    environ = os.environ if environ is None else environ
    located = (
        load_located(path, max_bytes=CONFIG_MAX_BYTES) if path.exists() else Located(str(path), {})
    )
    data = located.data if located.data is not None else {}
    if not isinstance(data, dict):
        raise InvalidFileError([located.problem((), "the file must be a mapping of settings")])
    problems: list[Problem] = []
    if "token" in (data.get("telegram") or {}) or "token" in data:
        key = ("telegram", "token") if "token" in (data.get("telegram") or {}) else ("token",)
        problems.append(
            located.problem(
                key,
                f"{'.'.join(key)}: the token is a secret; set {TOKEN_ENV} or telegram.token_file",
                key=True,
            )
        )
        data = _without(data, key)
    if isinstance(data.get("database"), str) and _has_password(data["database"]):
        problems.append(
            located.problem(
                ("database",),
                f"database: a password is a secret; set {DATABASE_ENV} (or PGPASSWORD) "
                "in the environment instead",
            )
        )
        data = _without(data, ("database",))
    if environ.get(DATABASE_ENV, "").strip():
        # Checked here, not by the model: a validation error would quote the value, password
        # and all.
        try:
            data = {**data, "database": DatabaseUrl.of(environ[DATABASE_ENV].strip())}
        except ValueError as error:
            problems.append(Problem(DATABASE_ENV, 0, 0, str(error)))
    for name, value in sorted(environ.items()):
        if name.startswith(ENV_PREFIX):
            keys = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
            data = _with_override(data, keys, _parse_env_value(value))
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(located, exc))
        settings = None
        # The schedules' own cross-checks still run, so one pass lists every problem.
        units = (data.get("organisation") or {}).get("units") if isinstance(data, dict) else None
        ids = (
            [u["id"] for u in units if isinstance(u, dict) and "id" in u]
            if isinstance(units, list)
            else []
        )
        problems.extend(load_schedules(located, branch_ids=ids or None)[1])
    if settings is not None:
        units = [u.unit() for u in settings.organisation.units]
        for index, message in tree_problems(units):
            where = ("organisation", "units", index)
            problems.append(located.problem(where, f"organisation.units[{index}]: {message}"))
        problems.extend(
            schedule_problems(
                located, settings.schedules, branch_ids=[u.id for u in units] or None
            )
        )
    if problems or settings is None:
        raise InvalidFileError(sorted(set(problems)))
    return settings


def _has_password(value: str) -> bool:
    try:
        return "://" in value and urlsplit(value.strip()).password is not None
    except ValueError:
        return False


def read_token(settings: Settings, environ: Mapping[str, str] | None = None) -> str | None:
    """The bot token from the environment or the token file; None when neither is given."""
    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_ENV, "").strip()
    if not token and settings.telegram.token_file is not None:
        try:
            token = settings.telegram.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InvalidFileError(
                [Problem(str(settings.telegram.token_file), 1, 1, f"cannot read token: {exc}")]
            ) from exc
    if token and not TOKEN_PATTERN.match(token):
        raise InvalidFileError(
            [Problem(TOKEN_ENV, 1, 1, "does not look like a bot token (digits:letters)")]
        )
    return token or None


def bot_id(token: str) -> str:
    """How a token is named in messages and logs: the bot's id, the part before the colon,
    which is public (it is the bot's user id); the rest is the secret."""
    return token.split(":", 1)[0] if ":" in token else "?"


def _parse_env_value(value: str) -> Any:
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value


def _with_override(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> dict[str, Any]:
    head, *rest = keys
    result = dict(data)
    if rest:
        inner = result.get(head)
        result[head] = _with_override(inner if isinstance(inner, dict) else {}, tuple(rest), value)
    else:
        result[head] = value
    return result


def _without(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    head, *rest = keys
    result = dict(data)
    if rest:
        result[head] = _without(result[head], tuple(rest))
    else:
        del result[head]
    return result

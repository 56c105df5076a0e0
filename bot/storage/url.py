"""Which database the bot uses: a SQLite file or a PostgreSQL server, named by one setting.

``database: data/bot.sqlite3`` (a path) and ``sqlite:///data/bot.sqlite3`` name a SQLite file;
``postgresql://user@host:5432/name`` names a PostgreSQL database. A password belongs in the
environment (``DATABASE_URL``, ``BOT__DATABASE`` or libpq's ``PGPASSWORD``), never in
``config.yaml``; wherever the URL is shown or logged its password is replaced by ``***``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed database setting. ``str()`` is safe to show: it never contains a password."""

    engine: Literal["sqlite", "postgresql"]
    url: str
    """For PostgreSQL, the connection URL (password included when one was given)."""
    path: Path = Path()
    """For SQLite, the file (or ``:memory:``)."""

    @classmethod
    def of(cls, value: DatabaseUrl | Path | str) -> DatabaseUrl:
        if isinstance(value, DatabaseUrl):
            return value
        text = str(value)
        scheme = text.partition("://")[0].lower() if "://" in text else ""
        if scheme in POSTGRES_SCHEMES:
            parts = urlsplit(text)
            if not parts.hostname and not parts.path.strip("/"):
                raise ValueError("a PostgreSQL URL needs a host or a database name")
            return cls("postgresql", urlunsplit(parts._replace(scheme="postgresql")))
        if scheme == "sqlite":
            if not text.startswith(SQLITE_PREFIX):
                raise ValueError("a SQLite URL is sqlite:///relative/path or sqlite:////abs/path")
            text = text.removeprefix(SQLITE_PREFIX)
        elif scheme:
            raise ValueError(f"unknown database kind {scheme!r}: use a path or postgresql://…")
        return cls("sqlite", text, Path(text))

    @property
    def password(self) -> str | None:
        return urlsplit(self.url).password if self.engine == "postgresql" else None

    def exists(self) -> bool:
        """Whether there may be data to read: a SQLite file that exists, or any server."""
        return self.engine == "postgresql" or self.path.exists()

    def __repr__(self) -> str:
        return f"DatabaseUrl({str(self)!r})"

    def __str__(self) -> str:
        if self.engine == "sqlite":
            return str(self.path)
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        host = parts.netloc.rpartition("@")[2]
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))

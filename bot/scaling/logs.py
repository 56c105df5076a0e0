"""Structured logs for the processes of several: one JSON object a line, each carrying the
process's role and worker id, so the lines of N workers can be told apart once gathered."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def __init__(self, role: str, worker: str | None) -> None:
        super().__init__()
        self._role = role
        self._worker = worker

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "role": self._role,
            "worker": self._worker,
            "msg": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def log_as(role: str, worker: str | None, level: str | int) -> None:
    """Send every log record to stderr as JSON lines naming ``role`` and ``worker``."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(role, worker))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)

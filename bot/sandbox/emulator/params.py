"""Reading Bot API parameters the way Telegram does.

A call may carry its parameters in the query string, a JSON body, an urlencoded form or a
multipart form (where files arrive as parts). Form values are strings, and structured values
(``reply_markup``, ``entities``...) are JSON-encoded strings. :class:`Params` hides all of that
behind typed getters that raise Telegram-worded :class:`~.errors.ApiError` on bad input; an empty
string counts as an absent parameter, as it does for Telegram.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request

JsonDict = dict[str, Any]

_TRUE = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart part."""

    filename: str
    content_type: str | None
    data: bytes


class Params:
    """The parameters of one call."""

    def __init__(self, values: JsonDict, uploads: dict[str, Upload] | None = None):
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return (value is not None and value != "") or name in self.uploads

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def str_(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def int_(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f"invalid {name} specified")

    def bool_(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in _TRUE
        return bool(value)

    def json_(self, name: str) -> Any:
        """A structured parameter, decoding it when it arrived JSON-encoded."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file_(self, name: str) -> Upload | str | None:
        """A file parameter: an upload, or a string (file_id / URL / ``attach://name``)."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.str_(name)
        if value is not None and value.startswith("attach://"):
            return self.uploads.get(value[len("attach://") :])
        return value


async def read_params(request: web.Request) -> Params:
    """Collect query-string and body parameters of a Bot API request."""
    values: JsonDict = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return Params(values)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON encoded request body")
        values.update(body)
        return Params(values)
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = Upload(value.filename, value.content_type, value.file.read())
        else:
            values[name] = value
    return Params(values, uploads)

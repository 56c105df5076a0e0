"""The Bot API reference the emulator validates against, and the tool that derives it.

``botapi.json`` beside this module is a compact, committed extract of the official reference
(``shared/telegram-bot-api/api.json``): for every method its parameters and for every type its
fields, each written as ``"name": "?Integer|String"`` (a leading ``?`` marks an optional one), and
for union types (``ChatMember``, ``MenuButton``...) the list of their subtypes. The running
emulator only ever reads the committed extract, so nothing outside the repository is needed at
run time. Regenerate it after the reference changes with::

    python -m bot.sandbox.emulator.spec ../shared/telegram-bot-api/api.json
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("botapi.json")

JsonDict = dict[str, Any]


def _fields(entries: list[JsonDict]) -> dict[str, str]:
    return {
        entry["name"]: ("" if entry["required"] else "?") + "|".join(entry["types"])
        for entry in entries
    }


def derive(api: JsonDict) -> JsonDict:
    """Extract the compact spec from the full machine-readable reference."""
    methods = {
        name: {"params": _fields(method.get("fields", [])), "returns": method["returns"]}
        for name, method in api["methods"].items()
    }
    types: JsonDict = {}
    for name, type_ in api["types"].items():
        if "subtypes" in type_:
            types[name] = {"subtypes": type_["subtypes"]}
        else:
            types[name] = {"fields": _fields(type_.get("fields", []))}
    return {"version": api["version"], "methods": methods, "types": types}


def render(compact: JsonDict) -> str:
    """The exact text committed as ``botapi.json``."""
    return json.dumps(compact, ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class Param:
    """One parameter of a method, or one field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


def _parse_field(name: str, encoded: str) -> Param:
    required = not encoded.startswith("?")
    return Param(name, tuple(encoded.lstrip("?").split("|")), required)


class BotApiSpec:
    """Read-only view of ``botapi.json``: method lookup (case-insensitive), params, type fields."""

    def __init__(self, compact: JsonDict):
        self.version: str = compact["version"]
        self._methods: dict[str, tuple[Param, ...]] = {}
        self._returns: dict[str, tuple[str, ...]] = {}
        self._canonical: dict[str, str] = {}
        for name, method in compact["methods"].items():
            self._canonical[name.lower()] = name
            self._methods[name] = tuple(
                _parse_field(param, encoded) for param, encoded in method["params"].items()
            )
            self._returns[name] = tuple(method["returns"])
        self._fields: dict[str, tuple[Param, ...]] = {}
        self._subtypes: dict[str, tuple[str, ...]] = {}
        for name, type_ in compact["types"].items():
            if "subtypes" in type_:
                self._subtypes[name] = tuple(type_["subtypes"])
            else:
                self._fields[name] = tuple(
                    _parse_field(field, encoded) for field, encoded in type_["fields"].items()
                )

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> BotApiSpec:
        """Load the committed extract."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def canonical(self, method: str) -> str | None:
        """``sendmessage`` -> ``sendMessage``; ``None`` when the reference has no such method."""
        return self._canonical.get(method.lower())

    def params(self, method: str) -> tuple[Param, ...]:
        """Parameters of a method, in reference order."""
        return self._methods[method]

    def returns(self, method: str) -> tuple[str, ...]:
        """Return type(s) of a method as the reference writes them."""
        return self._returns[method]

    def fields(self, type_name: str) -> tuple[Param, ...] | None:
        """Fields of a concrete type, or ``None`` for a union type or an unknown name."""
        return self._fields.get(type_name)

    def subtypes(self, type_name: str) -> tuple[str, ...] | None:
        """Members of a union type, or ``None`` for a concrete type."""
        return self._subtypes.get(type_name)

    @property
    def method_names(self) -> tuple[str, ...]:
        """Every method of the reference."""
        return tuple(self._methods)


def main(argv: list[str]) -> int:
    """``python -m bot.sandbox.emulator.spec API_JSON [OUT]``: regenerate the extract."""
    if not 1 <= len(argv) <= 2:
        print("usage: python -m bot.sandbox.emulator.spec API_JSON [OUT]", file=sys.stderr)
        return 2
    source = Path(argv[0])
    target = Path(argv[1]) if len(argv) == 2 else SPEC_PATH
    compact = derive(json.loads(source.read_text(encoding="utf-8")))
    target.write_text(render(compact), encoding="utf-8")
    print(f"wrote {target} ({compact['version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

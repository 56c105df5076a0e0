"""Reading YAML while remembering where every value came from.

Config and question-bank files are edited by hand, so every problem must be reported as
``file:line:column``. PyYAML's plain loader forgets positions and silently keeps the last of two
duplicate keys; this loader keeps a position for every value and key, and reports duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file, at a position a person can jump to."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # about the file as a whole
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class InvalidFileError(Exception):
    """Raised with every problem found, so that one run lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Located:
    """A YAML document as plain Python data, plus the position of each value and key."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                return table[prefix]
            if key and prefix in self.values:
                return self.values[prefix]
        return (1, 1)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        line, column = self.where(path, key=key)
        return Problem(self.file, line, column, message)


def _position(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def load_located(path: Path, display_name: str | None = None) -> Located:
    """Parse one YAML file; raise ``InvalidFileError`` on syntax errors or duplicate keys."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFileError([Problem(name, 1, 1, f"cannot read file: {exc}")]) from exc
    return parse_located(text, name)


FastLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
"""libyaml's parser when PyYAML has it: a city's organisation file (8,885 units) composes in
1.7 s instead of 5.8. Its nodes carry the same line and column as the pure-Python parser's."""


def parse_located(text: str, name: str) -> Located:
    """Parse YAML text; see ``load_located``."""
    loader = FastLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        # libyaml words its errors differently and counts a bad character's position in
        # bytes; the pure-Python parser says it the way this module reports it.
        node = _compose_reporting(text, name)
    finally:
        loader.dispose()
    located = Located(name, None)
    problems: list[Problem] = []
    constructor = yaml.constructor.SafeConstructor()
    located.data = _convert(node, (), located, problems, constructor) if node is not None else None
    if problems:
        raise InvalidFileError(problems)
    return located


def _compose_reporting(text: str, name: str) -> yaml.Node | None:
    """Compose with the pure-Python parser, turning its error into a positioned problem."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"YAML error: character {exc.character!r} is not allowed"
        raise InvalidFileError([Problem(name, line, column, message)]) from exc
    try:
        node: yaml.Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise InvalidFileError(
            [Problem(name, line, column, f"YAML syntax error: {detail}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise InvalidFileError([Problem(name, 1, 1, f"YAML error: {exc}")]) from exc
    finally:
        loader.dispose()
    return node


def _convert(
    node: yaml.Node,
    path: Path_,
    located: Located,
    problems: list[Problem],
    constructor: yaml.constructor.SafeConstructor,
) -> Any:
    located.values[path] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node, located, problems, constructor))
            if key in result:
                line, column = _position(key_node)
                first_line = located.keys[(*path, key)][0]
                problems.append(
                    Problem(
                        located.file,
                        line,
                        column,
                        f"{dotted((*path, key))}: duplicate key (first at line {first_line})",
                    )
                )
                continue
            located.keys[(*path, key)] = _position(key_node)
            result[key] = _convert(value_node, (*path, key), located, problems, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), located, problems, constructor)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, located, problems, constructor)


def _scalar(
    node: yaml.Node,
    located: Located,
    problems: list[Problem],
    constructor: yaml.constructor.SafeConstructor,
) -> Any:
    try:
        return constructor.construct_object(node)
    except yaml.MarkedYAMLError as exc:
        message = f"YAML error: {exc.problem}"
    except (ValueError, OverflowError) as exc:
        # A scalar YAML reads as a date but no calendar has: 2027-13-01, 2027-02-30.
        message = f"YAML error: {node.value!r} is not a valid date or time ({exc})"
    line, column = _position(node)
    problems.append(Problem(located.file, line, column, message))
    return None


def dotted(path: Path_) -> str:
    """``("quiz", "questions_per_quiz")`` -> ``quiz.questions_per_quiz``; list items as ``[3]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(top level)"


def validation_problems(
    located: Located, error: ValidationError, base: Path_ = ()
) -> list[Problem]:
    """Turn pydantic's errors into positioned problems, one line each, in plain words."""
    problems = []
    for item in error.errors(include_url=False):
        path = (*base, *item["loc"])
        # pydantic names a bad mapping key as (..., key, "[key]"): point at the key itself.
        on_key = bool(path) and path[-1] == "[key]"
        path = path[:-1] if on_key else path
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            problems.append(located.problem(path, f"{dotted(path)}: unknown key", key=True))
            continue
        if item["type"] == "missing":
            problems.append(located.problem(path, f"{dotted(path)}: required key is missing"))
            continue
        got = item.get("input")
        shown = got is not None and not on_key and not isinstance(got, dict | list)
        suffix = f" (got {got!r})" if shown else ""
        problems.append(located.problem(path, f"{dotted(path)}: {message}{suffix}", key=on_key))
    return problems

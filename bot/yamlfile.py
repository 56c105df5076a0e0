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


MAX_DEPTH = 64
"""Nesting deeper than any config, bank or organisation file needs; the parser recurses once
per level, and 100,000 levels crashed the process."""
ALIAS_BUDGET = 10_000
"""Values an anchor's aliases may add beyond the values written out: ``<<: *defaults`` and a
few shared lists fit easily; a "billion laughs" file (a few hundred bytes that expand to
gigabytes) does not."""
DEFAULT_MAX_BYTES = 1 << 20


def read_capped(path: Path, name: str, max_bytes: int) -> bytes:
    """The file's bytes, refused before reading when it is larger than ``max_bytes``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InvalidFileError(
                [
                    Problem(
                        name, 0, 0, f"the file is {size:,} bytes; at most {max_bytes:,} are read"
                    )
                ]
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidFileError([Problem(name, 1, 1, f"cannot read file: {exc}")]) from exc
    if len(data) > max_bytes:  # grew while being read, or not a regular file
        raise InvalidFileError([Problem(name, 0, 0, f"more than {max_bytes:,} bytes")])
    return data


def load_located(
    path: Path, display_name: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Located:
    """Parse one YAML file of at most ``max_bytes``; raise ``InvalidFileError`` on syntax
    errors, duplicate keys, too deep nesting or runaway aliases."""
    name = display_name or str(path)
    try:
        text = read_capped(path, name, max_bytes).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFileError([Problem(name, 1, 1, f"cannot read file: {exc}")]) from exc
    return parse_located(text, name)


FastLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
"""libyaml's parser when PyYAML has it: a city's organisation file (8,885 units) composes in
1.7 s instead of 5.8. Its nodes carry the same line and column as the pure-Python parser's."""


def parse_located(text: str, name: str) -> Located:
    """Parse YAML text; see ``load_located``."""
    _check_shape(text, name)
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
    # Written out, every value takes at least a character: more values than characters can
    # only come from aliases.
    budget = _Budget(name, len(text) + 1 + ALIAS_BUDGET)
    located.data = (
        _convert(node, (), located, problems, constructor, budget) if node is not None else None
    )
    if problems:
        raise InvalidFileError(problems)
    return located


def _check_shape(text: str, name: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` before anything recursive sees the text.
    libyaml's event parser is a loop, not a recursion, so this pass is safe on any input."""
    depth = 0
    parser = FastLoader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    message = f"nested more than {MAX_DEPTH} levels deep"
                    raise InvalidFileError([Problem(name, line, column, message)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # a syntax error: the composer reports it with its position
    finally:
        parser.dispose()


def _ALIAS_FREE_NODES(text: str) -> int:
    """An upper bound on the values a file holds without aliases: every value takes at
    least one character."""
    return len(text) + 1


class _Budget:
    """Counts values as aliases are expanded; a file that expands beyond the values it could
    hold written out, plus ``ALIAS_BUDGET``, is refused at the alias."""

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.left = limit

    def spend(self, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            line, column = _position(node)
            message = (
                f"YAML aliases expand to more than {ALIAS_BUDGET:,} extra values; "
                "write the values out instead of repeating an anchor"
            )
            raise InvalidFileError([Problem(self.name, line, column, message)])


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
    budget: _Budget,
) -> Any:
    budget.spend(node)
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
            result[key] = _convert(
                value_node, (*path, key), located, problems, constructor, budget
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), located, problems, constructor, budget)
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

"""Recursive check of emulator JSON against the Bot API reference extract (``botapi.json``).

``problems(spec, "Message", value)`` lists every way ``value`` departs from the reference: a
required field missing, a field of the wrong JSON type, or a field the type does not have.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.emulator.spec import BotApiSpec


def problems(spec: BotApiSpec, type_expr: str, value: Any, path: str = "$") -> list[str]:
    """Everything wrong with ``value`` as an instance of ``type_expr``."""
    if type_expr.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected an array, got {value!r}"]
        inner = type_expr.removeprefix("Array of ")
        return [
            p for i, item in enumerate(value) for p in problems(spec, inner, item, f"{path}[{i}]")
        ]
    scalar = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
        "True": lambda v: v is True,
    }
    if type_expr in scalar:
        return [] if scalar[type_expr](value) else [f"{path}: expected {type_expr}, got {value!r}"]
    subtypes = spec.subtypes(type_expr)
    if subtypes is not None:
        reports = [problems(spec, sub, value, f"{path}<{sub}>") for sub in subtypes]
        return [] if any(not r for r in reports) else min(reports, key=len)
    fields = spec.fields(type_expr)
    if fields is None:
        return [f"{path}: unknown type {type_expr}"]
    if not isinstance(value, dict):
        return [f"{path}: expected a {type_expr} object, got {value!r}"]
    found: list[str] = []
    known = {field.name: field for field in fields}
    for name in value:
        if name not in known:
            found.append(f"{path}.{name}: not a field of {type_expr}")
    for field in fields:
        if field.name not in value:
            if field.required:
                found.append(f"{path}.{field.name}: required field of {type_expr} missing")
            continue
        reports = [
            problems(spec, t, value[field.name], f"{path}.{field.name}") for t in field.types
        ]
        if all(reports):
            closest: list[str] = min(reports, key=len)
            found.extend(closest)
    return found


def result_problems(spec: BotApiSpec, method: str, result: Any) -> list[str]:
    """Problems of a method's ``result`` against any of its documented return types."""
    reports = [problems(spec, t, result, f"{method}()") for t in spec.returns(method)]
    return [] if any(not r for r in reports) else min(reports, key=len)

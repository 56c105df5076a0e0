"""The code's shape, checked: handlers reach data only through services, SQL lives only in
``bot/storage``, and the imports between the bot's modules have no cycle (the values the stores
return live below the stores, in their feature's package)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

BOT = Path(__file__).parents[2] / "bot"


def modules() -> dict[str, Path]:
    found = {}
    for path in BOT.rglob("*.py"):
        parts = path.relative_to(BOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The bot modules ``name`` imports (importing ``a.b.c`` also runs ``a.b``'s package)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            # A module's own packages are initialised before it runs: not a dependency.
            own = {".".join(name.split(".")[:n]) for n in range(1, name.count(".") + 2)}
            while target and target not in own:
                if target in known:
                    found.add(target)
                target = target.rpartition(".")[0]
    return found


def test_handlers_reach_data_only_through_services() -> None:
    offending = [
        f"{path.name}:{number}: {line.strip()}"
        for path in (BOT / "handlers").glob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"services\.storage|\.storage\.|bot\.storage", line)
    ]
    assert offending == []


def test_no_sql_outside_the_storage_layer() -> None:
    sql = re.compile(
        r"^\s*(import|from)\s+(aiosqlite|sqlite3)\b|\.execute(many|script)?\(|\bSELECT\s+\w",
        re.MULTILINE,
    )
    offending = [
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if "storage" not in path.relative_to(BOT).parts
        and sql.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []


def test_the_imports_have_no_cycle() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []

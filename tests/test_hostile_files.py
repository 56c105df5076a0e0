"""Files that try to exhaust the machine are refused quickly with a positioned message
(finding 12: a 478-byte alias bomb took 22 s and 2.5 GB, 100,000-deep nesting crashed the
process, a 6.5 KB workbook claiming A1:XFD1048576 took 2.8 GB).

Each file is loaded in a fresh interpreter, so that its peak memory is its own; the time is
the CPU time of the load, so that a busy machine does not fail the test."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SECONDS = 1.0
MEGABYTES = 200

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{this}: &{this} [{', '.join([f'*{last}'] * 9)}]\n"
    for last, this in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_FLOW = "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "- " * 100_000 + "x\n"

LOADERS = {
    "config": ("from bot.config import load_settings", "load_settings(path, environ={})"),
    "bank": ("from bot.quiz.bank import load_bank", "load_bank([path])"),
    "org": ("from bot.org.importer import load_units_file", "load_units_file(path)"),
    "xlsx": ("from bot.spreadsheets import workbook_sheets", "workbook_sheets(path, path.name)"),
}
PROBE = """
import json, sys, time
from pathlib import Path
from bot.yamlfile import InvalidFileError
{imports}
path = Path(sys.argv[1])
started = time.process_time()
try:
    {load}
    problems = []
except InvalidFileError as error:
    problems = [str(p) for p in error.problems]
print(json.dumps({{
    "seconds": time.process_time() - started,
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the forking process, so
    # under a 500 MB pytest the probe would report the parent's peak, not its own.
    "megabytes": next(
        int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")
    ) / 1024,
    "problems": problems,
}}))
"""


def probe(kind: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(imports=LOADERS[kind][0], load=LOADERS[kind][1]),
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("kind", ["config", "bank", "org"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LAUGHS, "YAML aliases expand to more than"),
        (DEEP_FLOW, "nested more than 64 levels deep"),
        (DEEP_BLOCK, "nested more than 64 levels deep"),
    ],
    ids=["alias bomb", "deep flow", "deep block"],
)
def test_yaml_bombs_are_refused_at_once(
    tmp_path: Path, kind: str, text: str, expected: str
) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    result = probe(kind, path)
    problems = result["problems"]
    assert isinstance(problems, list) and any(expected in p for p in problems), problems
    assert all(p.startswith(f"{path}:") for p in problems)
    assert float(result["seconds"]) < SECONDS  # type: ignore[arg-type]
    assert float(result["megabytes"]) < MEGABYTES  # type: ignore[arg-type]


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")
    result = probe("config", path)
    assert result["problems"] == [
        f"{path}: the file is 2,000,000 bytes; at most 1,048,576 are read"
    ]


def workbook_claiming(tmp_path: Path, name: str, extra_rows: bytes = b"") -> Path:
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "题型"  # type: ignore[index]
    book.save(plain)
    bomb = tmp_path / name
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                end = data.index(b">", start) + 1
                data = data[:start] + b'<dimension ref="A1:XFD1048576"/>' + data[end:]
                data = data.replace(b"</sheetData>", extra_rows + b"</sheetData>")
            out.writestr(item, data)
    return bomb


def test_a_workbook_claiming_the_whole_grid_reads_only_its_cells(tmp_path: Path) -> None:
    result = probe("xlsx", workbook_claiming(tmp_path, "claims.xlsx"))
    assert result["problems"] == []
    assert float(result["seconds"]) < SECONDS  # type: ignore[arg-type]
    assert float(result["megabytes"]) < MEGABYTES  # type: ignore[arg-type]


def test_a_workbook_with_a_cell_at_the_end_of_the_grid_is_refused(tmp_path: Path) -> None:
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = workbook_claiming(tmp_path, "far.xlsx", far)
    result = probe("xlsx", path)
    assert result["problems"] == [
        f"{path.name}:200001:1: too large: at most 200,000 rows, 1,000 columns and "
        "4,000,000 cells are read"
    ]
    assert float(result["seconds"]) < SECONDS  # type: ignore[arg-type]
    assert float(result["megabytes"]) < MEGABYTES  # type: ignore[arg-type]


def test_a_workbook_that_unpacks_to_too_much_is_refused_unopened(tmp_path: Path) -> None:
    path = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 << 20))
    result = probe("xlsx", path)
    problems = result["problems"]
    assert isinstance(problems, list) and "unpacks to 209,715,200 bytes" in problems[0]
    assert float(result["seconds"]) < SECONDS  # type: ignore[arg-type]

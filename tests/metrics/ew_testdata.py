"""Tiny hand-made emotion-wheel resources (our own words and structure) for hand-computed tests,
and a helper to load this folder's support modules by path from any test directory.

The tiny wheel (see TINY_* below) is built so that each rule of docs/openvocab-metrics.md has a visible
effect; expected values in the tests are worked out by hand from these tables.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Sequence

import openpyxl

SUPPORT_DIR = Path(__file__).resolve().parent

# format.csv rows (name, format cell). "Sulking" is capitalised on purpose: forms are not
# lower-cased, labels are, so "sulking" never matches. "gladness" belongs to two names.
TINY_FORMAT: list[tuple[str, str]] = [
    ("glad", "['glad', 'gladly', 'gladness']"),
    ("cheery", "cheery,cheerily,gladness"),
    ("blithe", "[blithe, blithely]"),
    ("sulky", "[sulky, sulkily, Sulking]"),
    ("grim", ""),
    ("dour", "['dourly']"),
]
# Two alternating synonym runs (runs 1,3,5,7 = A; 2,4,6,8 = B): (word, synonym cell).
TINY_RUN_A: list[tuple[str, str]] = [("glad", "['cheery', 'beaming']"), ("sulky", "['pouty']"),
                                     ("grim", ""), ("blithe", "[]")]
TINY_RUN_B: list[tuple[str, str]] = [("Glad ", "['jolly']"), ("sulky", "['Moody ', 'dour']"),
                                     ("grim", "['dour']"), ("blithe", "['cheery']")]
# wheel rows (level1, level2, level3); None = blank cell (inherits the value above).
TINY_WHEEL_A: list[tuple[str | None, str | None, str | None]] = [
    ("Joy", "blithe", "glad"),
    (None, None, "Beaming"),
    (None, "cheery", None),  # level3 inherits "beaming" across branches
    ("Gloom", "sulky", "moody"),
    (None, "grim", None),  # "moody" again, now under grim: the later assignment wins at level 2
]
TINY_WHEEL_B: list[tuple[str | None, str | None, str | None]] = [("Calm", "serene", "sulky")]
TINY_WHEELS = {1: TINY_WHEEL_A, 2: TINY_WHEEL_B, 3: TINY_WHEEL_A, 4: TINY_WHEEL_B, 5: TINY_WHEEL_A}


def load_support(name: str) -> ModuleType:
    """Import tests/metrics/<name>.py by path (test folders are not packages)."""
    key = f"_emer_test_support_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, SUPPORT_DIR / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)


def write_tiny_resources(directory: Path,
                         format_rows: list[tuple[str, str]] | None = None,
                         run_a: list[tuple[str, str]] | None = None,
                         run_b: list[tuple[str, str]] | None = None,
                         wheels: dict[int, list[tuple[Any, Any, Any]]] | None = None) -> Path:
    """Write format.csv, synonym.xlsx and wheel1..5.xlsx into `directory` (created)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory / "format.csv", ["name", "format"], format_rows or TINY_FORMAT)
    a, b = run_a or TINY_RUN_A, run_b or TINY_RUN_B
    header: list[str] = []
    for k in range(1, 9):
        header += [f"word_run{k}", f"synonym_run{k}"]
    rows = []
    for i in range(max(len(a), len(b))):
        row: list[Any] = []
        for k in range(1, 9):
            run = a if k % 2 == 1 else b
            row += list(run[i]) if i < len(run) else [None, None]
        rows.append(row)
    write_xlsx(directory / "synonym.xlsx", header, rows)
    for wheel, wheel_rows in (wheels or TINY_WHEELS).items():
        write_xlsx(directory / f"wheel{wheel}.xlsx", ["level1", "level2", "level3"], wheel_rows)
    return directory


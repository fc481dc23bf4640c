"""Reading `name` + label-column files (CSV or JSONL) for `emer-bench score-labels`.

CSV cells are read as the reference code's `func_read_key_from_csv` sees them: pandas'
missing-value strings ("", "NA", "None", "nan", ...) become "" (an empty label list).
Clip names are kept verbatim. JSONL lines are objects; label fields may be lists or strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emer_bench.errors import DataError
from emer_bench.resources.sheets import is_pandas_missing, read_csv_table
from emer_bench.jsonl import read_json_objects

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class LabelColumn:
    path: Path
    column: str  # the label column that was read
    values: dict[str, Any]  # clip name -> raw cell (str for CSV; str/list/None for JSONL), file order


def _add(values: dict[str, Any], path: Path, where: str, name: Any, value: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise DataError(f"{path}: {where}: 'name' must be a non-empty string, got {name!r}")
    if name in values:
        raise DataError(f"{path}: {where}: duplicate name '{name}'")
    values[name] = value


def _read_csv(path: Path, candidates: tuple[str, ...]) -> LabelColumn:
    table = read_csv_table(path, DataError)
    if "name" not in table.header:
        raise DataError(f"{path}: missing column 'name' (columns: {', '.join(table.header)})")
    column = next((c for c in candidates if c in table.header), None)
    if column is None:
        raise DataError(f"{path}: needs a column {' or '.join(repr(c) for c in candidates)} "
                        f"(columns: {', '.join(table.header)})")
    name_col, value_col = table.column("name"), table.column(column)
    values: dict[str, Any] = {}
    for number, row in enumerate(table.rows, start=2):
        cell = row[value_col]
        _add(values, path, f"row {number}", row[name_col], "" if is_pandas_missing(cell) else cell)
    return LabelColumn(path, column, values)


def _read_jsonl(path: Path, candidates: tuple[str, ...]) -> LabelColumn:
    records = read_json_objects(path)
    if not records:
        raise DataError(f"{path}: no records")
    column = next((c for c in candidates if c in records[0][1]), None)
    if column is None:
        raise DataError(f"{path}: line {records[0][0]}: needs a field {' or '.join(repr(c) for c in candidates)}")
    values: dict[str, Any] = {}
    for number, record in records:
        if "name" not in record:
            raise DataError(f"{path}: line {number}: missing field 'name'")
        if column not in record:
            raise DataError(f"{path}: line {number}: missing field '{column}'")
        value = record[column]
        if value is not None and not isinstance(value, (str, list)):
            raise DataError(f"{path}: line {number}: '{column}' must be a list or a string, got {value!r}")
        _add(values, path, f"line {number}", record["name"], value)
    return LabelColumn(path, column, values)


def read_label_column(path: Path, candidates: tuple[str, ...]) -> LabelColumn:
    """`name` and the first of `candidates` present, from a CSV or JSONL file."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _read_jsonl(path, candidates)
    return _read_csv(path, candidates)

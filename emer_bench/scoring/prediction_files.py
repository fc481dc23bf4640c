"""Reading clip-id + one-column files (CSV or JSONL): label lists for `score-labels`, free
text for `score-labels --text-column` and `score-text`.

The id column may be `name` (OV-MERD files), `names` (the upstream EMER v1 file) or
`clip_id` (emer-bench samples); the first present is used. CSV cells are read as the
reference code's `func_read_key_from_csv` sees them: pandas' missing-value strings ("", "NA",
"None", "nan", ...) become "" (an empty label list). Clip names are kept verbatim. JSONL lines
are objects; label fields may be lists or strings. An unbalanced double quote in a CSV file
(which would silently swallow every later row into one cell) is an error naming its line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emer_bench.errors import DataError
from emer_bench.jsonl import read_json_objects
from emer_bench.resources.sheets import is_pandas_missing, read_csv_table

JSONL_SUFFIXES = (".jsonl", ".ndjson")
ID_COLUMNS = ("name", "names", "clip_id")


@dataclass(frozen=True)
class LabelColumn:
    path: Path
    column: str  # the value column that was read
    values: dict[str, Any]  # clip name -> raw cell (str for CSV; str/list/None for JSONL), file order
    id_column: str = "name"


def _add(values: dict[str, Any], path: Path, where: str, id_column: str, name: Any, value: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise DataError(f"{path}: {where}: '{id_column}' must be a non-empty string, got {name!r}")
    if name in values:
        raise DataError(f"{path}: {where}: duplicate {id_column} '{name}'")
    values[name] = value


def check_quotes(path: Path) -> None:
    """DataError naming the line where a double-quoted field opens and never closes."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as UTF-8 CSV ({exc})") from None
    reader = csv.reader(text.splitlines(keepends=True))
    start = 1
    for row in reader:
        # a row that ends at end of file while spanning lines, with an odd number of quote
        # marks in its text, is a field whose quote was never closed
        if reader.line_num > start and any("\n" in cell or "\r" in cell for cell in row):
            lines = text.splitlines()[start - 1:reader.line_num]
            if sum(line.count('"') for line in lines) % 2:
                raise DataError(f"{path}: line {start}: unbalanced double quote (the field opened there "
                                "never closes, so every later line would be read into it)")
        start = reader.line_num + 1


def _first_present(candidates: tuple[str, ...], present: Any) -> str | None:
    return next((c for c in candidates if c in present), None)


def _read_csv(path: Path, candidates: tuple[str, ...]) -> LabelColumn:
    check_quotes(path)
    table = read_csv_table(path, DataError)
    id_column = _first_present(ID_COLUMNS, table.header)
    if id_column is None:
        raise DataError(f"{path}: missing an id column ({', '.join(ID_COLUMNS)}; columns: {', '.join(table.header)})")
    column = _first_present(candidates, table.header)
    if column is None:
        raise DataError(f"{path}: needs a column {' or '.join(repr(c) for c in candidates)} "
                        f"(columns: {', '.join(table.header)})")
    name_col, value_col = table.column(id_column), table.column(column)
    if not table.rows:  # as an empty JSONL file: no predictions is a wrong file, not a score of 0
        raise DataError(f"{path}: no records (only the header line)")
    values: dict[str, Any] = {}
    for number, row in zip(table.line_numbers, table.rows):
        cell = row[value_col]
        _add(values, path, f"row {number}", id_column, row[name_col], "" if is_pandas_missing(cell) else cell)
    return LabelColumn(path, column, values, id_column)


def _read_jsonl(path: Path, candidates: tuple[str, ...]) -> LabelColumn:
    records = read_json_objects(path)
    if not records:
        raise DataError(f"{path}: no records")
    first_line, first = records[0]
    column = _first_present(candidates, first)
    if column is None:
        raise DataError(f"{path}: line {first_line}: needs a field {' or '.join(repr(c) for c in candidates)}")
    id_column = _first_present(ID_COLUMNS, first)
    if id_column is None:
        raise DataError(f"{path}: line {first_line}: missing an id field ({', '.join(ID_COLUMNS)})")
    values: dict[str, Any] = {}
    for number, record in records:
        if id_column not in record:
            raise DataError(f"{path}: line {number}: missing field '{id_column}'")
        if column not in record:
            raise DataError(f"{path}: line {number}: missing field '{column}'")
        value = record[column]
        if value is not None and not isinstance(value, (str, list)):
            raise DataError(f"{path}: line {number}: '{column}' must be a list or a string, got {value!r}")
        _add(values, path, f"line {number}", id_column, record[id_column], value)
    return LabelColumn(path, column, values, id_column)


def read_label_column(path: Path, candidates: tuple[str, ...]) -> LabelColumn:
    """The id column and the first of `candidates` present, from a CSV or JSONL file."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _read_jsonl(path, candidates)
    if path.suffix.lower() == ".json":  # read as CSV, its JSON text would come back as "columns"
        try:
            return _read_jsonl(path, candidates)
        except DataError as exc:  # e.g. a JSON array: say what shape is expected
            raise DataError(f'{exc} (a .json file is read as JSON Lines: one {{"name": ..., '
                            f'"{candidates[0]}": ...}} object per line)') from None
    return _read_csv(path, candidates)


def id_mismatch(references: dict[str, Any], predictions: LabelColumn) -> None:
    """Predictions for clips the references do not have are an error (a wrong file or ids)."""
    extra = [name for name in predictions.values if name not in references]
    if extra:
        shown = ", ".join(repr(name) for name in extra[:5])
        raise DataError(f"{predictions.path}: {len(extra)} of {len(predictions.values)} predictions match no "
                        f"reference clip (first: {shown}); check the file and its '{predictions.id_column}' column")

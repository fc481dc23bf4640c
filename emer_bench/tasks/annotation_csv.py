"""Reading a task's CSV annotation file, with one clear line (file and line) for every bad input.

The reader refuses what would otherwise be read silently wrong: a file that is not UTF-8, a
field over the csv module's 128 KiB limit, a row with fewer or more fields than the header (csv
would fill the gap with None or drop it), a row with an empty clip id, an empty or header-only file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from emer_bench.errors import DataError

# csv's own default limit (in characters); named here so the message can say it.
MAX_FIELD_CHARS = 128 * 1024


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                        "save the file as UTF-8") from None


def read_csv_rows(path: Path, id_column: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) per data row; any malformed input is a DataError naming file and line."""
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    csv.field_size_limit(MAX_FIELD_CHARS)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for values in reader:
            if header is None:
                header = [h.strip() for h in values]
                if id_column not in header:
                    raise DataError(f"{path}:1: no id column '{id_column}' (columns: {', '.join(header)})")
                continue
            if not values:  # a blank line, as csv.DictReader skips it
                continue
            rows.append((reader.line_num, _row(path, reader.line_num, header, values, id_column)))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DataError(f"{path}:{reader.line_num}: a field is longer than {MAX_FIELD_CHARS // 1024} KiB "
                            "(an unclosed quote?)") from None
        raise DataError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from None
    if header is None:
        raise DataError(f"{path}: empty file (expected a header row with a '{id_column}' column, then one row per clip)")
    if not rows:
        raise DataError(f"{path}: header only, no clips (columns: {', '.join(header)})")
    return rows


def _row(path: Path, line: int, header: list[str], values: list[str], id_column: str) -> dict[str, str]:
    if len(values) != len(header):
        raise DataError(f"{path}:{line}: {len(values)} fields, the header has {len(header)} "
                        f"({', '.join(header)})")
    row = dict(zip(header, values))
    if not row[id_column].strip():
        raise DataError(f"{path}:{line}: empty clip id in column '{id_column}'")
    return row

"""Read CSV and XLSX tables the way the reference code's `pd.read_csv` / `pd.read_excel` see them,
without pandas.

What matters for the EW resources and annotation files (pandas defaults):
- CSV: UTF-8 with an optional BOM; lines that are empty or only spaces/tabs are skipped; the
  first remaining line is the header; a short row is padded with missing cells; a long row is
  an error (pandas raises too).
- XLSX: the first worksheet, cached values of formulas (pandas opens with data_only=True);
  an empty cell reads as "", an error cell (#N/A, #REF!, ...) as missing; whole numbers as int.
- Missing-value strings: pandas turns "", "NA", "null", "None", "nan", "#N/A", ... (the exact
  set below) into NaN in both readers. `is_pandas_missing` answers that question per cell.
"""

from __future__ import annotations

import csv
import math
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from emer_bench.errors import EmerBenchError

# pandas' default `na_values` (pandas._libs.parsers.STR_NA_VALUES, pandas >= 2.0).
PANDAS_NA_STRINGS: frozenset[str] = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})

Cell = str | int | float | bool | datetime | None


@dataclass(frozen=True)
class Table:
    """A header and data rows; every row has exactly len(header) cells."""

    path: Path
    header: list[str]
    rows: list[list[Cell]]
    # the file line each CSV row starts on (blank lines skipped and quoted newlines counted), so that
    # an error names the line an editor shows; empty for XLSX
    line_numbers: list[int] = field(default_factory=list)

    def column(self, name: str) -> int:
        """Index of column `name`; KeyError when absent."""
        return self.header.index(name)


def is_pandas_missing(cell: Cell) -> bool:
    """True where pandas would put NaN: absent, an error cell, or one of its NA strings."""
    if cell is None:
        return True
    if isinstance(cell, float):
        return math.isnan(cell)
    return isinstance(cell, str) and cell in PANDAS_NA_STRINGS


def _is_blank_line(row: list[str]) -> bool:
    # pandas' tokenizer skips a line holding nothing but spaces/tabs; csv gives it as one field.
    return not row or (len(row) == 1 and row[0].strip(" \t") == "")


def read_csv_table(path: Path, error: type[EmerBenchError]) -> Table:
    """A CSV file as text cells (no NA conversion); raises `error` naming the file on bad input."""
    lines: list[list[str]] = []
    starts: list[int] = []
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            start = 1
            for row in reader:
                if not _is_blank_line(row):
                    lines.append(row)
                    starts.append(start)
                start = reader.line_num + 1
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise error(f"{path}: cannot read as UTF-8 CSV ({exc})") from None
    if not lines:
        raise error(f"{path}: empty file (no header line)")
    header, width = lines[0], len(lines[0])
    rows: list[list[Cell]] = []
    for number, row in zip(starts[1:], lines[1:]):
        if len(row) > width:
            raise error(f"{path}: data line {number} has {len(row)} fields, the header has {width}")
        rows.append(list(row) + [None] * (width - len(row)))
    return Table(path, header, rows, starts[1:])


def _convert_xlsx_cell(cell: object) -> Cell:
    """pandas' openpyxl cell conversion: None -> "", error -> NaN, whole floats -> int."""
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if value is None:
        return ""
    if data_type == "e":
        return math.nan
    if data_type == "n" and isinstance(value, (int, float)) and not isinstance(value, bool):
        as_int = int(value)
        return as_int if as_int == value else float(value)
    converted: Cell = value  # text, a bool or a datetime as openpyxl (untyped) gives it
    return converted


def read_xlsx_table(path: Path, error: type[EmerBenchError]) -> Table:
    """The first worksheet of an .xlsx file; cells converted as pandas' openpyxl reader does."""
    import openpyxl  # imported here: only resource loading needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise error(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # read-only sheets can carry a wrong stored size
        data: list[list[Cell]] = []
        last_with_data = -1
        for number, raw_row in enumerate(sheet.rows):
            row = [_convert_xlsx_cell(cell) for cell in raw_row]
            while row and row[-1] == "":
                row.pop()
            if row:
                last_with_data = number
            data.append(row)
    finally:
        book.close()
    data = data[: last_with_data + 1]
    if not data:
        raise error(f"{path}: the first worksheet is empty (no header row)")
    width = max(len(row) for row in data)
    data = [row + [""] * (width - len(row)) for row in data]
    if width == 1:  # pandas drops one-cell rows that are blank
        data = [row for row in data if not (isinstance(row[0], str) and not row[0].strip())]
    header = ["" if is_pandas_missing(c) else str(c) for c in data[0]]
    return Table(path, header, data[1:])

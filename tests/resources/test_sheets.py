"""The pandas-free readers must see CSV/XLSX cells exactly as pandas' defaults do."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from emer_bench.errors import DataError, ResourceError
from emer_bench.resources.sheets import (PANDAS_NA_STRINGS, is_pandas_missing, read_csv_table,
                                              read_xlsx_table)


def _ours(cell: Any) -> Any:
    return None if is_pandas_missing(cell) else cell


def _theirs(cell: Any) -> Any:
    return None if pd.isna(cell) else cell


def test_na_strings_are_pandas_defaults() -> None:
    from pandas._libs.parsers import STR_NA_VALUES

    assert PANDAS_NA_STRINGS == frozenset(STR_NA_VALUES)


CSV_CASES = {
    "blank_and_whitespace_lines": 'name,format\na,"x,y"\n\n   \n\t\nb,z\n',
    "comma_only_line": "name,format\na,b\n,\nc,d\n",
    "short_row": "name,format\na\nb,z\n",
    "quoted_empty_and_space": 'name,format\na,""\nb," "\n',
    "na_strings": "name,format\nNA,None\nnull,nan\n n/a,#N/A\nN/A,<NA>\n",
    "spaces_kept": "name,format\n a , b \n",
    "crlf": "name,format\r\na,b\r\n",
    "leading_blank_lines": "\n\nname,format\na,b\n",
    "quotes_mid_field": 'name,format\na"b,"c"d\n',
    "embedded_newline": 'name,format\na,"x\ny"\n',
    "bom": "\ufeffname,format\na,b\n",
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_csv_matches_pandas(tmp_path: Path, case: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(CSV_CASES[case].encode("utf-8"))
    table = read_csv_table(path, ResourceError)
    frame = pd.read_csv(path)
    assert table.header == list(frame.columns)
    ours = [[_ours(c) for c in row] for row in table.rows]
    theirs = [[_theirs(c) for c in row] for row in frame.itertuples(index=False)]
    assert ours == theirs


def test_csv_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("name,format\na,b,c\n")
    with pytest.raises(DataError, match=r"long\.csv: data line 2 has 3 fields"):
        read_csv_table(path, DataError)
    with pytest.raises(ResourceError, match="nope.csv: file not found"):
        read_csv_table(tmp_path / "nope.csv", ResourceError)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(DataError, match="empty file"):
        read_csv_table(empty, DataError)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,format\n\xe9,x\n".encode("latin-1"))
    with pytest.raises(DataError, match="UTF-8"):
        read_csv_table(latin, DataError)


def _write_tricky_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["level1", "level2", "level3"])
    sheet.append(["Alpha", "NA", "x"])  # NA string -> NaN
    sheet.append([None, None, None])  # an empty middle row stays (all NaN)
    sheet.append(["  ", "b", 3])  # whitespace kept, a whole number
    sheet.append(["c", 2.5, True])  # float, bool
    sheet.append(["null", "None", "nan"])
    sheet.append(["d", None, None])  # trailing empty cells
    sheet["A9"] = "=1/0"  # a formula without cached value: pandas (data_only) sees nothing
    sheet["B9"] = "#N/A"  # the *text* "#N/A" is an NA string too
    sheet.append([None, None, None])
    sheet.append([None, None, None])  # trailing empty rows are trimmed
    book.save(path)


def test_xlsx_matches_pandas(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    _write_tricky_xlsx(path)
    table = read_xlsx_table(path, ResourceError)
    frame = pd.read_excel(path)
    assert table.header == list(frame.columns)
    ours = [[_ours(c) for c in row] for row in table.rows]
    theirs = [[_theirs(c) for c in row] for row in frame.astype(object).itertuples(index=False)]
    assert len(ours) == len(theirs)
    for mine, pandas_row in zip(ours, theirs):
        for a, b in zip(mine, pandas_row):
            if isinstance(b, float) and isinstance(a, (int, float)):
                assert math.isclose(a, b)
            else:
                assert a == b, (mine, pandas_row)


def test_xlsx_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(ResourceError, match=r"bad\.xlsx: not a readable \.xlsx"):
        read_xlsx_table(bad, ResourceError)
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    with pytest.raises(ResourceError, match="empty"):
        read_xlsx_table(empty, ResourceError)


def test_real_resources_read_like_pandas(wheel_dir: Path) -> None:
    for name in ["synonym.xlsx"] + [f"wheel{i}.xlsx" for i in range(1, 6)]:
        table = read_xlsx_table(wheel_dir / name, ResourceError)
        frame = pd.read_excel(wheel_dir / name)
        assert table.header == list(frame.columns)
        ours = [[_ours(c) for c in row] for row in table.rows]
        theirs = [[_theirs(c) for c in row] for row in frame.astype(object).itertuples(index=False)]
        assert ours == theirs, name
    table = read_csv_table(wheel_dir / "format.csv", ResourceError)
    frame = pd.read_csv(wheel_dir / "format.csv")
    assert [[_ours(c) for c in row] for row in table.rows] == \
        [[_theirs(c) for c in row] for row in frame.itertuples(index=False)]

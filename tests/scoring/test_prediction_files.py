"""Reading name + label columns from CSV (pandas' NA semantics) and JSONL."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.scoring.prediction_files import read_label_column
from emer_bench.errors import DataError


def test_csv_cells_read_like_pandas(tmp_path: Path) -> None:
    path = tmp_path / "ref.csv"
    path.write_text("name,openset,other\nNA,NA,1\nb,,2\nc,\"['x', 'y']\",3\nd\n\n  \ne,None,4\n")
    column = read_label_column(path, ("openset", "label"))
    assert column.column == "openset"
    # names are kept verbatim (a clip may be called "NA"); label cells in pandas' NA set become ""
    assert column.values == {"NA": "", "b": "", "c": "['x', 'y']", "d": "", "e": ""}


def test_first_candidate_column_wins(tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_text("name,label,openset\na,happy,[sad]\n")
    assert read_label_column(path, ("openset", "label")).column == "openset"


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"name": "a", "openset": ["x"]}\n\n{"name": "b", "openset": null, "extra": 1}\n')
    assert read_label_column(path, ("openset",)).values == {"a": ["x"], "b": None}
    with pytest.raises(DataError, match="p.jsonl: line 3: duplicate name 'a'"):
        path.write_text('{"name": "a", "openset": []}\n\n{"name": "a", "openset": []}\n')
        read_label_column(path, ("openset",))
    path.write_text("\n")
    with pytest.raises(DataError, match="no records"):
        read_label_column(path, ("openset",))
    path.write_text('{"name": "a"}\n')
    with pytest.raises(DataError, match="line 1: needs a field 'openset'"):
        read_label_column(path, ("openset",))
    path.write_text('{"name": "a", "openset": []}\n{"name": "b"}\n')
    with pytest.raises(DataError, match="line 2: missing field 'openset'"):
        read_label_column(path, ("openset",))


def test_a_header_only_csv_is_an_error_not_a_score_of_zero(tmp_path: Path) -> None:
    # as an empty JSONL file: a predictions file with no rows scored 0.0 for every clip, exit 0
    path = tmp_path / "preds.csv"
    path.write_text("name,openset\n\n")
    with pytest.raises(DataError, match=r"preds.csv: no records \(only the header line\)"):
        read_label_column(path, ("openset",))


def test_a_json_file_is_read_as_json_lines_and_named_as_such(tmp_path: Path) -> None:
    # read as CSV, a .json file failed with its JSON text listed as "columns"
    path = tmp_path / "preds.json"
    path.write_text('{"name": "a", "openset": ["x"]}\n{"name": "b", "openset": "y, z"}\n')
    assert read_label_column(path, ("openset",)).values == {"a": ["x"], "b": "y, z"}
    path.write_text('[{"name": "a", "openset": ["x"]}]')
    with pytest.raises(DataError, match=r'preds.json:1: expected a JSON object, got list \(a \.json file is read '
                                        r'as JSON Lines: one \{"name": \.\.\., "openset": \.\.\.\} object per line\)'):
        read_label_column(path, ("openset",))


def test_errors_name_the_file_line_after_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    # the row number counted the rows kept, so a blank line or a multi-line cell shifted it
    path = tmp_path / "preds.csv"
    path.write_text('name,openset\na,happy\n\nb,"sad,\nangry"\na,x\n')
    with pytest.raises(DataError, match="preds.csv: row 6: duplicate name 'a'"):
        read_label_column(path, ("openset",))
    path.write_text("name,openset\na,happy\n\n\nb,x,y,z\n")
    with pytest.raises(DataError, match="preds.csv: data line 5 has 4 fields"):
        read_label_column(path, ("openset",))

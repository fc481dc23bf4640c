"""Every malformed annotation CSV is one DataError naming the file and the line."""

from __future__ import annotations

import pytest

from emer_bench.errors import DataError
from emer_bench.tasks.annotation_csv import read_csv_rows


def _write(tmp_path, content: bytes | str):
    path = tmp_path / "ann.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_good_file_gives_rows_with_line_numbers(tmp_path):
    path = _write(tmp_path, '\ufeffname,text\na,"two\nlines"\n\nb,x\n')
    assert read_csv_rows(path, "name") == [(3, {"name": "a", "text": "two\nlines"}), (5, {"name": "b", "text": "x"})]


@pytest.mark.parametrize("content, message", [
    (b"name,text\na,ok\nb,caf\xe9\n", r"ann.csv:3: not UTF-8 text"),
    ("name,text\na,ok\nb," + "x" * (129 * 1024) + "\n", r"ann.csv:3: a field is longer than 128 KiB"),
    ('name,text\na,"never closed\n' + "y" * (129 * 1024), r"ann.csv:\d+: a field is longer than 128 KiB"),
    ("name,text\na,ok\n,orphan\n", r"ann.csv:3: empty clip id in column 'name'"),
    ("name,text\na,ok\nb\n", r"ann.csv:3: 1 fields, the header has 2"),
    ("name,text\na,ok,extra\n", r"ann.csv:2: 3 fields, the header has 2"),
    ("name,text\n", r"ann.csv: header only, no clips"),
    ("", r"ann.csv: empty file"),
    ("id,text\na,ok\n", r"ann.csv:1: no id column 'name'"),
])
def test_bad_input_is_one_line_naming_file_and_line(tmp_path, content, message):
    with pytest.raises(DataError, match=message) as info:
        read_csv_rows(_write(tmp_path, content), "name")
    assert "\n" not in str(info.value) and len(str(info.value)) < 300

import json
import math

import pytest

from emer_bench.errors import DataError
from emer_bench.results.writer import read_results, write_json_atomic, write_jsonl_atomic


def test_nan_metrics_are_written_as_null(tmp_path):
    path = tmp_path / "r.json"
    write_json_atomic(path, {"results": {"t": {"metrics": {"j.score": {"value": math.nan, "ci95": [math.inf, 1.0]}}}}})
    data = json.loads(path.read_text())  # strict JSON: no NaN tokens
    assert data["results"]["t"]["metrics"]["j.score"] == {"value": None, "ci95": [None, 1.0]}
    assert not list(tmp_path.glob("*.tmp"))


def test_read_results_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="results file not found"):
        read_results(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(DataError, match="bad.json: not valid JSON"):
        read_results(bad)
    other = tmp_path / "other.json"
    other.write_text("{}")
    with pytest.raises(DataError, match="not an emer-bench results file"):
        read_results(other)


def test_the_one_writer_masks_secrets_writes_null_for_nan_and_never_replaces_an_exclusive_file(tmp_path) -> None:
    path = tmp_path / "scores.jsonl"
    write_jsonl_atomic(path, [{"v": math.nan, "api_key": "sk-should-not-appear", "url": "http://u:pw@h/v1"}],
                       exclusive=True)
    text = path.read_text()
    assert '"v": null' in text and "sk-should-not-appear" not in text and "pw@" not in text
    with pytest.raises(DataError, match="already exists"):
        write_jsonl_atomic(path, [{"v": 1}], exclusive=True)
    assert path.read_text() == text and not list(tmp_path.glob(".*.tmp"))

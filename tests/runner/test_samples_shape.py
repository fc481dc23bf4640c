"""A samples file line that is not a record is one DataError naming file:line, in `run` and `score`."""

from __future__ import annotations

import json

import pytest

from emer_bench.cli.main import main
from emer_bench.errors import DataError
from emer_bench.runner.samples_file import read_samples

GOOD = {"task": "emer-demo", "clip_id": "demo_00", "index": 0, "prompt": "p", "reference": {"openset": ["happy"], "explanation": "smiles", "label": "happy", "valence": 0.5, "arousal": 0.2},
        "response": "I feel happy", "error": None, "latency_s": 0.1, "completed_at": "2026-01-01T00:00:00+00:00"}


def _file(tmp_path, *lines: str, end: str = "\n"):
    path = tmp_path / "samples_emer-demo_x.jsonl"
    path.write_text("\n".join(lines) + end)
    return path


@pytest.mark.parametrize("bad, why", [
    ("null", "expected a JSON object, got null"),
    ("[]", "expected a JSON object, got a list"),
    ("{}", "missing field(s) task, clip_id, index, prompt"),
    (json.dumps({**GOOD, "index": "3"}), "field 'index' is a string, expected an integer"),
    (json.dumps({**GOOD, "index": True}), "field 'index' is a boolean, expected an integer"),
    (json.dumps({**GOOD, "response": 5}), "field 'response' is an integer, expected a string or null"),
    (json.dumps({**GOOD, "reference": {"openset": "happy"}}), "field 'reference.openset' is a string, expected a list or null"),
    (json.dumps({**GOOD, "clip_id": " "}), "field 'clip_id' is empty"),
])
@pytest.mark.parametrize("last", [False, True])
def test_bad_line_names_file_and_line(tmp_path, bad, why, last):
    lines = [json.dumps(GOOD), bad] if last else [bad, json.dumps(GOOD)]
    path = _file(tmp_path, *lines)
    with pytest.raises(DataError) as info:
        read_samples(path)
    assert str(info.value) == f"{path}:{2 if last else 1}: not a samples record ({why})"


def test_only_a_torn_tail_without_newline_is_skipped(tmp_path):
    assert set(read_samples(_file(tmp_path, json.dumps(GOOD), '{"task": "emer-', end=""), strict=True)) == {"demo_00"}
    with pytest.raises(DataError, match=r":2: not a samples record \(invalid JSON"):
        read_samples(_file(tmp_path, json.dumps(GOOD), '{"task": "emer-'))  # complete line: not a crash


def test_score_command_prints_one_line(tmp_path, capsys):
    path = _file(tmp_path, json.dumps(GOOD), "null", json.dumps({**GOOD, "clip_id": "demo_01"}))
    assert main(["score", str(path), "--n-resamples", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {path}:2: not a samples record (expected a JSON object, got null)"


def test_score_command_skips_a_torn_tail_like_run(tmp_path, capsys):
    path = _file(tmp_path, json.dumps(GOOD), json.dumps({**GOOD, "clip_id": "demo_01", "index": 1})[:40], end="")
    assert main(["score", str(path), "--n-resamples", "0", "--output", str(tmp_path / "r.json")]) == 0
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["results"]["emer-demo"]["n_total"] == 1


def test_score_with_task_takes_only_that_tasks_records_of_a_mixed_file(tmp_path, capsys):
    other = {**GOOD, "task": "emer-demo-va", "clip_id": "demo_05", "index": 0}
    path = _file(tmp_path, json.dumps(GOOD), json.dumps(other))
    out = tmp_path / "r.json"
    assert main(["score", str(path), "--task", "emer-demo", "--n-resamples", "0", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["results"]["emer-demo"]["n_total"] == 1  # not emer-demo-va's record
    assert main(["score", str(path), "--task", "mer2023", "--n-resamples", "0"]) == 2
    assert "records of several tasks ['emer-demo', 'emer-demo-va']; pass --task with one of them" in \
        " ".join(capsys.readouterr().err.split())

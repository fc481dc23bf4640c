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


def test_read_results_of_bytes_a_folder_or_a_samples_file_is_one_line_naming_the_file(tmp_path):
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe{}")
    with pytest.raises(DataError, match=r"bin.json: not a results file \(not UTF-8 text: byte 0\)"):
        read_results(binary)
    with pytest.raises(DataError, match=f"{tmp_path}: cannot read the results file"):
        read_results(tmp_path)
    samples = tmp_path / "samples_t_1.jsonl"
    samples.write_text('{"clip_id": "a"}\n{"clip_id": "b"}\n')
    with pytest.raises(DataError, match=r"samples_t_1.jsonl: not valid JSON .*a samples file"):
        read_results(samples)


def test_the_one_writer_masks_secrets_writes_null_for_nan_and_never_replaces_an_exclusive_file(tmp_path) -> None:
    path = tmp_path / "scores.jsonl"
    write_jsonl_atomic(path, [{"v": math.nan, "api_key": "sk-should-not-appear", "url": "http://u:pw@h/v1"}],
                       exclusive=True)
    text = path.read_text()
    assert '"v": null' in text and "sk-should-not-appear" not in text and "pw@" not in text
    with pytest.raises(DataError, match="already exists"):
        write_jsonl_atomic(path, [{"v": 1}], exclusive=True)
    assert path.read_text() == text and not list(tmp_path.glob(".*.tmp"))


def _tricky_values(monkeypatch) -> list:
    """Values on both sides of every condition `redact`/`to_strict_json` act on."""
    import numpy as np
    from pydantic import SecretStr

    from emer_bench.redact import register_secret

    monkeypatch.setenv("MY_SERVICE_TOKEN", "env-hidden-value1")
    register_secret('reg"ist\\ered-hidden')
    strings = ["plain", "confused", "", "sk-abcdefghijklmnopqrstu", "see http://user:pw@host/v1", "mail a@b.c",
               "http://host/x", "api_key=abc123", "x=1,y=2", "Authorization: Bearer abcdefgh",
               "bearer\tabcdefghij", "Basic emotions", "token budget", "env-hidden-value1",
               'reg"ist\\ered-hidden', "Ünïcode", "\u017fk-x", "TOKEN\nabcdef12", "line\nbreak", "%3D",
               "predicted monkey", "\u0130bearer abcdefgh"]
    keys = ["clip_id", "scores", "api_key", "Token", "password", "keys", "tokens", "name", "auth", "k\u212ay"]
    rng = __import__("random").Random(7)

    def value(depth: int):
        kind = rng.randrange(9 if depth < 3 else 5)
        if kind == 0:
            return rng.choice(strings)
        if kind == 1:
            return rng.choice([0.5, 1, -2.25, math.nan, math.inf, True, None, 0.1 + 0.2])
        if kind == 2:
            return rng.choice([np.float64(0.25), np.float32(math.nan), np.int64(3), np.float32(0.1)])
        if kind == 3:
            return SecretStr("sec-ret-value") if rng.random() < 0.3 else rng.choice(strings)
        if kind == 4:
            return rng.choice(strings).upper()
        if kind in (5, 6):
            return {rng.choice(keys + strings[:3]): value(depth + 1) for _ in range(rng.randrange(4))}
        if kind == 7:
            return tuple(value(depth + 1) for _ in range(rng.randrange(3)))
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    return [value(0) for _ in range(3000)] + [
        {"clip_id": "c1", "index": 0, "failed": False, "item_sha256": "ab" * 32,
         "scores": {"label_overlap": {"precision": 0.5, "recall": 0.5, "predicted": ["sad"]}, "rouge_l": {"f": 0.2}}}]


def test_dumps_strict_writes_what_the_full_redaction_walk_writes(monkeypatch) -> None:
    # dumps_strict skips redact/to_strict_json where they cannot change anything; the text must be
    # the same as the full walk's for every value, secret or not.
    from emer_bench.redact import known_secrets
    from emer_bench.results import writer

    values = _tricky_values(monkeypatch)
    secrets = known_secrets()
    fast = 0
    for value in values:
        for indent in (None, 2):
            assert writer.dumps_strict(value, indent=indent) == writer._dumps_masked(value, indent, secrets), value
            fast += writer._dumps_as_is(value, indent, secrets) is not None
    assert 0 < fast < 2 * len(values)  # both paths taken
    row = values[-1]
    assert writer._dumps_as_is(row, None, secrets) == writer.dumps_strict(row)  # a scores line: the short path
    assert "env-hidden-value1" not in writer.dumps_strict({"m": "x env-hidden-value1"})

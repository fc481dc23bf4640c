from __future__ import annotations

import json

import pytest

from emer_bench.api.records import SampleRecord
from emer_bench.api.requests import Reference
from emer_bench.errors import DataError
from emer_bench.runner.samples_file import SamplesWriter, read_samples


def record(clip: str, response: str | None, error: str | None = None) -> SampleRecord:
    return SampleRecord(task="t", clip_id=clip, index=int(clip[-1]), prompt="p",
                        reference=Reference(openset=["happy"]), response=response, error=error,
                        latency_s=0.1, completed_at="2026-01-01T00:00:00+00:00")


def test_each_append_is_on_disk_immediately(tmp_path):
    path = tmp_path / "s.jsonl"
    writer = SamplesWriter(path)
    writer.append(record("c1", "happy"))
    # Read through a separate handle before close: the line is already there.
    assert json.loads(path.read_text().splitlines()[0])["clip_id"] == "c1"
    writer.close()


def test_roundtrip_keeps_reference_and_error(tmp_path):
    path = tmp_path / "s.jsonl"
    with SamplesWriter(path) as w:
        w.append(record("c1", None, "MediaError: x.mp4: not found"))
    rec = read_samples(path)["c1"]
    assert rec.reference.openset == ["happy"] and rec.error.startswith("MediaError") and not rec.ok


def test_latest_record_per_clip_wins(tmp_path):
    path = tmp_path / "s.jsonl"
    with SamplesWriter(path) as w:
        w.append(record("c1", None, "HTTP 500: boom"))
        w.append(record("c1", "sad"))
    assert read_samples(path)["c1"].response == "sad"


def test_torn_tail_is_dropped_and_appends_continue(tmp_path):
    path = tmp_path / "s.jsonl"
    with SamplesWriter(path) as w:
        w.append(record("c1", "a"))
    with path.open("a") as fh:
        fh.write('{"task": "t", "clip_')  # crash mid-write
    assert set(read_samples(path)) == {"c1"}
    with SamplesWriter(path) as w:
        w.append(record("c2", "b"))
    assert set(read_samples(path)) == {"c1", "c2"}


def test_corrupt_middle_line_is_a_clear_error(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('garbage\n' + json.dumps(record("c1", "a").to_json()) + "\n")
    with pytest.raises(DataError, match=r"s.jsonl:1: not a samples record"):
        read_samples(path)

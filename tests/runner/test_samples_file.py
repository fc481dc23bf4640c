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


def test_fsyncs_off_the_appending_thread_and_at_close(tmp_path, monkeypatch):
    # A burst of appends is forced to disk by the writer's own thread (coalesced), never by the
    # appending thread; close() syncs what is left before returning.
    import os
    import threading

    from emer_bench.runner import samples_file

    appender = threading.get_ident()
    synced_by: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced_by.append(threading.get_ident())
        real_fsync(fd)

    monkeypatch.setattr(samples_file.os, "fsync", counting_fsync)
    path = tmp_path / "s.jsonl"
    writer = SamplesWriter(path)
    for i in range(200):
        writer.append(record(f"c{i % 10}", "happy"))
    assert len(path.read_text().splitlines()) == 200  # written and flushed before append returned
    assert appender not in synced_by  # appends never wait for an fsync
    writer.close()
    assert synced_by and synced_by[-1] == appender  # the closing sync
    assert len(synced_by) <= 200
    with pytest.raises(ValueError, match="closed"):
        writer.append(record("c1", "happy"))
    writer.close()  # closing twice is harmless


def test_without_fsync_no_thread_and_no_fsync(tmp_path, monkeypatch):
    from emer_bench.runner import samples_file

    calls: list[int] = []
    monkeypatch.setattr(samples_file.os, "fsync", calls.append)
    with SamplesWriter(tmp_path / "s.jsonl", fsync=False) as writer:
        writer.append(record("c1", "happy"))
    assert calls == []


def test_background_fsyncs_are_spaced_and_close_does_not_wait_out_the_spacing(tmp_path, monkeypatch):
    import os
    import time

    from emer_bench.runner import samples_file

    synced: list[float] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(time.monotonic())
        real_fsync(fd)

    monkeypatch.setattr(samples_file.os, "fsync", counting_fsync)
    monkeypatch.setattr(samples_file, "SYNC_SPACING_S", 30.0)
    path = tmp_path / "s.jsonl"
    writer = SamplesWriter(path)
    writer.append(record("c0", "happy"))
    deadline = time.monotonic() + 10
    while not synced and time.monotonic() < deadline:  # the first line is forced to disk at once
        time.sleep(0.01)
    for i in range(1, 100):
        writer.append(record(f"c{i}", "happy"))
    assert len(path.read_text().splitlines()) == 100  # every line written before append returned
    assert len(synced) == 1  # the rest waits for the spacing (or close)
    started = time.monotonic()
    writer.close()
    assert time.monotonic() - started < 10  # close wakes the syncer instead of waiting 30 s
    assert len(synced) == 2  # close's own fsync covers the burst

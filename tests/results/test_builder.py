"""The one results builder: error summary, file names, incomplete-run detection."""

from __future__ import annotations

from pathlib import Path

from emer_bench.api.records import SampleRecord
from emer_bench.api.requests import Reference
from emer_bench.redact import register_secret
from emer_bench.results.builder import error_summary, incomplete_tasks, results_path, scores_path_for


def _record(i: int, error: str | None) -> SampleRecord:
    return SampleRecord(task="t", clip_id=f"c{i}", index=i, prompt="p", reference=Reference(),
                        response=None if error else "ok", error=error, latency_s=None, completed_at="now")


def test_error_summary_counts_kinds_and_keeps_the_first_message_redacted() -> None:
    register_secret("builder-secret-123")
    records = [_record(0, None), _record(1, "HTTP 500: a"), _record(2, "HTTP 502: b"),
               _record(3, "MediaError: x.mp4: builder-secret-123 missing")]
    counts, first = error_summary(records)
    assert counts == {"HTTPError": 2, "MediaError": 1}
    assert first == {"HTTPError": "HTTP 500: a", "MediaError": "MediaError: x.mp4: *** missing"}


def test_file_names_carry_the_results_stamp() -> None:
    stamp = "2025-01-02T03:04:05.678+00:00"
    assert results_path(Path("d"), stamp).name == "results_2025-01-02T03-04-05.678Z.json"
    assert scores_path_for(Path("d/samples_t_0123456789ab.jsonl"), stamp).name == \
        "scores_t_0123456789ab_2025-01-02T03-04-05.678Z.jsonl"


def test_incomplete_tasks() -> None:
    results = {"results": {"a": {"n_total": 10, "n_failed": 1}, "b": {"n_total": 10, "n_failed": 0}}}
    assert incomplete_tasks(results, 0.0) == ["a: 1 of 10 samples failed (10.0% > --max-failure-rate 0)"]  # type: ignore[arg-type]
    assert incomplete_tasks(results, 0.1) == []  # type: ignore[arg-type]

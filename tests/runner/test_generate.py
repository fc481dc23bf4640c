"""runner/generate.py: every request ends as exactly one record, whatever the adapter does."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import GenerationRequest, Modality, Reference
from emer_bench.runner.generate import generate_task
from emer_bench.runner.samples_file import SamplesWriter, read_samples


class _Args(AdapterArgs):
    skip: int = -1  # index the adapter never answers
    empty: int = -1  # index answered with neither text nor error


class _StandIn(ModelAdapter[_Args]):
    """TEST STAND-IN: echoes the subtitle; skips or leaves empty one request on demand."""

    name: ClassVar[str] = "test-generate-stand-in"
    modalities = frozenset({Modality.SUBTITLE, Modality.VIDEO})
    media_input = MediaInput.PATHS

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        raise AssertionError("streams only")

    def generate_stream(self, requests):
        for prepared in requests:
            i = prepared.request.index
            if i == self.args.skip:
                continue
            yield Generation(index=i) if i == self.args.empty else Generation(index=i, text=prepared.request.subtitle)


class _Progress:
    def __init__(self) -> None:
        self.calls: list[bool] = []

    def advance(self, failed: bool) -> None:
        self.calls.append(failed)


def requests(n: int, video_for: int = -1) -> list[GenerationRequest]:
    # The request at `video_for` is granted video but has no file: its media cannot be prepared.
    return [GenerationRequest(task="t", index=i, clip_id=f"c{i}", prompt="p", subtitle=f"s{i}",
                              modalities=(Modality.SUBTITLE, Modality.VIDEO) if i == video_for else (Modality.SUBTITLE,))
            for i in range(n)]


def run(tmp_path: Path, args: _Args, reqs: list[GenerationRequest]) -> tuple[int, dict, _Progress]:
    progress = _Progress()
    path = tmp_path / "samples.jsonl"
    with SamplesWriter(path) as writer:
        failures = generate_task(_StandIn(args), reqs, {r.clip_id: Reference(label="x") for r in reqs}, writer,
                                 progress=progress, rank=3)
    return failures, read_samples(path), progress


def test_answers_are_recorded_with_reference_and_rank(tmp_path: Path) -> None:
    failures, records, progress = run(tmp_path, _Args(), requests(3))
    assert failures == 0 and progress.calls == [False] * 3
    assert [records[f"c{i}"].response for i in range(3)] == ["s0", "s1", "s2"]
    assert all(r.reference.label == "x" and r.rank == 3 for r in records.values())


def test_media_errors_skipped_and_empty_answers_are_failures_not_losses(tmp_path: Path) -> None:
    failures, records, progress = run(tmp_path, _Args(skip=1, empty=2), requests(4, video_for=3))
    assert len(records) == 4 and failures == 3 and progress.calls.count(True) == 3
    assert records["c0"].ok
    assert records["c1"].error == "AdapterError: test-generate-stand-in gave no answer"
    assert records["c2"].error.startswith("EmptyAnswer:")
    assert records["c3"].error.startswith("MediaError: t/c3: no video file given")


def _prepared_on(threads: dict[int, int], delay_s: float):
    import threading
    import time

    def prepare(request: GenerationRequest) -> int:
        threads[request.index] = threading.get_ident()
        if delay_s:
            time.sleep(delay_s)
        return request.index

    return prepare


def test_requests_without_media_are_prepared_in_the_consumers_thread() -> None:
    import threading

    from emer_bench.runner.generate import inline_while_cheap

    threads: dict[int, int] = {}
    results = list(inline_while_cheap(requests(20), _prepared_on(threads, 0.0), workers=2, ahead=4))
    assert [r.value for r in results] == list(range(20))  # every request, in order
    assert set(threads.values()) == {threading.get_ident()}  # no hand-off to a pool thread


def test_a_slow_preprocess_gets_the_prefetch_pool_back() -> None:
    import threading

    from emer_bench.runner.generate import SLOW_PREPARES, inline_while_cheap

    threads: dict[int, int] = {}
    results = list(inline_while_cheap(requests(12), _prepared_on(threads, 0.003), workers=2, ahead=4))
    assert [r.value for r in results] == list(range(12)) and all(r.ok for r in results)
    me = threading.get_ident()
    assert [threads[i] == me for i in range(12)] == [True] * SLOW_PREPARES + [False] * (12 - SLOW_PREPARES)


def test_the_collector_is_left_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from emer_bench.runner import generate

    # Spied, not counted: the freeze count also drops when a frozen object is freed by its
    # reference count (an earlier test's leftovers), so "count >= before" was flaky.
    calls: list[str] = []
    spy = SimpleNamespace(get_freeze_count=gc.get_freeze_count,
                          freeze=lambda: (calls.append("freeze"), gc.freeze()),
                          unfreeze=lambda: (calls.append("unfreeze"), gc.unfreeze()))
    monkeypatch.setattr(generate, "gc", spy)
    gc.unfreeze()
    run(tmp_path, _Args(), requests(3))
    assert calls == ["freeze", "unfreeze"]  # frozen only while answers arrive
    assert gc.get_freeze_count() == 0
    calls.clear()
    gc.freeze()  # a caller's own freeze is left alone
    try:
        run(tmp_path / "again", _Args(), requests(3))
        assert calls == []
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

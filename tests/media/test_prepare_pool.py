"""The prepare pool: requests prepared in child processes come back in order, with each clip's
failure recorded as a thread would record it, and the rest prepared here when the children fail."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from emer_bench.api.adapter import MediaInput, PreparedRequest
from emer_bench.api.media import MediaOptions
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.media.prefetch import media_info, prefetch, prepare_request
from emer_bench.media.prepare_pool import PreparePool, PrepareSpec

sys.path.insert(0, str(Path(__file__).parent))
from prepare_pool_standin import StandInArgs, StandInPreprocessor, build  # noqa: E402

TAKES = frozenset({Modality.VIDEO, Modality.SUBTITLE})
OPTIONS = MediaOptions(num_frames=4)


def request(index: int, clip: str, video: str | None = None, modalities: tuple[Modality, ...] = (Modality.SUBTITLE,)
            ) -> GenerationRequest:
    return GenerationRequest(task="t", index=index, clip_id=clip, prompt="p", modalities=modalities, video_path=video)


def local_prepare(preprocessor: StandInPreprocessor) -> Any:
    def prepare(req: GenerationRequest) -> tuple[PreparedRequest, dict[str, Any]]:
        prepared = prepare_request(req, TAKES, MediaInput.DECODED, OPTIONS)
        return preprocessor.preprocess(prepared), media_info(req, prepared)
    return prepare


def outcome(result: Any) -> tuple[Any, ...]:
    if result.error is not None:
        return result.item.clip_id, f"{type(result.error).__name__}: {result.error}"
    prepared, info = result.value
    return result.item.clip_id, prepared.payload["clip"], info


@pytest.fixture(scope="module")
def pool() -> Any:
    started = PreparePool(PrepareSpec(build, StandInArgs()), workers=2)
    yield started
    started.close()


def test_children_prepare_in_order_and_each_failure_reads_as_on_a_thread(pool: PreparePool,
                                                                          demo_clip: Path) -> None:
    requests = [request(0, "a"), request(1, "bad_1"), request(2, "b", str(demo_clip), (Modality.VIDEO,)),
                request(3, "no_video", None, (Modality.VIDEO,)), *[request(i, f"c{i}") for i in range(4, 12)]]
    fallback = local_prepare(StandInPreprocessor(StandInArgs()))
    got = list(pool.stream(requests, TAKES, MediaInput.DECODED, OPTIONS, ahead=3, fallback=fallback))
    on_threads = list(prefetch(requests, fallback, workers=2, max_ahead=3))
    assert [outcome(r) for r in got] == [outcome(r) for r in on_threads]
    assert outcome(got[1])[1] == "ValueError: no payload for bad_1"
    assert outcome(got[3])[1].startswith("MediaError: ")
    pids = {r.value[0].payload["pid"] for r in got if r.error is None}
    ready = pool.wait_ready(60)
    assert os.getpid() not in pids and pids <= set(ready) and len(set(ready)) == 2
    assert got[2].value[1]["frames"] == 4  # the clip's media summary comes back with it
    # Ctrl-C is the parent's to handle (it shuts the pool down); a child ignores it.
    assert all(r.value[0].payload["sigint_ignored"] for r in got if r.error is None)


def test_the_pool_serves_several_streams(pool: PreparePool) -> None:
    fallback = local_prepare(StandInPreprocessor(StandInArgs()))
    for n in (1, 5):
        got = list(pool.stream([request(i, f"x{i}") for i in range(n)], TAKES, MediaInput.DECODED, OPTIONS, 8,
                               fallback))
        assert [r.value[0].payload["clip"] for r in got] == [f"x{i}" for i in range(n)]


def test_children_that_cannot_start_leave_the_work_to_this_process(caplog: pytest.LogCaptureFixture) -> None:
    broken = PreparePool(PrepareSpec(build, StandInArgs(fail_build=True)), workers=1)
    try:
        requests = [request(i, f"c{i}") for i in range(5)]
        with caplog.at_level(logging.WARNING):
            got = list(broken.stream(requests, TAKES, MediaInput.DECODED, OPTIONS, 2,
                                     local_prepare(StandInPreprocessor(StandInArgs()))))
    finally:
        broken.close()
    assert [r.value[0].payload["pid"] for r in got] == [os.getpid()] * 5
    assert [r.item.clip_id for r in got] == [f"c{i}" for i in range(5)]
    warnings = [r.getMessage() for r in caplog.records if "child processes failed" in r.getMessage()]
    assert len(warnings) == 1 and "preparing the rest in this process" in warnings[0]


def test_a_child_dying_mid_run_leaves_the_rest_to_this_process_in_order(caplog: pytest.LogCaptureFixture) -> None:
    args = StandInArgs(parent_pid=os.getpid())
    dying = PreparePool(PrepareSpec(build, args), workers=2)
    try:
        requests = [request(i, f"c{i}") for i in range(3)] + [request(3, "die3")] + \
            [request(i, f"c{i}") for i in range(4, 9)]
        with caplog.at_level(logging.WARNING):
            got = list(dying.stream(requests, TAKES, MediaInput.DECODED, OPTIONS, 2,
                                    local_prepare(StandInPreprocessor(args))))
    finally:
        dying.close()
    assert [r.item.clip_id for r in got] == [r.clip_id for r in requests]
    assert all(r.error is None for r in got)
    assert got[3].value[0].payload["pid"] == os.getpid() and got[-1].value[0].payload["pid"] == os.getpid()
    assert dying.broken is not None and sum("child processes failed" in r.getMessage() for r in caplog.records) == 1


def test_closing_a_stream_early_cancels_what_is_queued(pool: PreparePool) -> None:
    fallback = local_prepare(StandInPreprocessor(StandInArgs()))
    stream = pool.stream([request(i, f"e{i}") for i in range(50)], TAKES, MediaInput.DECODED, OPTIONS, 4, fallback)
    first = next(stream)
    stream.close()
    assert first.value[0].payload["clip"] == "e0"
    again = list(pool.stream([request(0, "after")], TAKES, MediaInput.DECODED, OPTIONS, 4, fallback))
    assert again[0].value[0].payload["clip"] == "after"

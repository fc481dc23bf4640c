"""Where the transformers adapters prepare clips: child processes beside an accelerator (same
answers, inputs and scores as the runner's threads), threads on the CPU and where a child could
not build the adapter."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from emer_bench.model_adapters import hf_prepare
from emer_bench.model_adapters.hf_auto import HFAutoAdapter
from emer_bench.model_adapters.hf_loading import HFArgs
from emer_bench.model_adapters.qwen_vl import Qwen25VLAdapter, QwenVLArgs
from emer_bench.runner.evaluate import RunConfig, build_adapter, run_evaluation
from emer_bench.runner.run_key import transport_fields
from emer_bench.runner.samples_file import read_samples

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import build_tiny_qwen2_5_omni  # noqa: E402
from tiny_video_models import build_tiny_qwen2_5_vl  # noqa: E402

pytestmark = pytest.mark.slow
SMALL = {"max_new_tokens": 4, "batch_size": 2, "device": "cpu"}


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hf_prepare")
    return {"qwen2_5_vl": build_tiny_qwen2_5_vl(root / "vl").path,
            "qwen2_5_omni": build_tiny_qwen2_5_omni(root / "omni")}


@pytest.mark.parametrize("args, default_device, workers", [
    ({"device": "cpu"}, "cuda", 0),
    ({"device": "cuda:0"}, "cpu", hf_prepare.AUTO_WORKERS),
    ({}, "cuda", hf_prepare.AUTO_WORKERS),
    ({}, "cpu", 0),
    ({"device_map": "auto"}, "cpu", 0),
    ({"device_map": "auto"}, "cuda", hf_prepare.AUTO_WORKERS),
    ({"device": "cuda", "prepare_processes": 0}, "cuda", 0),
    ({"device": "cpu", "prepare_processes": 3}, "cpu", 3),
])
def test_children_by_default_only_beside_an_accelerator(monkeypatch: pytest.MonkeyPatch, args: dict[str, Any],
                                                        default_device: str, workers: int) -> None:
    monkeypatch.setattr(hf_prepare, "default_device", lambda: default_device)
    monkeypatch.setattr(hf_prepare.os, "cpu_count", lambda: 16)
    monkeypatch.delenv("LOCAL_WORLD_SIZE", raising=False)
    assert hf_prepare.prepare_workers(HFArgs(pretrained="x", **args)) == workers


def test_a_host_without_cores_to_spare_keeps_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hf_prepare.os, "cpu_count", lambda: 3)
    monkeypatch.delenv("LOCAL_WORLD_SIZE", raising=False)
    assert hf_prepare.prepare_workers(HFArgs(pretrained="x", device="cuda")) == 0
    assert hf_prepare.prepare_workers(HFArgs(pretrained="x", device="cuda", prepare_processes=2)) == 2


def test_data_parallel_ranks_share_the_host_s_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hf_prepare.os, "cpu_count", lambda: 16)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "4")  # 4 cores each: 2 children + 2
    assert hf_prepare.prepare_workers(HFArgs(pretrained="x", device="cuda")) == hf_prepare.AUTO_WORKERS
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "8")  # 2 cores each: no room for children
    assert hf_prepare.prepare_workers(HFArgs(pretrained="x", device="cuda")) == 0


def test_where_clips_are_prepared_is_not_part_of_the_run_key() -> None:
    assert "prepare_processes" in transport_fields(QwenVLArgs)


def run(family: str, checkpoint: Path, out: Path, processes: int) -> tuple[dict[str, Any], Path, int]:
    config = RunConfig(model=family, tasks=["emer-demo"], output_dir=out, limit=4, n_resamples=0,
                       model_args={"pretrained": str(checkpoint), **SMALL, "prepare_processes": processes})
    adapter = build_adapter(config)
    assert adapter.prepare_pool is None  # the children start with the model's load, at the first request
    adapter.ensure_loaded()
    streams = 0
    if adapter.prepare_pool is not None:
        stream = adapter.prepare_pool.stream

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal streams
            streams += 1
            return stream(*args, **kwargs)
        adapter.prepare_pool.stream = counted
    try:
        results, path = run_evaluation(config, adapter=adapter)
    finally:
        adapter.close()
    assert path is not None and adapter.prepare_pool is None  # closed with the adapter
    return results["results"]["emer-demo"], path, streams


@pytest.mark.parametrize("family", ["qwen2_5_vl", "qwen2_5_omni"])
def test_children_give_the_answers_inputs_and_scores_of_threads(family: str, checkpoints: dict[str, Path],
                                                                tmp_path: Path) -> None:
    threads, threads_path, none = run(family, checkpoints[family], tmp_path / "threads", 0)
    children, children_path, streams = run(family, checkpoints[family], tmp_path / "children", 2)
    assert (none, streams) == (0, 1)
    assert children["n_failed"] == threads["n_failed"] == 0, children["errors"]
    assert json.dumps(children["metrics"], sort_keys=True) == json.dumps(threads["metrics"], sort_keys=True)  # NaN too
    mine = read_samples(children_path.parent / children["config"]["samples_file"])
    theirs = read_samples(threads_path.parent / threads["config"]["samples_file"])
    assert mine.keys() == theirs.keys() and len(mine) == 4
    for clip, record in mine.items():
        other = theirs[clip]
        assert (record.response, record.inputs, record.media, record.usage, record.fingerprint) == \
            (other.response, other.inputs, other.media, other.usage, other.fingerprint)
        assert record.inputs["input_tokens"] > 0


def test_a_class_a_child_cannot_import_is_prepared_on_threads(checkpoints: dict[str, Path],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    class LocalSubclass(Qwen25VLAdapter):  # made in a function: a child cannot import it
        name: ClassVar[str] = "test-local-qwen"

    with caplog.at_level(logging.WARNING):
        adapter = LocalSubclass(QwenVLArgs(pretrained=str(checkpoints["qwen2_5_vl"]), **SMALL, prepare_processes=2))
        adapter.ensure_loaded()
    try:
        assert adapter.prepare_pool is None and adapter.model is not None
    finally:
        adapter.close()
    assert any("clips are prepared on threads" in r.getMessage() for r in caplog.records)


def test_an_adapter_whose_preprocessing_needs_the_model_keeps_threads() -> None:
    assert HFAutoAdapter.preprocess_class() is None
    assert Qwen25VLAdapter.preprocess_class() is Qwen25VLAdapter


def test_a_child_builds_the_adapter_without_weights(checkpoints: dict[str, Path]) -> None:
    adapter = hf_prepare.for_preprocessing(Qwen25VLAdapter, QwenVLArgs(pretrained=str(checkpoints["qwen2_5_vl"]),
                                                                       **SMALL, prepare_processes=2))
    assert adapter.loaded and adapter.preprocess_only
    assert adapter.model is None and adapter.prepare_pool is None and adapter.processor is not None


def test_tensors_from_the_children_are_freed_batch_by_batch(checkpoints: dict[str, Path]) -> None:
    """Each tensor received from a child holds a shared-memory file open until it is freed: the
    open files stay bounded by the clips in flight, however many clips a run has."""
    import os

    from hf_test_utils import demo_request

    from emer_bench.api.requests import Modality
    from emer_bench.media.prefetch import media_info, prepare_request

    clips = sorted((Path(__file__).parents[2] / "tasks" / "emer_demo" / "clips").glob("*.mp4"))
    adapter = Qwen25VLAdapter(QwenVLArgs(pretrained=str(checkpoints["qwen2_5_vl"]), **{**SMALL, "max_new_tokens": 2},
                                         prepare_processes=2))
    adapter.ensure_loaded()
    requests = [demo_request(clips[i % len(clips)], i, "hi", (Modality.VIDEO, Modality.SUBTITLE)) for i in range(80)]

    def here(request: Any) -> Any:
        prepared = prepare_request(request, adapter.active_modalities, adapter.media_input, adapter.media_options)
        return adapter.preprocess(prepared), media_info(request, prepared)

    try:
        before, peak = len(os.listdir("/proc/self/fd")), 0
        stream = adapter.prepare_pool.stream(requests, adapter.active_modalities, adapter.media_input,
                                             adapter.media_options, 8, here)
        for result in stream:
            assert result.error is None and len(adapter.generate([result.value[0]])) == 1
            peak = max(peak, len(os.listdir("/proc/self/fd")))
    finally:
        adapter.close()
    assert peak - before < 120  # 80 clips held ~300 open files when a cycle kept each batch alive

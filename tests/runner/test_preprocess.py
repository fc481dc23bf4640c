"""`ModelAdapter.preprocess` runs on the prefetch threads, its failures are recorded per
sample, and the media summary survives an adapter that drops the decoded arrays."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.samples_file import read_samples


class PreprocessingStandIn(ModelAdapter):
    """Test stand-in: preprocess turns the frames into their count and drops the arrays;
    clip demo_03 cannot be preprocessed."""

    name: ClassVar[str] = "test-preprocessing"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO, Modality.SUBTITLE})
    threads: ClassVar[set[str]] = set()
    saw_media: ClassVar[list[bool]] = []

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        PreprocessingStandIn.threads.add(threading.current_thread().name)
        if prepared.request.clip_id == "demo_03":
            raise ValueError("cannot encode demo_03")
        assert prepared.media is not None and prepared.media.frames is not None
        return PreparedRequest(prepared.request, None, payload=len(prepared.media.frames))

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        PreprocessingStandIn.saw_media.extend(p.media is not None for p in batch)
        return [Generation(index=p.request.index, text=f"happy, {p.payload} frames") for p in batch]


@pytest.fixture(autouse=True)
def _stand_in():
    ADAPTERS.add(PreprocessingStandIn.name, PreprocessingStandIn, origin="runtime", replace=True)
    PreprocessingStandIn.threads.clear()
    PreprocessingStandIn.saw_media.clear()


@pytest.mark.parametrize("workers", [2, 0])
def test_preprocess_runs_before_the_model_and_its_failures_are_recorded(tmp_path: Path, workers: int) -> None:
    config = RunConfig(model="test-preprocessing", tasks=["emer-demo"], output_dir=tmp_path, n_resamples=0,
                       prefetch_workers=workers)
    results, path = run_evaluation(config)
    assert path is not None
    task = results["results"]["emer-demo"]
    assert task["n_total"] == 10 and task["n_failed"] == 1 and task["errors"] == {"Error": 1}
    assert task["error_examples"] == {"Error": "ValueError: cannot encode demo_03"}
    samples = read_samples(path.parent / task["config"]["samples_file"])
    failed = [r for r in samples.values() if not r.ok]
    assert [(r.clip_id, r.error) for r in failed] == [("demo_03", "ValueError: cannot encode demo_03")]
    answered = [r for r in samples.values() if r.ok]
    assert all(r.response == "happy, 8 frames" for r in answered)
    # The decode summary was taken before preprocess dropped the arrays.
    assert all(r.media["frames"] == 8 and len(r.media["frame_size"]) == 2 for r in answered)
    assert PreprocessingStandIn.saw_media == [False] * 9
    if workers:
        assert PreprocessingStandIn.threads and all(n.startswith("emer-media") for n in PreprocessingStandIn.threads)

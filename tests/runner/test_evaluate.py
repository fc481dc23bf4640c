"""End-to-end runs of the spine on the bundled demo with the real lexicon baseline, plus
clearly-named stand-in adapters (test-only) that crash or fail on purpose."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.samples_file import read_samples


class CrashAfterStandIn(ModelAdapter):
    """Test stand-in: answers the first `crash_after` requests, then the process 'dies'."""

    name: ClassVar[str] = "test-crash-after"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    crash_after: ClassVar[int] = 4
    calls: ClassVar[list[str]] = []

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        out = []
        for p in batch:
            if len(CrashAfterStandIn.calls) >= self.crash_after:
                raise KeyboardInterrupt  # not caught per batch: simulates a killed run
            CrashAfterStandIn.calls.append(p.request.clip_id)
            out.append(Generation(index=p.request.index, text="I am happy."))
        return out


class FailingStandIn(ModelAdapter):
    """Test stand-in: every second request fails with a server-style error."""

    name: ClassVar[str] = "test-failing"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE, Modality.VIDEO})
    healed: ClassVar[bool] = False  # set by a test: the server is back, every request succeeds
    calls: ClassVar[list[str]] = []

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        FailingStandIn.calls.extend(p.request.clip_id for p in batch)
        return [Generation(index=p.request.index, error="HTTP 500: overloaded") if p.request.index % 2
                and not self.healed else Generation(index=p.request.index, text="happy") for p in batch]


@pytest.fixture(autouse=True, scope="module")
def _stand_ins():
    ADAPTERS.add(CrashAfterStandIn.name, CrashAfterStandIn, origin="runtime", replace=True)
    ADAPTERS.add(FailingStandIn.name, FailingStandIn, origin="runtime", replace=True)


def config(tmp_path: Path, model: str = "lexicon-baseline", **kw) -> RunConfig:
    return RunConfig(model=model, tasks=["emer-demo"], output_dir=tmp_path, n_resamples=50, **kw)


def test_demo_run_writes_results_and_samples(tmp_path):
    results, path = run_evaluation(config(tmp_path))
    assert path is not None and path.is_file()
    task = results["results"]["emer-demo"]
    assert task["n_total"] == 10 and task["n_failed"] == 0
    main = task["metrics"]["label_overlap.fscore"]
    assert 0 < main["value"] <= 1 and main["n_scored"] == 10 and len(main["ci95"]) == 2
    assert main["ci95"][0] <= main["value"] <= main["ci95"][1]
    on_disk = json.loads(path.read_text())
    assert on_disk["model"]["model"] == "lexicon-baseline"
    assert on_disk["provenance"]["python"] and on_disk["provenance"]["duration_s"] >= 0
    cfg = on_disk["results"]["emer-demo"]["config"]
    assert len(cfg["content_sha256"]) == 64 and len(cfg["prompt_sha256"]) == 64
    samples = read_samples(path.parent / cfg["samples_file"])
    assert len(samples) == 10 and all(r.ok for r in samples.values())
    scores = (path.parent / cfg["scores_file"]).read_text().splitlines()
    assert len(scores) == 10 and "label_overlap" in json.loads(scores[0])["scores"]


def test_limit_takes_the_first_n(tmp_path):
    results, _ = run_evaluation(config(tmp_path, limit=3))
    assert results["results"]["emer-demo"]["n_total"] == 3


def test_crash_then_resume_asks_only_the_rest(tmp_path):
    CrashAfterStandIn.calls.clear()
    with pytest.raises(KeyboardInterrupt):
        run_evaluation(config(tmp_path, model="test-crash-after"))
    files = list(tmp_path.rglob("samples_*.jsonl"))
    assert len(files) == 1 and len(read_samples(files[0])) == 4  # everything done before the crash is on disk
    CrashAfterStandIn.calls.clear()
    CrashAfterStandIn.crash_after = 100
    try:
        results, _ = run_evaluation(config(tmp_path, model="test-crash-after"))
    finally:
        CrashAfterStandIn.crash_after = 4
    assert len(CrashAfterStandIn.calls) == 6  # only the remaining clips were asked
    assert results["results"]["emer-demo"]["n_total"] == 10


def test_failures_are_recorded_counted_and_retried_on_resume(tmp_path):
    results, path = run_evaluation(config(tmp_path, model="test-failing"))
    task = results["results"]["emer-demo"]
    assert task["n_failed"] == 5 and task["errors"] == {"HTTPError": 5}
    assert task["error_examples"] == {"HTTPError": "HTTP 500: overloaded"}
    assert task["metrics"]["label_overlap.fscore"]["n_failed"] == 5
    samples = read_samples(path.parent / task["config"]["samples_file"])
    failed = [r for r in samples.values() if not r.ok]
    assert len(failed) == 5 and all(r.response is None and r.error == "HTTP 500: overloaded" for r in failed)
    # Resume: the same command asks again only the failed clips, and then counts no failure.
    FailingStandIn.calls.clear()
    FailingStandIn.healed = True
    try:
        resumed, _ = run_evaluation(config(tmp_path, model="test-failing"))
    finally:
        FailingStandIn.healed = False
    assert sorted(FailingStandIn.calls) == sorted(r.clip_id for r in failed)
    again = resumed["results"]["emer-demo"]
    assert again["n_total"] == 10 and again["n_failed"] == 0 and again["errors"] == {}
    assert again["metrics"]["label_overlap.fscore"]["n_failed"] == 0


def test_missing_media_is_a_per_sample_error(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    demo_clip = sorted((Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "clips").glob("*.mp4"))[0]
    shutil.copy(demo_clip, media / demo_clip.name)  # one clip of three present
    task_dir = tmp_path / "tasks"
    task_dir.mkdir()
    demo = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"
    (task_dir / "t.yaml").write_text(
        f"include: {demo / 'emer_demo.yaml'}\ntask: demo-missing-media\n"
        f"dataset: {{files: [{{path: '{demo / 'annotations.csv'}', columns: {{subtitle: subtitle, openset: openset}}}}]}}\n"
        "reference: [openset]\nscorers: [{name: label_overlap}]\n"
        f"media: {{dir: '{media}'}}\n")
    results, _ = run_evaluation(RunConfig(model="test-failing", tasks=["demo-missing-media"], output_dir=tmp_path / "out",
                                          include_paths=[task_dir], n_resamples=0, limit=3))
    task = results["results"]["demo-missing-media"]
    assert task["n_failed"] == 2 and task["errors"] == {"MediaError": 2}


def test_bad_model_arg_fails_before_anything_runs(tmp_path):
    with pytest.raises(ConfigError, match="--model-args for 'lexicon-baseline': unknown key 'temprature'"):
        run_evaluation(config(tmp_path, model_args={"temprature": 0}))
    assert not list(tmp_path.rglob("samples_*"))

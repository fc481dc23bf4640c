"""runner/score_incremental.py: samples scored while the model answers give exactly the results of
scoring every sample at the end (every metric, every CI bound, the scores file byte for byte)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from emer_bench.api.adapter import ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.registries import ADAPTERS
from emer_bench.runner import score_incremental
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.rescore import rescore
from emer_bench.runner.samples_file import read_samples
from emer_bench.runner.score import ScorerWarmUp, build_task_scorers, score_task
from emer_bench.runner.score_incremental import IncrementalScorer
from emer_bench.tasks.discovery import TaskIndex


def same(a: Any, b: Any) -> bool:
    """Equal to the last bit (NaN, a metric with no defined value, equal to NaN)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.fixture(scope="module")
def demo_records(tmp_path_factory: pytest.TempPathFactory) -> list[SampleRecord]:
    """The demo's 10 answers from the lexicon baseline, 3 of them turned into failures."""
    out = tmp_path_factory.mktemp("demo")
    _, path = run_evaluation(RunConfig(model="lexicon-baseline", tasks=["emer-demo"], output_dir=out, n_resamples=0))
    assert path is not None
    samples = next(path.parent.glob("samples_*.jsonl"))
    records = sorted(read_samples(samples).values(), key=lambda r: r.index)
    for i in (1, 4, 7):
        records[i] = dataclasses.replace(records[i], response=None, error="HTTPError: 503 unavailable",
                                         error_kind=None)
    return records


def test_scoring_while_answering_equals_scoring_at_the_end_on_the_demo(
        tmp_path: Path, demo_records: list[SampleRecord], wheel_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score_incremental, "CHUNK", 3)  # several chunks over 10 samples
    task = TaskIndex().load("emer-demo")
    batch_scorers = build_task_scorers(task, ScoringContext(resources_dir=wheel_dir))
    batch = score_task(task, demo_records, batch_scorers, tmp_path / "batch.jsonl", 500, 11)

    scorers = build_task_scorers(task, ScoringContext(resources_dir=wheel_dir))
    early = IncrementalScorer(scorers, ScorerWarmUp([s for _, s in scorers]))
    for record in reversed(demo_records):  # answers arrive in any order
        early.add(record)
    cache = early.finish()
    # the per-sample scorers took part (ew too: the offline extractor's WordNet and wheel files are hashed)
    assert set(cache) == {"label_overlap", "rouge_l", "bleu4", "ew"}
    assert all(len(known.by_clip) == 10 for known in cache.values())
    incremental = score_task(task, demo_records, scorers, tmp_path / "incremental.jsonl", 500, 11, caches=[cache])

    assert "ew.ew_l2_fscore" in batch.metrics and batch.metrics["label_overlap.fscore"]["n_failed"] == 3
    assert same(incremental.metrics, batch.metrics)  # every metric and CI bound
    assert incremental.notes == batch.notes
    assert (tmp_path / "incremental.jsonl").read_bytes() == (tmp_path / "batch.jsonl").read_bytes()


def test_a_sample_that_changed_after_it_was_scored_early_is_scored_again(
        tmp_path: Path, demo_records: list[SampleRecord]) -> None:
    task = TaskIndex().load("emer-demo")
    scorers = build_task_scorers(task, ScoringContext())
    early = IncrementalScorer(scorers)
    for record in demo_records:
        early.add(dataclasses.replace(record, response="I am furious and disgusted.") if record.index == 0 else record)
    incremental = score_task(task, demo_records, scorers, tmp_path / "a.jsonl", 100, 3, caches=[early.finish()])
    batch = score_task(task, demo_records, build_task_scorers(task, ScoringContext()), tmp_path / "b.jsonl", 100, 3)
    assert same(incremental.metrics, batch.metrics)


class HalfFailingStandIn(ModelAdapter):
    """Test stand-in: answers like an emotional reader of the subtitle; every third request fails."""

    name: ClassVar[str] = "test-half-failing"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, error="HTTP 500: overloaded") if p.request.index % 3 == 1
                else Generation(index=p.request.index, text=f"happy and surprised: {p.request.subtitle}")
                for p in batch]


def test_a_run_scores_while_answering_and_matches_emer_bench_score(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ADAPTERS.add(HalfFailingStandIn.name, HalfFailingStandIn, origin="runtime", replace=True)
    scored_early: list[int] = []
    original = IncrementalScorer._score

    def counting(self: IncrementalScorer, records: list[SampleRecord]) -> None:
        scored_early.append(len(records))
        original(self, records)

    monkeypatch.setattr(IncrementalScorer, "_score", counting)
    results, path = run_evaluation(RunConfig(model="test-half-failing", tasks=["emer-demo"], output_dir=tmp_path,
                                             n_resamples=300))
    assert path is not None and sum(scored_early) == 10
    run = results["results"]["emer-demo"]
    assert run["n_failed"] == 3 and run["metrics"]["rouge_l.fscore"]["n_failed"] == 3
    rescored, _ = rescore(path.parent / run["config"]["samples_file"], task="emer-demo", n_resamples=300)
    assert same(rescored["results"]["emer-demo"]["metrics"], run["metrics"])

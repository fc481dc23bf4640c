"""runner/score_cache.py: a later scoring of the same samples file reuses the per-sample scores of
an earlier results file only when nothing that determines them changed; each input that can
change them is one test here, and every reuse gives the numbers of scoring from scratch."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest

from emer_bench.api.adapter import ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Modality, Reference
from emer_bench.api.scorer import SampleScore, Scorer, ScoringContext, ScoringItem
from emer_bench.registries import ADAPTERS, SCORERS
from emer_bench.results.builder import task_result
from emer_bench.results.schema import TaskResult
from emer_bench.results.writer import write_json_atomic
from emer_bench.runner import score as score_module
from emer_bench.runner import score_cache
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.rescore import rescore
from emer_bench.runner.score import ScorerWarmUp, build_task_scorers, score_task, scoring_digests
from emer_bench.runner.score_cache import previous_scores
from emer_bench.tasks.loader import LoadedTask, load_task_file
from emer_bench.tasks.modalities import with_modalities

TASK = """
task: t-reuse
dataset: {files: [{path: "{task_dir}/ann.csv", columns: {subtitle: subtitle, openset: openset}}]}
modalities: [video, subtitle]
prompt: {template: "{subtitle}"}
reference: [openset, explanation, label]
scorers: SCORERS
main_metric: MAIN
"""
SCORERS_YAML = ("[{name: label_overlap, args: {extractor: {name: lexicon}}}, {name: rouge_l}, "
                "{name: categorical, args: {labels: [happy, sad, angry]}}]")
ANSWERS = ["I feel happy and glad today", "so sad and lonely", None, "angry, furious", "calm"]


def make_task(tmp_path: Path, scorers: str = SCORERS_YAML, main: str = "label_overlap.fscore") -> LoadedTask:
    path = tmp_path / "t-reuse.yaml"
    path.write_text(TASK.replace("SCORERS", scorers).replace("MAIN", main))
    return load_task_file(path)


def make_records(answers: list[str | None], labels: tuple[str, ...] = ("happy", "sad", "sad", "angry", "happy"),
                 ) -> list[SampleRecord]:
    out = []
    for i, answer in enumerate(answers):
        request = GenerationRequest(task="t-reuse", index=i, clip_id=f"c{i}", prompt="p",
                                    modalities=(Modality.SUBTITLE,))
        reference = Reference(openset=[labels[i]], explanation=f"the person is {labels[i]} here", label=labels[i])
        generation = Generation(index=i, text=answer) if answer is not None else \
            Generation(index=i, error="HTTPError: 500 overloaded")
        out.append(SampleRecord.from_request(request, reference, generation, "now"))
    return out


class Folder:
    """Scores `records` like a run into one model folder: the results file written with the
    scores file, each later than the last (reuse looks for the newest matching one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def score(self, task: LoadedTask, records: list[SampleRecord], context: ScoringContext | None = None,
              reuse: bool = True) -> TaskResult:
        self.count += 1
        samples = self.path / "samples_t-reuse_abc.jsonl"
        scorers = build_task_scorers(task, context or ScoringContext())
        digests = scoring_digests(task, scorers)
        caches = [previous_scores(self.path, samples.name, digests)] if reuse else []
        scores = self.path / f"scores_t-reuse_abc_{self.count}.jsonl"
        outcome = score_task(task, records, scorers, scores, 200, 7, caches=caches, digests=digests)
        result = task_result(task, records, outcome, {}, samples, scores)
        path = self.path / f"results_{self.count}.json"
        write_json_atomic(path, {"results": {task.name: result}})
        os.utime(path, (1_000_000 + self.count, 1_000_000 + self.count))
        return result


def same(a: Any, b: Any) -> bool:
    """Equal to the last bit (NaN, a metric with no defined value, equal to NaN)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def reused(result: TaskResult) -> dict[str, int]:
    return {c["alias"]: c.get("reused", {}).get("samples", 0) for c in result["config"]["scorers"]}


def fresh(tmp_path: Path, task: LoadedTask, records: list[SampleRecord]) -> TaskResult:
    return Folder(tmp_path / "fresh").score(task, records, reuse=False)


def test_unchanged_samples_and_scorers_reuse_every_score_and_give_the_same_numbers(tmp_path: Path) -> None:
    task, records = make_task(tmp_path), make_records(ANSWERS)
    folder = Folder(tmp_path / "run")
    first = folder.score(task, records)
    assert reused(first) == {"label_overlap": 0, "rouge_l": 0, "categorical": 0}
    second = folder.score(task, records)
    assert reused(second) == {"label_overlap": 5, "rouge_l": 5, "categorical": 5}
    assert second["config"]["scorers"][0]["reused"]["scores_files"] == ["scores_t-reuse_abc_1.jsonl"]
    assert second["metrics"] == first["metrics"] == fresh(tmp_path, task, records)["metrics"]
    assert (folder.path / "scores_t-reuse_abc_2.jsonl").read_bytes() == \
        (folder.path / "scores_t-reuse_abc_1.jsonl").read_bytes()


def test_a_changed_answer_is_scored_again_alone(tmp_path: Path) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    retried = make_records([*ANSWERS[:2], "happy now", *ANSWERS[3:]])  # the failed sample answered on resume
    result = folder.score(task, retried)
    # per-sample scorers keep the 4 unchanged samples; categorical reuses only an identical set
    assert reused(result) == {"label_overlap": 4, "rouge_l": 4, "categorical": 0}
    assert result["metrics"] == fresh(tmp_path, task, retried)["metrics"]
    assert result["n_failed"] == 0


def test_a_sample_that_now_failed_is_scored_again(tmp_path: Path) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    failed = make_records([None, *ANSWERS[1:]])
    result = folder.score(task, failed)
    assert reused(result)["label_overlap"] == 4
    assert result["metrics"] == fresh(tmp_path, task, failed)["metrics"]
    assert result["metrics"]["label_overlap.fscore"]["n_failed"] == 2


def test_a_changed_reference_is_scored_again(tmp_path: Path) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    changed = make_records(ANSWERS, labels=("happy", "sad", "sad", "angry", "sad"))
    result = folder.score(task, changed)
    assert reused(result) == {"label_overlap": 4, "rouge_l": 4, "categorical": 0}
    assert result["metrics"] == fresh(tmp_path, task, changed)["metrics"]


@pytest.mark.parametrize("scorers", [
    # a changed scorer argument
    "[{name: label_overlap, args: {extractor: {name: lexicon}}}, {name: rouge_l, args: {failed_as_zero: false}}, "
    "{name: categorical, args: {labels: [happy, sad, angry, calm]}}]",
    # a changed extractor
    "[{name: label_overlap, args: {extractor: {name: parse}}}]",
])
def test_a_changed_scorer_argument_or_extractor_reuses_nothing(tmp_path: Path, scorers: str) -> None:
    folder = Folder(tmp_path / "run")
    folder.score(make_task(tmp_path), make_records(ANSWERS))
    result = folder.score(make_task(tmp_path, scorers), make_records(ANSWERS))
    changed = {c["alias"] for c in result["config"]["scorers"]} - {"label_overlap"} \
        if "lexicon" in scorers else {"label_overlap"}
    assert all(reused(result)[alias] == 0 for alias in changed)


def test_changed_modalities_reuse_nothing(tmp_path: Path) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    result = folder.score(with_modalities(task, (Modality.SUBTITLE,)), make_records(ANSWERS))
    assert set(reused(result).values()) == {0}


def test_changed_code_or_version_reuses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    monkeypatch.setattr(score_cache, "code_sha256", lambda root: "another build")
    assert set(reused(folder.score(task, make_records(ANSWERS))).values()) == {0}
    monkeypatch.setattr(score_cache.emer_bench, "__version__", "99.0")
    assert set(reused(folder.score(task, make_records(ANSWERS))).values()) == {0}


def test_a_changed_library_version_reuses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    monkeypatch.setattr(score_cache, "_version", lambda dist: "0.0-other")
    result = folder.score(task, make_records(ANSWERS))
    assert reused(result)["rouge_l"] == 0  # declares rouge-score and nltk
    assert reused(result)["label_overlap"] == 5  # declares no library


def test_a_changed_resource_file_reuses_nothing(tmp_path: Path, wheel_dir: Path) -> None:
    resources = tmp_path / "wheel"
    resources.mkdir()
    for source in wheel_dir.iterdir():  # a private copy to change (inside the test's tmp folder)
        if source.is_file():
            (resources / source.name).write_bytes(source.read_bytes())
    task = make_task(tmp_path, "[{name: ew, args: {extractor: {name: lexicon}}}]", "ew.ew_l2_fscore")
    folder, records = Folder(tmp_path / "run"), make_records(ANSWERS)
    folder.score(task, records, ScoringContext(resources_dir=resources))
    assert reused(folder.score(task, records, ScoringContext(resources_dir=resources))) == {"ew": 5}
    changed = resources / "format.csv"
    changed.write_bytes(changed.read_bytes() + b"\n")
    assert reused(folder.score(task, records, ScoringContext(resources_dir=resources))) == {"ew": 0}


def test_a_scores_file_changed_after_its_results_is_not_reused(tmp_path: Path) -> None:
    task, folder = make_task(tmp_path), Folder(tmp_path / "run")
    folder.score(task, make_records(ANSWERS))
    scores = folder.path / "scores_t-reuse_abc_1.jsonl"
    scores.write_text(scores.read_text().replace('"recall": 1.0', '"recall": 0.5'))
    result = folder.score(task, make_records(ANSWERS))
    assert set(reused(result).values()) == {0}


class NaNStandIn(Scorer):
    """Test stand-in: per-sample scores with NaN, which the scores file writes as null."""

    name: ClassVar[str] = "test-nan-scores"
    score_reuse: ClassVar[Any] = "per_sample"

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        return [{"v": math.nan if i % 2 else 1.0} for i, _ in enumerate(items)]

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        return {"n": float(len(samples))}


class NoReuseStandIn(NaNStandIn):
    """Test stand-in: a scorer that does not allow reuse (the default)."""

    name: ClassVar[str] = "test-no-reuse"
    score_reuse: ClassVar[Any] = "none"

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        return [{"v": 1.0} for _ in items]


def test_scores_the_file_cannot_give_back_exactly_or_a_scorer_without_reuse_are_scored_again(tmp_path: Path) -> None:
    SCORERS.add(NaNStandIn.name, NaNStandIn, origin="runtime", replace=True)
    SCORERS.add(NoReuseStandIn.name, NoReuseStandIn, origin="runtime", replace=True)
    task = make_task(tmp_path, "[{name: test-nan-scores}, {name: test-no-reuse}]", "test-nan-scores.n")
    folder = Folder(tmp_path / "run")
    first = folder.score(task, make_records(ANSWERS))
    assert all("scoring_sha256" not in c for c in first["config"]["scorers"])
    assert reused(folder.score(task, make_records(ANSWERS))) == {"test-nan-scores": 0, "test-no-reuse": 0}


def lexicon_run(tmp_path: Path, **kw: Any) -> tuple[dict[str, Any], Path]:
    config = RunConfig(model="lexicon-baseline", tasks=["emer-demo"], output_dir=tmp_path / "out", n_resamples=100,
                       **kw)
    results, path = run_evaluation(config)
    assert path is not None
    return dict(results["results"]["emer-demo"]), path


def test_a_cached_rerun_reuses_the_scores_and_says_so(tmp_path: Path) -> None:
    first, _ = lexicon_run(tmp_path)
    second, path = lexicon_run(tmp_path)
    assert second["n_reused"] == 10
    assert same(second["metrics"], first["metrics"])
    configs = {c["alias"]: c for c in second["config"]["scorers"]}
    assert configs["label_overlap"]["reused"]["samples"] == 10  # written in the results file
    assert configs["rouge_l"]["reused"]["scores_files"] == [first["config"]["scores_file"]]
    assert "reused" not in configs["categorical"] or configs["categorical"]["reused"]["samples"] == 10
    on_disk = json.loads(path.read_text())["results"]["emer-demo"]["config"]["scorers"]
    assert any("reused" in c for c in on_disk)


def test_rescoring_never_reuses(tmp_path: Path) -> None:
    run, path = lexicon_run(tmp_path)
    results, _ = rescore(path.parent / run["config"]["samples_file"], task="emer-demo", n_resamples=100)
    task = results["results"]["emer-demo"]
    assert all("reused" not in c for c in task["config"]["scorers"])
    assert same(task["metrics"], run["metrics"])


class FlakyStandIn(ModelAdapter):
    """Test stand-in: every third request fails until `healed` (a server that came back)."""

    name: ClassVar[str] = "test-flaky-scores"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    healed: ClassVar[bool] = False

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, error="HTTP 503: unavailable")
                if p.request.index % 3 == 0 and not FlakyStandIn.healed
                else Generation(index=p.request.index, text=f"happy and relieved: {p.request.subtitle}")
                for p in batch]


def test_a_resumed_run_reuses_the_answered_samples_scores_and_scores_the_retried_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ADAPTERS.add(FlakyStandIn.name, FlakyStandIn, origin="runtime", replace=True)
    monkeypatch.setattr(FlakyStandIn, "healed", False)
    config = RunConfig(model=FlakyStandIn.name, tasks=["emer-demo"], output_dir=tmp_path, n_resamples=100)
    first, _ = run_evaluation(config)
    assert first["results"]["emer-demo"]["n_failed"] == 4
    monkeypatch.setattr(FlakyStandIn, "healed", True)
    second, path = run_evaluation(config)
    task = second["results"]["emer-demo"]
    assert task["n_failed"] == 0 and task["n_reused"] == 6
    configs = {c["alias"]: c for c in task["config"]["scorers"]}
    assert configs["rouge_l"]["reused"]["samples"] == 6  # the 4 retried answers were scored
    assert path is not None
    rescored, _ = rescore(path.parent / task["config"]["samples_file"], task="emer-demo", n_resamples=100)
    assert same(rescored["results"]["emer-demo"]["metrics"], task["metrics"])


def test_a_cached_rerun_does_not_warm_scorers_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon_run(tmp_path)
    started: list[bool] = []
    monkeypatch.setattr(ScorerWarmUp, "start", lambda self: started.append(True))
    second, _ = lexicon_run(tmp_path)
    assert second["n_reused"] == 10 and not started


def test_fully_reused_scores_take_their_metrics_and_cis_unless_the_bootstrap_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task, folder, records = make_task(tmp_path), Folder(tmp_path / "run"), make_records(ANSWERS)
    first = folder.score(task, records)
    calls: list[int] = []
    original = score_module._confidence_intervals
    monkeypatch.setattr(score_module, "_confidence_intervals",
                        lambda *args: calls.append(1) or original(*args))  # type: ignore[func-returns-value]
    second = folder.score(task, records)
    assert second["metrics"] == first["metrics"] and calls == []  # nothing recomputed
    retried = make_records([*ANSWERS[:2], "happy now", *ANSWERS[3:]])
    third = folder.score(task, retried)
    assert len(calls) == 3 and third["metrics"] == fresh(tmp_path, task, retried)["metrics"]
    monkeypatch.setattr(score_cache, "bootstrap_settings", lambda n, seed: {"n_resamples": n, "seed": seed,
                                                                            "numpy": "another"})
    monkeypatch.setattr(score_module, "bootstrap_settings", score_cache.bootstrap_settings)
    calls.clear()
    folder.score(task, retried)
    assert len(calls) == 3  # a numpy with other random streams: every CI computed again


class UndefinedMetricStandIn(Scorer):
    """Test stand-in: reusable components, and a metric that is undefined (NaN) on this data."""

    name: ClassVar[str] = "test-undefined-metric"
    score_reuse: ClassVar[Any] = "per_sample"
    headline: ClassVar[tuple[str, ...]] = ("ratio",)

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        return [{"v": 0.0} for _ in items]

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        return {"ratio": math.nan, "n": float(len(samples))}


def test_metrics_with_an_undefined_value_are_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    SCORERS.add(UndefinedMetricStandIn.name, UndefinedMetricStandIn, origin="runtime", replace=True)
    task = make_task(tmp_path, "[{name: test-undefined-metric}]", "test-undefined-metric.n")
    folder = Folder(tmp_path / "run")
    first = folder.score(task, make_records(ANSWERS))
    calls: list[int] = []
    original = score_module._confidence_intervals
    monkeypatch.setattr(score_module, "_confidence_intervals",
                        lambda *args: calls.append(1) or original(*args))  # type: ignore[func-returns-value]
    second = folder.score(task, make_records(ANSWERS))
    assert reused(second) == {"test-undefined-metric": 5}  # the components are reused...
    assert calls == [1] and same(first["metrics"], second["metrics"])  # ...the null metric is recomputed
    assert math.isnan(second["metrics"]["test-undefined-metric.ratio"]["value"])


class HashingEncoderStandIn:
    """Test stand-in for the sentence-transformers model: a fixed unit vector per text (from its
    sha256), and a count of encode calls."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, sentences: list[str], **kwargs: Any) -> Any:
        import hashlib

        import numpy as np

        self.calls += 1
        rows = np.array([[byte + 1.0 for byte in hashlib.sha256(text.encode()).digest()[:16]] for text in sentences],
                        dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_embedding_similarity_with_the_packaged_model_is_reused_as_a_whole(tmp_path: Path) -> None:
    from emer_bench.scoring.scorers.similarity.embedding import (EmbeddingSimilarityArgs, EmbeddingSimilarityScorer,
                                                                 encoder_key, resolve_model)

    task = make_task(tmp_path, "[{name: embedding_similarity}]", "embedding_similarity.similarity")
    encoder, context = HashingEncoderStandIn(), ScoringContext()
    context.shared(encoder_key(resolve_model(None), "cpu"), lambda: encoder)
    folder = Folder(tmp_path / "run")
    first = folder.score(task, make_records(ANSWERS), context)
    assert encoder.calls == 1
    second = folder.score(task, make_records(ANSWERS), context)
    assert encoder.calls == 1 and reused(second)["embedding_similarity"] > 0  # no encode: no model load
    assert same(second["metrics"], first["metrics"])
    changed = folder.score(task, make_records(ANSWERS[:-1] + ["calm and content"]), context)
    assert encoder.calls == 2 and reused(changed) == {"embedding_similarity": 0}  # one answer changed: all again
    # A local model directory: reused while the files it holds are unchanged (their hash is in the
    # digest; each change re-scores: test_score_reuse_files.py).
    local = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(model=str(tmp_path)), ScoringContext())
    assert local.reuse_mode() == "whole" and local.describe()["resources"]["embedding_model"]["files_sha256"]

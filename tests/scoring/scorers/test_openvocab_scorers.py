"""The `ew` and `hit_rate` scorers: wiring of extractor, resources and the metric functions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import LabelExtractor, ScorerArgs, ScoringContext, ScoringItem
from emer_bench.errors import ConfigError, ResourceError
from emer_bench.metrics.labels import parse_label_list
from emer_bench.metrics.openvocab import score_ew
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.registries import SCORERS
from emer_bench.resources import emotion_wheel
from emer_bench.scoring.scorers import openvocab as openvocab_scorer
from emer_bench.scoring.extractors.outcome import ExtractedLabels
from emer_bench.scoring.scorers.openvocab import EmotionWheelScorer, HitRateScorer, OpenVocabArgs
from support_modules import load_support




testdata = load_support("metrics", "ew_testdata")


@pytest.fixture()
def tiny_dir(tmp_path: Path) -> Path:
    return testdata.write_tiny_resources(tmp_path / "tiny")


@pytest.fixture(autouse=True)
def no_ambient_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(emotion_wheel.ENV_CACHE, str(tmp_path / "empty-cache"))
    monkeypatch.delenv(emotion_wheel.ENV_RESOURCES, raising=False)


def _ew(resources: Path | None, context: ScoringContext | None = None, **args: Any) -> EmotionWheelScorer:
    parsed = OpenVocabArgs(extractor={"name": "parse"}, resources=str(resources) if resources else None, **args)
    return EmotionWheelScorer(parsed, context or ScoringContext())


ITEMS = [
    ScoringItem("c1", "Output: [glad, sulky]\n", Reference(openset=["glad", "sulky"])),
    ScoringItem("c2", None, Reference(openset=["dourly"]), failed=True),
    ScoringItem("c3", "[glad]", Reference(openset=[])),  # empty reference -> neutral -> skipped
    ScoringItem("c4", "gladly, grim, zzz", Reference(openset=["glad", "sulky"])),
]


def test_registered_names_and_contract() -> None:
    assert SCORERS.get("ew") is EmotionWheelScorer and SCORERS.get("hit_rate") is HitRateScorer
    assert EmotionWheelScorer.needs == frozenset({"openset"}) and HitRateScorer.needs == frozenset({"label"})
    assert EmotionWheelScorer.headline == ("ew_l1_fscore", "ew_l2_fscore", "m_avg")
    assert HitRateScorer.headline == ("hit_rate", "m_score")
    assert OpenVocabArgs().extractor.name == "offline"
    with pytest.raises(ValueError, match="unknown resource version 'mer1999'"):
        OpenVocabArgs(resource_version="mer1999")
    with pytest.raises(ValueError):
        OpenVocabArgs(colour="blue")  # unknown keys are rejected


def test_scores_equal_the_metric_functions(tiny_dir: Path) -> None:
    scorer = _ew(tiny_dir)
    components = scorer.score_samples(ITEMS)
    assert components[2] is None  # skipped by every mapping
    assert components[0]["form"] == [1.0, 1.0] and components[0]["labels"] == ["glad", "sulky"]
    assert components[1]["form"] == [0.0, 0.0] and components[1]["labels"] == []  # failed = empty
    metrics = scorer.aggregate(json.loads(json.dumps(components)))
    expected = score_ew([parse_label_list(i.reference.openset) for i in ITEMS],
                        [["glad", "sulky"], None, ["glad"], ["gladly", "grim", "zzz"]],
                        load_wheel_tables(tiny_dir)).flat()
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value, abs=1e-12), key
    assert metrics["n_extraction_errors"] == 0.0
    assert all(m in metrics for m in EmotionWheelScorer.headline)


def test_missing_resources_fail_in_scoring_not_construction() -> None:
    scorer = _ew(None)  # cheap constructor: nothing is resolved yet
    with pytest.raises(ResourceError, match="emer-bench resources fetch"):
        scorer.score_samples(ITEMS)
    info = scorer.describe()
    assert "error" in info["resources"]["emotion_wheel"]


def test_resources_come_from_the_context(tiny_dir: Path) -> None:
    scorer = _ew(None, ScoringContext(resources_dir=tiny_dir))
    assert scorer.score_samples(ITEMS[:1])[0]["form"] == [1.0, 1.0]


def test_describe_records_resources_and_extractor(shared_dir: Path) -> None:
    directory = shared_dir / "data" / "emotion_wheel" / "mer2026"
    scorer = _ew(directory, resource_version="mer2026")
    info = scorer.describe()
    wheel = info["resources"]["emotion_wheel"]
    assert wheel["version"] == "mer2026" and wheel["matches_pinned"] is True
    assert wheel["sha256"] == emotion_wheel.VERSIONS["mer2026"].sha256
    assert info["extractor"]["extractor"] == "parse"
    assert info["args"]["extractor"] == {"name": "parse", "args": {}}
    context_default = _ew(directory, ScoringContext(resource_version="mer2025"))
    assert context_default.describe()["resources"]["emotion_wheel"]["matches_pinned"] is False


class _FlakyExtractor(LabelExtractor):
    """A stand-in extractor whose second answer fails (like an LLM call that errored)."""

    name = "flaky-test"
    Args = ScorerArgs

    def extract_detailed(self, texts: list[str]) -> list[ExtractedLabels]:
        return [ExtractedLabels(labels=[], error="ExtractorError: timeout") if i == 1
                else ExtractedLabels(labels=parse_label_list(t)) for i, t in enumerate(texts)]

    def extract(self, texts: list[str]) -> list[list[str]]:
        return [r.labels for r in self.extract_detailed(texts)]


def test_extraction_errors_are_recorded_per_sample(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openvocab_scorer, "build_extractor", lambda spec, context: _FlakyExtractor(ScorerArgs(), context))
    scorer = EmotionWheelScorer(OpenVocabArgs(extractor={"name": "flaky-test"}, resources=str(tiny_dir)),
                                ScoringContext())
    items = [ITEMS[0], ScoringItem("c5", "[glad]", Reference(openset=["glad"]))]
    components = scorer.score_samples(items)
    assert components[1]["extraction_error"] == "ExtractorError: timeout"
    assert components[1]["form"] == [0.0, 0.0]  # counted as an empty prediction, visibly
    assert scorer.aggregate(components)["n_extraction_errors"] == 1.0


def test_unknown_extractor_is_a_config_error(tiny_dir: Path) -> None:
    scorer = EmotionWheelScorer(OpenVocabArgs(extractor={"name": "nope"}, resources=str(tiny_dir)), ScoringContext())
    with pytest.raises(ConfigError, match="nope"):
        scorer.score_samples(ITEMS)


def test_hit_rate_scorer(tiny_dir: Path) -> None:
    scorer = HitRateScorer(OpenVocabArgs(extractor={"name": "parse"}, resources=str(tiny_dir)), ScoringContext())
    items = [ScoringItem("a", "gladly, grim", Reference(label="glad")),
             ScoringItem("b", "grim", Reference(label="sulky")),
             ScoringItem("c", "glad", Reference(label="neutral")),
             ScoringItem("d", None, Reference(label="dourly"), failed=True)]
    components = scorer.score_samples(items)
    assert components[2] is None
    metrics = scorer.aggregate(json.loads(json.dumps(components)))
    assert metrics["hit_rate"] == pytest.approx(0.4) and metrics["m_score"] == pytest.approx(0.3)


def test_real_references_with_made_up_answers(emer_data_dir: Path, wheel_dir: Path) -> None:
    import csv

    with (emer_data_dir / "ovmerd_openset_labels.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    answers = ["[happy, worried]", "Output: sad", "[]", "angry, relaxed and calm"]
    items = [ScoringItem(r["name"], answers[i % 4], Reference(openset=parse_label_list(r["openset"])))
             for i, r in enumerate(rows)]
    scorer = _ew(wheel_dir)
    metrics = scorer.aggregate(scorer.score_samples(items))
    expected = score_ew([i.reference.openset for i in items],
                        [parse_label_list(a.removeprefix("Output: ")) for a in (answers[i % 4] for i in range(len(items)))],
                        load_wheel_tables(wheel_dir)).flat()
    assert {k: metrics[k] for k in expected} == pytest.approx(expected, abs=1e-12)
    assert 0 < metrics["ew_l1_fscore"] < 1


def test_bootstrap_fast_path_equals_the_direct_path(wheel_dir: Path, emer_data_dir: Path) -> None:
    """The runner's CIs for `ew` use aggregate_weighted; they must equal re-running aggregate."""
    import csv

    from emer_bench.metrics import bootstrap

    with (emer_data_dir / "ovmerd_openset_labels.csv").open() as fh:
        refs = [parse_label_list(row["openset"]) for row in csv.DictReader(fh)][:60]
    items = [ScoringItem(f"c{i}", str(ref[: 1 + i % 3][::-1] + ["calm"]), Reference(openset=ref))
             for i, ref in enumerate(refs)]
    scorer = _ew(wheel_dir)
    components = scorer.score_samples(items)
    metrics = list(EmotionWheelScorer.headline)
    fast = bootstrap.bootstrap_ci(components, scorer.aggregate, metrics, n_resamples=200, seed=7)
    direct = bootstrap.bootstrap_ci(components, lambda c: scorer.aggregate(c), metrics, n_resamples=200, seed=7)
    for metric in metrics:
        assert fast[metric] == pytest.approx(direct[metric], abs=1e-12)

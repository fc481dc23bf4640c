"""Every scorer that reads structured predictions (classic recognizers) uses them instead of the
text: categorical, mer2023_combined, dimensional, hit_rate, ew, affective_space, va_consistency."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.api.structured import StructuredPrediction
from emer_bench.resources.va_lexicon import load_builtin
from emer_bench.scoring.scorers.affective_space import (AffectiveSpaceArgs, AffectiveSpaceScorer,
                                                        CategoryVAConsistencyScorer, VAConsistencyArgs)
from emer_bench.scoring.scorers.categorical import CategoricalArgs, CategoricalScorer
from emer_bench.scoring.scorers.dimensional import (DimensionalArgs, DimensionalScorer, Mer2023CombinedArgs,
                                                    Mer2023CombinedScorer)
from emer_bench.scoring.scorers.openvocab import EmotionWheelScorer, HitRateScorer, OpenVocabArgs
from support_modules import load_support

FER = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def classes(*probs: float) -> StructuredPrediction:
    return StructuredPrediction(labels=FER, scores=probs)


def va(valence: float, arousal: float | None) -> StructuredPrediction:
    return StructuredPrediction(valence=valence, arousal=arousal, va_source="model")


def item(clip: str, structured: StructuredPrediction | None, text: str | None = None, **ref) -> ScoringItem:
    return ScoringItem(clip, text, Reference(**ref), structured=structured)


def test_categorical_takes_the_best_class_the_task_knows_or_the_nearest_label():
    scorer = CategoricalScorer(CategoricalArgs(labels=["happy", "sad", "angry", "neutral"],
                                               synonyms={"happy": ["joy"]}), ScoringContext())
    items = [
        item("top", classes(0.1, 0, 0, 0.6, 0.1, 0.1, 0.1), label="happy"),
        # disgust is the model's top class but not in the task's set: the next best (sad) counts
        item("restricted", classes(0.1, 0.5, 0, 0, 0.3, 0.1, 0), label="sad"),
        item("outside", StructuredPrediction(labels=("fear", "surprise"), scores=(0.5, 0.5)), label="sad"),
        item("va-only", va(-0.6, -0.4), label="sad"),  # nearest of happy/sad/angry/neutral: sad (NRC18)
        item("text-still-works", None, "She is angry.", label="angry"),
        item("structure-wins", classes(0, 0, 0, 0, 0, 0, 1), "She is angry.", label="neutral"),
    ]
    rows = scorer.score_samples(items)
    assert [r["prediction"] for r in rows] == ["happy", "sad", None, "sad", "angry", "neutral"]
    assert [r.get("from") for r in rows] == ["classes", "classes", "classes", "va_nearest", None, "classes"]
    metrics = scorer.aggregate(rows)
    assert metrics["accuracy"] == pytest.approx(5 / 6) and metrics["n_unparsed"] == 1


def test_dimensional_rescales_structured_values_to_the_range():
    args = DimensionalArgs(valence_range=(-5.0, 5.0), arousal_range=(0.0, 10.0))
    items = [item("a", va(0.5, -1.0), valence=2.5, arousal=0.0),
             item("b", va(-1.0, 1.0), valence=-5.0, arousal=10.0),
             item("classes-only", classes(0, 0, 0, 1, 0, 0, 0), valence=1.0, arousal=5.0)]
    rows = DimensionalScorer(args, ScoringContext()).score_samples(items)
    assert rows[0]["valence_pred"] == pytest.approx(2.5) and rows[0]["arousal_pred"] == pytest.approx(0.0)
    assert rows[1]["valence_pred"] == pytest.approx(-5.0) and rows[1]["arousal_pred"] == pytest.approx(10.0)
    # a structured prediction without values is unparsed: the midpoint, counted
    assert rows[2]["unparsed"] == ["valence", "arousal"] and rows[2]["valence_pred"] == 0.0
    metrics = DimensionalScorer(args, ScoringContext()).aggregate(rows)
    assert metrics["n_unparsed"] == 1 and metrics["mse_valence"] == pytest.approx(1.0 / 3)


def test_mer2023_combined_reads_both_parts_from_the_structure():
    scorer = Mer2023CombinedScorer(Mer2023CombinedArgs(labels=["happy", "sad"]), ScoringContext())
    s = StructuredPrediction(labels=("happy", "sad"), scores=(0.8, 0.2), valence=0.2, arousal=0.1, va_source="model")
    rows = scorer.score_samples([item("a", s, label="happy", valence=1.0)])
    assert rows[0]["label"]["prediction"] == "happy" and rows[0]["valence"]["valence_pred"] == pytest.approx(1.0)
    assert scorer.aggregate(rows)["combined"] == pytest.approx(1.0)


@pytest.fixture()
def tiny_wheel(tmp_path: Path) -> Path:
    return load_support("metrics", "ew_testdata").write_tiny_resources(tmp_path / "tiny")


def test_ew_and_hit_rate_take_the_top_k_classes(tiny_wheel):
    labels = ("glad", "sulky", "grim")
    s = StructuredPrediction(labels=labels, scores=(0.5, 0.3, 0.2))
    args = dict(extractor={"name": "parse"}, resources=str(tiny_wheel))
    ew1 = EmotionWheelScorer(OpenVocabArgs(**args), ScoringContext())
    ew2 = EmotionWheelScorer(OpenVocabArgs(**args, structured_top_k=2), ScoringContext())
    ref = Reference(openset=["glad", "sulky"])
    assert ew1.score_samples([ScoringItem("a", None, ref, structured=s)])[0]["labels"] == ["glad"]
    both = ew2.score_samples([ScoringItem("a", None, ref, structured=s)])[0]
    assert both["labels"] == ["glad", "sulky"] and both["form"] == [1.0, 1.0]
    # hit_rate: a structured top class scores exactly as the same label given as text
    hit = HitRateScorer(OpenVocabArgs(**args), ScoringContext())
    refs = [Reference(label="glad"), Reference(label="sulky"), Reference(label="dourly")]
    tops = [(1, 0, 0), (0, 0, 1), (0, 1, 0)]  # glad, grim, sulky
    as_text = hit.score_samples([ScoringItem(str(i), labels[t.index(1)], r) for i, (r, t) in enumerate(zip(refs, tops))])
    as_structure = hit.score_samples([ScoringItem(str(i), None, r, structured=StructuredPrediction(labels, t))
                                      for i, (r, t) in enumerate(zip(refs, tops))])
    assert as_structure == as_text and hit.aggregate(as_structure) == hit.aggregate(as_text)
    assert hit.aggregate(as_structure)["hit_rate"] > 0


def test_affective_space_places_top_classes_or_the_va_point():
    scorer = AffectiveSpaceScorer(AffectiveSpaceArgs(), ScoringContext())
    table = load_builtin()
    rows = scorer.score_samples([item("classes", classes(0, 0, 0, 0.9, 0, 0, 0.1), openset=["happy"]),
                                 item("va", va(-0.5, 0.5), openset=["happy"])])
    assert rows[0]["pred_point"] == pytest.approx(list(table.lookup("happy")))
    assert rows[1]["pred_point"] == [-0.5, 0.5]
    assert scorer.aggregate(rows)["centroid_distance"] == pytest.approx(
        math.dist((-0.5, 0.5), table.lookup("happy")) / 2)


def test_va_consistency_compares_own_class_with_own_va_and_flags_derived_va():
    scorer = CategoryVAConsistencyScorer(VAConsistencyArgs(), ScoringContext())
    derived = StructuredPrediction(labels=FER, scores=(0, 0, 0, 1, 0, 0, 0), valence=0.9, arousal=0.4,
                                   va_source="category_map")
    own = StructuredPrediction(labels=FER, scores=(0, 0, 0, 0, 1, 0, 0), valence=0.5, arousal=-0.3, va_source="model")
    rows = scorer.score_samples([item("a", derived), item("b", own), item("c", va(0.1, 0.1))])
    assert rows[0]["label_point"] == pytest.approx(list(load_builtin().lookup("happy")))
    assert rows[1]["stated"] == [0.5, -0.3] and rows[2]["label_point"] is None
    metrics = scorer.aggregate(rows)
    assert metrics["valence_sign_consistency"] == pytest.approx(0.5)  # happy/+ agrees; sad/+ does not
    assert metrics["va_from_categories"] == pytest.approx(0.5) and metrics["completeness"] == pytest.approx(2 / 3)

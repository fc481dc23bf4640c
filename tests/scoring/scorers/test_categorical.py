"""The `categorical` scorer end to end: parsing, failure rules, hand-computed F1."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import DataError
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.categorical import CategoricalArgs, CategoricalScorer


def item(clip: str, answer: str | None, label: str | None, failed: bool = False) -> ScoringItem:
    return ScoringItem(clip_id=clip, prediction=answer, reference=Reference(label=label), failed=failed)


def make(**args: object) -> CategoricalScorer:
    return CategoricalScorer(CategoricalArgs(**args), ScoringContext())


ITEMS = [
    item("c1", "She is happy.", "happy"),
    item("c2", "In conclusion, happy", "happy"),
    item("c3", "I think she is sad", "happy"),
    item("c4", "sad", "sad"),
    item("c5", "He seems angry", "sad"),
    item("c6", "I cannot say", "angry"),  # unparsed
    item("c7", None, "angry", failed=True),  # failed
    item("c8", "happy", None),  # no reference: skipped
]


def test_components_and_metrics_by_hand() -> None:
    scorer = make()
    components = scorer.score_samples(ITEMS)
    assert components[7] is None
    assert components[5] == {"reference": "angry", "prediction": None, "unparsed": True, "failed": False}
    assert components[6] == {"reference": "angry", "prediction": None, "unparsed": False, "failed": True}
    metrics = scorer.aggregate(components)
    # label set from references: angry, happy, sad. Counted: 7 samples, correct c1 c2 c4.
    # angry: tp0 fp1 (c5) fn2 -> F 0;  happy: tp2 fp0 fn1 -> F 4/5;  sad: tp1 fp1 (c3) fn1 -> F 1/2
    assert metrics["accuracy"] == pytest.approx(3 / 7)
    assert metrics["macro_f1"] == pytest.approx((0 + 0.8 + 0.5) / 3)
    assert metrics["weighted_f1"] == pytest.approx((0 * 2 + 0.8 * 3 + 0.5 * 2) / 7)
    assert metrics["n_unparsed"] == 1.0
    assert metrics["unparsed_rate"] == pytest.approx(1 / 7)


def test_failed_samples_can_be_skipped() -> None:
    scorer = make(failed_as_wrong=False)
    components = scorer.score_samples(ITEMS)
    assert components[6] is None
    assert scorer.aggregate(components)["accuracy"] == pytest.approx(3 / 6)


def test_configured_label_set_and_synonyms() -> None:
    scorer = make(labels=["Happy", "sad", "angry", "worried"], synonyms={"happy": ["joy"]})
    components = scorer.score_samples([item("a", "pure joy", "happy"), item("b", "sad", "joy")])
    assert [c["prediction"] for c in components] == ["happy", "sad"]  # type: ignore[index]
    assert components[1]["reference"] == "happy"  # type: ignore[index]
    metrics = scorer.aggregate(components)
    # worried and angry have no support and no prediction: 0 in macro, weight 0 in weighted
    assert metrics["accuracy"] == 0.5
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0 + 0 + 0) / 4)
    assert metrics["weighted_f1"] == pytest.approx(2 / 3)


def test_label_set_from_references_uses_synonyms() -> None:
    scorer = make(synonyms={"happy": ["joy"]})
    components = scorer.score_samples([item("a", "joy", "joy"), item("b", "happy", "happy")])
    assert all(c["reference"] == "happy" and c["prediction"] == "happy" for c in components)  # type: ignore[index]


def test_reference_outside_label_set_is_a_data_error() -> None:
    with pytest.raises(DataError, match="clip 'b'.*'bored' is not in the scorer's label set"):
        make(labels=["happy", "sad"]).score_samples([item("a", "sad", "sad"), item("b", "sad", "bored")])


def test_no_reference_labels_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no sample has a reference 'label'"):
        make().score_samples([item("a", "sad", None)])


def test_empty_aggregate_is_nan() -> None:
    metrics = make().aggregate([None, None])
    assert all(v != v for k, v in metrics.items() if k != "n_unparsed")


def test_registered_and_args_validated() -> None:
    assert SCORERS.get("categorical") is CategoricalScorer
    with pytest.raises(ValidationError):
        CategoricalArgs(label_set=["x"])  # type: ignore[call-arg]
    assert CategoricalScorer.headline == ("accuracy", "macro_f1", "weighted_f1")

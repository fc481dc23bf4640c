"""`dimensional` and `mer2023_combined`: hand-computed CCC/MSE/Pearson, range and missing rules."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import DataError
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.dimensional import (DimensionalArgs, DimensionalScorer, Mer2023CombinedArgs,
                                            Mer2023CombinedScorer)


def va_item(clip: str, answer: str | None, valence: float | None, arousal: float | None = None,
            failed: bool = False, label: str | None = None) -> ScoringItem:
    return ScoringItem(clip, answer, Reference(label=label, valence=valence, arousal=arousal), failed)


def dimensional(**args: object) -> DimensionalScorer:
    return DimensionalScorer(DimensionalArgs(**args), ScoringContext())


def test_metrics_by_hand() -> None:
    # valence refs 0.1 0.2 0.3, preds 0.2 0.4 0.6 -> like x=1 2 3, y=2 4 6 scaled by 0.1:
    # CCC 8/22, MSE (0.01+0.04+0.09)/3, Pearson 1. Arousal refs -0.5 0 0.5, preds 0.5 0 -0.5: CCC -1.
    scorer = dimensional()
    items = [va_item("a", "valence: 0.2, arousal: 0.5", 0.1, -0.5),
             va_item("b", '{"valence": 0.4, "arousal": 0}', 0.2, 0.0),
             va_item("c", "0.6, -0.5", 0.3, 0.5)]
    metrics = scorer.aggregate(scorer.score_samples(items))
    assert metrics["ccc_valence"] == pytest.approx(8 / 22)
    assert metrics["mse_valence"] == pytest.approx(0.14 / 3)
    assert metrics["pearson_valence"] == pytest.approx(1.0)
    assert metrics["ccc_arousal"] == pytest.approx(-1.0)
    assert metrics["mse_arousal"] == pytest.approx((1.0 + 0 + 1.0) / 3)
    assert metrics["ccc"] == pytest.approx((8 / 22 - 1.0) / 2)  # ABAW mean of V and A
    assert metrics["n_valence"] == metrics["n_arousal"] == 3
    assert metrics["n_unparsed"] == metrics["n_clipped"] == 0


def test_out_of_range_is_clipped_by_default_or_invalid() -> None:
    items = [va_item("a", "valence: 1.5, arousal: -3", 0.5, 0.0)]
    clipped = dimensional().score_samples(items)[0]
    assert clipped["valence_pred"] == 1.0 and clipped["arousal_pred"] == -1.0  # type: ignore[index]
    assert clipped["clipped"] == ["valence", "arousal"]  # type: ignore[index]
    invalid = dimensional(out_of_range="invalid").score_samples(items)[0]
    assert invalid["valence_pred"] == 0.0 and invalid["invalid"] == ["valence", "arousal"]  # type: ignore[index]
    scorer = dimensional(out_of_range="invalid")
    assert scorer.aggregate([invalid])["n_invalid"] == 1


def test_missing_values_score_as_midpoint_or_are_skipped() -> None:
    items = [va_item("a", "valence: 0.5", 0.5, 0.5), va_item("b", None, -0.5, -0.5, failed=True),
             va_item("c", "valence: 0.1, arousal: 0.1", 0.2, 0.2)]
    midpoint = dimensional(valence_range=(0, 1), arousal_range=(-1, 1))
    with pytest.raises(DataError, match="clip 'b': reference valence -0.5 is outside valence_range"):
        midpoint.score_samples(items)
    scorer = dimensional()
    rows = scorer.score_samples(items)
    assert rows[0]["arousal_pred"] == 0.0 and rows[0]["unparsed"] == ["arousal"]  # type: ignore[index]
    assert rows[1]["failed"] and rows[1]["valence_pred"] == 0.0  # type: ignore[index]
    metrics = scorer.aggregate(rows)
    assert metrics["n_arousal"] == 3 and metrics["n_unparsed"] == 1
    skip = dimensional(missing="skip")
    metrics = skip.aggregate(skip.score_samples(items))
    assert metrics["n_valence"] == 2 and metrics["n_arousal"] == 1
    assert not math.isnan(metrics["ccc_arousal"]) and math.isnan(metrics["pearson_arousal"])  # one pair


def test_midpoint_of_a_custom_scale() -> None:
    scorer = dimensional(dimensions=["valence"], valence_range=(-5, 5))
    row = scorer.score_samples([va_item("a", "no idea", 2.0)])[0]
    assert row["valence_pred"] == 0.0 and "arousal_ref" not in row  # type: ignore[index]
    assert scorer.needs == frozenset({"valence"})
    assert set(scorer.aggregate([row])) >= {"ccc_valence", "ccc"} and "ccc_arousal" not in scorer.aggregate([row])


def test_samples_without_references_are_skipped_and_missing_dimension_is_an_error() -> None:
    scorer = dimensional()
    assert scorer.score_samples([va_item("a", "0.1, 0.2", 0.1, 0.2), va_item("b", "0.1, 0.2", None, None)])[1] is None
    with pytest.raises(DataError, match="no sample has a reference 'arousal'"):
        scorer.score_samples([va_item("a", "0.1, 0.2", 0.1, None)])


def test_args_validation() -> None:
    with pytest.raises(ValidationError, match="low < high"):
        DimensionalArgs(valence_range=(1, -1))
    with pytest.raises(ValidationError, match="without repeats"):
        DimensionalArgs(dimensions=["valence", "valence"])
    with pytest.raises(ValidationError):
        DimensionalArgs(dimensions=["dominance"])  # type: ignore[list-item]


def test_mer2023_combined_by_hand() -> None:
    scorer = Mer2023CombinedScorer(Mer2023CombinedArgs(), ScoringContext())
    items = [va_item("a", "happy, valence: 3", 4.0, label="happy"),
             va_item("b", "sad; valence: -2", -2.0, label="sad"),
             va_item("c", "sad; valence: -1", 1.0, label="happy"),
             va_item("d", None, -3.0, label="sad", failed=True)]
    metrics = scorer.aggregate(scorer.score_samples(items))
    # labels: happy tp1 fn1 -> F 2/3; sad tp1 fp1 fn1 -> F 1/2; supports 2 and 2 -> weighted 7/12
    # valence: errors 1, 0, 2, 3 (failed -> midpoint 0 of [-5, 5]) -> MSE (1+0+4+9)/4 = 3.5
    assert metrics["weighted_f1"] == pytest.approx(7 / 12)
    assert metrics["mse_valence"] == pytest.approx(3.5)
    assert metrics["combined"] == pytest.approx(7 / 12 - 0.25 * 3.5)
    assert metrics["accuracy"] == pytest.approx(0.5)


def test_registered() -> None:
    assert SCORERS.get("dimensional") is DimensionalScorer
    assert SCORERS.get("mer2023_combined") is Mer2023CombinedScorer

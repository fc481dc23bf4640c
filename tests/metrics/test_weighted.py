"""Every `aggregate_weighted` equals its scorer's `aggregate` on the same resamples."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest

from emer_bench.api.scorer import ScoringContext
from emer_bench.metrics.bootstrap import _Resampler, bootstrap_ci, paired_bootstrap, weighted_form
from emer_bench.metrics.openvocab import METRIC_NAMES, aggregate_ew
from emer_bench.metrics.weighted import (counts_from_indices, ew_aggregate_weighted, f_from_pr_array,
                                         weighted_agreement, weighted_means)
from emer_bench.scoring.scorers.categorical import CategoricalArgs, CategoricalScorer
from emer_bench.scoring.scorers.dimensional import (DimensionalArgs, DimensionalScorer, Mer2023CombinedArgs,
                                            Mer2023CombinedScorer)

LABELS = ["happy", "sad", "angry", "worried"]


def check_equal(samples: list[Any], aggregate: Callable[[list[Any]], dict[str, float]],
                weighted: Callable[[list[Any], np.ndarray], dict[str, np.ndarray]],
                n_resamples: int = 40, clusters: list[str] | None = None) -> None:
    block = list(_Resampler(len(samples), clusters).draw(np.random.default_rng(0), n_resamples))
    fast = weighted(samples, counts_from_indices(block, len(samples)))
    for r, idx in enumerate(block):
        direct = aggregate([samples[i] for i in idx])
        assert set(direct) == set(fast)
        for metric, value in direct.items():
            got = float(fast[metric][r])
            assert (math.isnan(value) and math.isnan(got)) or got == pytest.approx(value, rel=1e-9, abs=1e-12), \
                f"{metric} of resample {r}: {got} != {value}"


def categorical_samples(rng: np.random.Generator, n: int, skip: float = 0.1) -> list[Any]:
    out: list[Any] = []
    for _ in range(n):
        if rng.random() < skip:
            out.append(None)
            continue
        ref = LABELS[int(rng.integers(3))]  # 'worried' never in the references
        roll = rng.random()
        pred = ref if roll < 0.5 else (None if roll < 0.6 else LABELS[int(rng.integers(4))])
        out.append({"reference": ref, "prediction": pred, "unparsed": pred is None and roll < 0.55,
                    "failed": pred is None and roll >= 0.55})
    return out


@pytest.mark.parametrize("labels", [[], LABELS])
def test_categorical(labels: list[str]) -> None:
    scorer = CategoricalScorer(CategoricalArgs(labels=labels), ScoringContext())
    samples = categorical_samples(np.random.default_rng(1), 60)
    check_equal(samples, scorer.aggregate, scorer.aggregate_weighted)
    # tiny data: resamples that miss whole classes, or hold only skipped samples
    check_equal(categorical_samples(np.random.default_rng(2), 4, skip=0.5), scorer.aggregate,
                scorer.aggregate_weighted, n_resamples=60)


def dimensional_samples(rng: np.random.Generator, n: int) -> list[Any]:
    out: list[Any] = []
    for i in range(n):
        if i % 9 == 0:
            out.append(None)
            continue
        row: dict[str, Any] = {"failed": False, "unparsed": ["arousal"] if i % 5 == 0 else [],
                               "clipped": ["valence"] if i % 7 == 0 else [], "invalid": []}
        row["valence_ref"], row["valence_pred"] = float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))
        if i % 4:
            row["arousal_ref"], row["arousal_pred"] = float(rng.uniform(-1, 1)), 0.0  # constant prediction
        out.append(row)
    return out


def test_dimensional() -> None:
    scorer = DimensionalScorer(DimensionalArgs(), ScoringContext())
    check_equal(dimensional_samples(np.random.default_rng(3), 50), scorer.aggregate, scorer.aggregate_weighted)
    check_equal(dimensional_samples(np.random.default_rng(4), 3), scorer.aggregate, scorer.aggregate_weighted,
                n_resamples=60)


def test_mer2023_combined() -> None:
    scorer = Mer2023CombinedScorer(Mer2023CombinedArgs(labels=LABELS), ScoringContext())
    rng = np.random.default_rng(5)
    labels, valences = categorical_samples(rng, 40), dimensional_samples(rng, 40)
    samples = [None if c is None and d is None else {"label": c, "valence": d} for c, d in zip(labels, valences)]
    check_equal(samples, scorer.aggregate, scorer.aggregate_weighted)


def ew_samples(rng: np.random.Generator, n: int) -> list[Any]:
    out: list[Any] = []
    for _ in range(n):
        if rng.random() < 0.1:
            out.append(None)
            continue
        out.append({name: None if rng.random() < 0.2 else [float(rng.choice([0, 0.5, 1])), float(rng.random())]
                    for name in METRIC_NAMES})
    return out


def test_ew_aggregate() -> None:
    def aggregate(samples: list[Any]) -> dict[str, float]:
        return aggregate_ew(samples).flat()

    check_equal(ew_samples(np.random.default_rng(6), 50), aggregate, ew_aggregate_weighted)
    check_equal(ew_samples(np.random.default_rng(7), 3), aggregate, ew_aggregate_weighted, n_resamples=60)
    clips = [f"c{i // 3}" for i in range(30)]
    check_equal(ew_samples(np.random.default_rng(8), 30), aggregate, ew_aggregate_weighted, clusters=clips)


def test_fast_path_gives_the_same_interval_as_the_direct_path() -> None:
    scorer = CategoricalScorer(CategoricalArgs(), ScoringContext())
    samples = categorical_samples(np.random.default_rng(9), 200)
    assert weighted_form(scorer.aggregate) is not None
    assert weighted_form(lambda c: scorer.aggregate(c)) is None
    clips = [f"c{i // 2}" for i in range(200)]
    for clusters in (None, clips):
        fast = bootstrap_ci(samples, scorer.aggregate, list(scorer.headline), n_resamples=150, clusters=clusters)
        slow = bootstrap_ci(samples, lambda c: scorer.aggregate(c), list(scorer.headline), n_resamples=150,
                            clusters=clusters)
        for metric in scorer.headline:
            assert fast[metric] == pytest.approx(slow[metric], abs=1e-12)
    other = categorical_samples(np.random.default_rng(10), 200)
    fast_pair = paired_bootstrap(samples, other, scorer.aggregate, scorer.aggregate, "accuracy", n_resamples=100)
    slow_pair = paired_bootstrap(samples, other, lambda c: scorer.aggregate(c), scorer.aggregate, "accuracy",
                                 n_resamples=100)
    assert fast_pair.ci == pytest.approx(slow_pair.ci) and fast_pair.p_value == slow_pair.p_value


def test_helpers_by_hand() -> None:
    counts = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 3.0]])
    values = np.array([[1.0], [5.0], [4.0]])
    mask = np.array([[True], [True], [False]])
    means = weighted_means(values, mask, counts)
    assert means[0, 0] == 1.0 and math.isnan(means[1, 0])  # second resample counts nothing
    assert counts_from_indices([np.array([0, 0, 2]), np.array([2, 2, 2])], 3).tolist() == counts.tolist()
    f = f_from_pr_array(np.array([0.5, 0.0, np.nan]), np.array([1.0, 0.0, 0.5]))
    assert f[0] == pytest.approx(2 / 3) and f[1] == 0.0 and math.isnan(f[2])
    stats = weighted_agreement(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]), np.array([[1.0, 1.0, 1.0]]))
    assert stats["ccc"][0] == pytest.approx(8 / 22) and stats["pearson"][0] == pytest.approx(1.0)
    assert stats["mse"][0] == pytest.approx(14 / 3) and stats["n"][0] == 3


def affective_space_samples(rng: np.random.Generator, n: int) -> list[Any]:
    out: list[Any] = []
    for i in range(n):
        if i % 10 == 0:
            out.append(None)
            continue
        ref = None if i % 7 == 0 else [float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))]
        pred = None if i % 3 == 0 else [float(rng.uniform(-1, 1)), 0.05]
        out.append({"ref_n": 2, "ref_mapped": 1 if ref else 0, "pred_n": 1 + i % 2, "pred_mapped": 1 if pred else 0,
                    "failed": False, "ref_point": ref, "pred_point": pred,
                    "nn_distance": float(rng.random()) if ref and pred else None})
    return out


def test_affective_space() -> None:
    from emer_bench.scoring.scorers.affective_space import AffectiveSpaceArgs, AffectiveSpaceScorer

    scorer = AffectiveSpaceScorer(AffectiveSpaceArgs(), ScoringContext())
    check_equal(affective_space_samples(np.random.default_rng(11), 50), scorer.aggregate, scorer.aggregate_weighted)
    check_equal(affective_space_samples(np.random.default_rng(12), 4), scorer.aggregate, scorer.aggregate_weighted,
                n_resamples=60)


def test_va_consistency() -> None:
    from emer_bench.scoring.scorers.affective_space import CategoryVAConsistencyScorer, VAConsistencyArgs

    scorer = CategoryVAConsistencyScorer(VAConsistencyArgs(), ScoringContext())
    rng = np.random.default_rng(13)
    samples: list[Any] = [None if i % 9 == 0 else {
        "label_point": None if i % 5 == 0 else [float(rng.choice([-0.7, 0.0, 0.7])), float(rng.uniform(-1, 1))],
        "n_labels": 1, "n_mapped": 1,
        "stated": [float(rng.uniform(-1, 1)), None if i % 4 == 0 else float(rng.uniform(-1, 1))]} for i in range(50)]
    check_equal(samples, scorer.aggregate, scorer.aggregate_weighted)
    check_equal(samples[:4], scorer.aggregate, scorer.aggregate_weighted, n_resamples=60)


def test_weighted_agreement_constant_resample_is_exact() -> None:
    x = np.array([0.7, 0.7, 0.7, 0.1])
    y = np.array([0.1, 0.5, 0.2, 0.3])
    counts = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 3.0, 0.0, 0.0]])
    stats = weighted_agreement(x, y, counts)
    assert math.isnan(stats["pearson"][0]) and stats["ccc"][0] == 0.0
    assert math.isnan(stats["pearson"][1]) and stats["ccc"][1] == 0.0  # both constant, different values


def test_label_overlap() -> None:
    from emer_bench.scoring.scorers.label_overlap import LabelOverlapArgs, LabelOverlapScorer

    scorer = LabelOverlapScorer(LabelOverlapArgs(), ScoringContext())
    rng = np.random.default_rng(3)
    samples: list[Any] = [None if rng.random() < 0.2 else
                          {"precision": float(rng.choice([0.0, 0.5, 1.0])), "recall": float(rng.random()), "predicted": []}
                          for _ in range(50)]
    check_equal(samples, scorer.aggregate, scorer.aggregate_weighted)
    check_equal([None, {"precision": 0.0, "recall": 0.0, "predicted": []}, None], scorer.aggregate,
                scorer.aggregate_weighted, n_resamples=30)  # resamples of only skipped / all-zero samples

"""Bootstrap CIs and the paired bootstrap: determinism, clusters, coverage of the estimate, power."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from emer_bench.errors import ConfigError
from emer_bench.metrics.bootstrap import _Resampler, bootstrap_ci, paired_bootstrap, paired_bootstrap_many


def mean_aggregate(components: list[Any]) -> dict[str, float]:
    values = [c["x"] for c in components if c is not None]
    return {"mean": float(np.mean(values)) if values else float("nan"), "n": float(len(values))}


def make_components(values: np.ndarray) -> list[dict[str, float]]:
    return [{"x": float(v)} for v in values]


@pytest.fixture(scope="module")
def normal_components() -> list[dict[str, float]]:
    return make_components(np.random.default_rng(42).normal(0.5, 1.0, size=300))


def test_same_seed_same_interval_other_seed_other_interval(normal_components: list[Any]) -> None:
    first = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=300, seed=7)
    again = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=300, seed=7)
    other = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=300, seed=8)
    assert first == again
    assert first != other


def test_interval_contains_estimate_and_matches_normal_theory(normal_components: list[Any]) -> None:
    point = mean_aggregate(normal_components)["mean"]
    low, high = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=2000, seed=1)["mean"]
    assert low < point < high
    values = np.array([c["x"] for c in normal_components])
    normal_width = 2 * 1.96 * values.std() / math.sqrt(values.size)
    assert (high - low) == pytest.approx(normal_width, rel=0.15)


def test_alpha_narrows_interval(normal_components: list[Any]) -> None:
    wide = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=500, alpha=0.01)["mean"]
    narrow = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=500, alpha=0.5)["mean"]
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_skipped_components_are_resampled_like_others() -> None:
    components: list[Any] = [{"x": 1.0}, None, {"x": 3.0}, None]
    cis = bootstrap_ci(components, mean_aggregate, ["n"], n_resamples=200, seed=3)
    low, high = cis["n"]
    assert 0 <= low <= 2 <= high <= 4  # the number of counted samples varies between resamples


def test_undefined_resamples_are_left_out_and_all_undefined_gives_nan() -> None:
    components: list[Any] = [{"x": 1.0}] + [None] * 9
    low, high = bootstrap_ci(components, mean_aggregate, ["mean"], n_resamples=200, seed=3)["mean"]
    assert low == high == 1.0  # resamples without the one counted item are NaN and ignored
    nan_ci = bootstrap_ci([None, None], mean_aggregate, ["mean"], n_resamples=20)["mean"]
    assert all(math.isnan(v) for v in nan_ci)


def test_unknown_metric_is_a_config_error(normal_components: list[Any]) -> None:
    with pytest.raises(ConfigError, match="'nope'.*produces"):
        bootstrap_ci(normal_components, mean_aggregate, ["nope"], n_resamples=10)


def test_nothing_to_do_returns_empty() -> None:
    assert bootstrap_ci([], mean_aggregate, ["mean"]) == {}
    assert bootstrap_ci([{"x": 1.0}], mean_aggregate, [], n_resamples=10) == {}


def test_cluster_resampling_keeps_clips_whole() -> None:
    clusters = ["c0", "c1", "c1", "c2", "c2", "c2", "c3"]
    resampler = _Resampler(len(clusters), clusters)
    assert resampler.n_clusters == 4
    rng = np.random.default_rng(0)
    members = {"c0": [0], "c1": [1, 2], "c2": [3, 4, 5], "c3": [6]}
    for idx in resampler.draw(rng, 50):
        picked = [clusters[i] for i in idx]
        for clip, items in members.items():
            counts = [int(np.sum(idx == i)) for i in items]
            assert len(set(counts)) == 1, f"clip {clip} was split: {counts}"
        assert len(set(picked)) <= 4
        # the resample draws 4 clusters, so its size is a sum of 4 cluster sizes
        assert 4 <= len(idx) <= 12


def test_singleton_clusters_equal_item_resampling(normal_components: list[Any]) -> None:
    clips = [f"clip{i}" for i in range(len(normal_components))]
    plain = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=200, seed=5)
    clustered = bootstrap_ci(normal_components, mean_aggregate, ["mean"], n_resamples=200, seed=5, clusters=clips)
    assert plain == clustered


def test_clustered_interval_is_wider_for_correlated_items() -> None:
    # 40 clips with 10 identical items each: only 40 independent values, not 400.
    clip_values = np.random.default_rng(11).normal(size=40)
    components = make_components(np.repeat(clip_values, 10))
    clusters = [f"clip{i}" for i in range(40) for _ in range(10)]
    naive = bootstrap_ci(components, mean_aggregate, ["mean"], n_resamples=1000, seed=2)["mean"]
    clustered = bootstrap_ci(components, mean_aggregate, ["mean"], n_resamples=1000, seed=2, clusters=clusters)["mean"]
    ratio = (clustered[1] - clustered[0]) / (naive[1] - naive[0])
    assert ratio == pytest.approx(math.sqrt(10), rel=0.2)


def test_cluster_list_length_must_match() -> None:
    with pytest.raises(ValueError, match="clusters"):
        bootstrap_ci([{"x": 1.0}, {"x": 2.0}], mean_aggregate, ["mean"], n_resamples=5, clusters=["a"])


def test_paired_bootstrap_detects_a_clear_difference() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=200)
    a = make_components(base)
    b = make_components(base + 0.3 + rng.normal(scale=0.2, size=200))
    result = paired_bootstrap(a, b, mean_aggregate, mean_aggregate, "mean", n_resamples=1000, seed=1)
    assert result.diff == pytest.approx(result.value_b - result.value_a)
    assert 0.2 < result.diff < 0.4
    assert result.ci[0] > 0 and result.ci[0] < result.diff < result.ci[1]
    assert result.significant and result.p_value == pytest.approx(2 / 1001)
    assert result.n_items == result.n_clusters == 200 and result.n_defined == 1000


def test_paired_bootstrap_does_not_flag_a_null_difference() -> None:
    rng = np.random.default_rng(4)
    base = rng.normal(size=200)
    shift = np.where(np.arange(200) % 2 == 0, 0.3, -0.3)  # per-item changes that cancel exactly
    a, b = make_components(base), make_components(base + shift)
    result = paired_bootstrap(a, b, mean_aggregate, mean_aggregate, "mean", n_resamples=1000, seed=1)
    assert result.diff == pytest.approx(0.0, abs=1e-12)
    assert result.ci[0] < 0 < result.ci[1]
    assert not result.significant and result.p_value > 0.5
    identical = paired_bootstrap(a, a, mean_aggregate, mean_aggregate, "mean", n_resamples=100, seed=1)
    assert identical.p_value == 1.0 and identical.ci == (0.0, 0.0) and not identical.significant


def test_paired_bootstrap_is_deterministic_and_handles_several_metrics() -> None:
    rng = np.random.default_rng(5)
    a, b = make_components(rng.normal(size=50)), make_components(rng.normal(size=50))
    one = paired_bootstrap_many(a, b, mean_aggregate, mean_aggregate, ["mean", "n"], n_resamples=200, seed=9)
    two = paired_bootstrap_many(a, b, mean_aggregate, mean_aggregate, ["mean", "n"], n_resamples=200, seed=9)
    assert one == two
    assert one["n"].diff == 0.0 and one["n"].p_value == 1.0


def test_paired_bootstrap_resamples_clusters() -> None:
    clip_values = np.random.default_rng(6).normal(size=30)
    a = make_components(np.repeat(clip_values, 5))
    b = make_components(np.repeat(clip_values + 0.05, 5))
    clusters = [f"c{i}" for i in range(30) for _ in range(5)]
    result = paired_bootstrap(a, b, mean_aggregate, mean_aggregate, "mean", n_resamples=100, clusters=clusters)
    assert result.n_clusters == 30 and result.n_items == 150
    assert result.ci[0] == pytest.approx(0.05) and result.ci[1] == pytest.approx(0.05)


def test_paired_bootstrap_rejects_unaligned_input() -> None:
    with pytest.raises(ValueError, match="aligned"):
        paired_bootstrap([{"x": 1.0}], [], mean_aggregate, mean_aggregate, "mean")
    with pytest.raises(ConfigError, match="run A"):
        paired_bootstrap([{"x": 1.0}], [{"x": 1.0}], lambda c: {}, mean_aggregate, "mean")


class _WeightedMean:
    """A scorer-like owner with `aggregate_weighted`: the bootstrap's count-matrix path."""

    def __init__(self, key: str) -> None:
        self.key = key

    def aggregate(self, components: list[Any]) -> dict[str, float]:
        values = [c[self.key] for c in components if c is not None]
        return {"mean": float(np.mean(values)) if values else float("nan")}

    def aggregate_weighted(self, components: list[Any], counts: np.ndarray) -> dict[str, np.ndarray]:
        from emer_bench.metrics.weighted import weighted_means

        values = np.array([[c[self.key] if c is not None else 0.0] for c in components])
        mask = np.array([[c is not None] for c in components])
        return {"mean": weighted_means(values, mask, counts)[:, 0]}


@pytest.mark.parametrize("n, clustered, n_resamples", [(40, False, 300), (257, True, 1000), (3000, False, 1000)])
def test_shared_draws_give_every_scorer_the_intervals_of_its_own_draws(monkeypatch, n: int, clustered: bool,
                                                                       n_resamples: int) -> None:
    # A task's scorers resample the same clips with the same seed: drawn once, same floats.
    from emer_bench.metrics import bootstrap

    rng = np.random.default_rng(n)
    components = [None if rng.random() < 0.1 else {"a": float(rng.random()), "b": float(rng.normal())}
                  for _ in range(n)]
    clips = [f"c{i // 3 if clustered else i}" for i in range(n)]
    owners = [_WeightedMean("a"), _WeightedMean("b"), _WeightedMean("a")]
    draws_made = []
    real = bootstrap._Resampler.draw_blocks
    monkeypatch.setattr(bootstrap._Resampler, "draw_blocks",
                        lambda self, *a: (draws_made.append(1), (yield from real(self, *a)))[1])
    alone = [bootstrap_ci(components, o.aggregate, ["mean"], n_resamples, seed=5, clusters=clips) for o in owners]
    assert len(draws_made) == 3
    draws_made.clear()
    shared = bootstrap.SharedDraws()
    together = [bootstrap_ci(components, o.aggregate, ["mean"], n_resamples, seed=5, clusters=clips, shared=shared)
                for o in owners]
    assert together == alone  # exactly: the same draws, the same arithmetic
    assert len(draws_made) == (1 if n * n_resamples <= bootstrap._COUNTS_BUDGET else 3)
    other_seed = bootstrap_ci(components, owners[0].aggregate, ["mean"], n_resamples, seed=6, clusters=clips,
                              shared=shared)
    assert other_seed == bootstrap_ci(components, owners[0].aggregate, ["mean"], n_resamples, seed=6, clusters=clips)
    assert other_seed != alone[0]

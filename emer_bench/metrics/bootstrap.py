"""Seeded percentile bootstrap over per-sample score components, single-run and paired.

Works for any metric a scorer's `aggregate` computes (including ones that are not a mean of
per-sample values, like the EW F-score from mean P and mean R): each resample re-runs `aggregate`
on resampled components. Skipped samples (component None) are resampled like any other, so the
number of counted samples varies between resamples exactly as the metric's skip rule implies.

Clustered resampling: when `clusters` gives a clip id per item and a clip carries several items
(several questions about one clip), whole clips are resampled, keeping their items together.

Index generation is vectorised (one `Generator.integers` call per block of resamples). The cost
that remains is `aggregate` itself, once per resample; when the object owning `aggregate` (a
scorer) also has `aggregate_weighted(components, counts)`, a whole block of resamples is
computed at once from its (resamples x items) count matrix instead (emer_bench.metrics.weighted;
same random indices, so the same interval to float round-off). Figures:
benchmarks/results/bootstrap.md.

The paired test resamples the SAME indices for both runs (items aligned by clip) and reports the
difference b - a, its percentile interval, and a two-sided bootstrap p-value
p = min(1, 2 * min(#(d* <= 0) + 1, #(d* >= 0) + 1) / (B + 1)), where d* are the resampled
differences and B the number of resamples where d* is defined. `significant` is p < alpha.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from emer_bench.errors import ConfigError
from emer_bench.metrics.weighted import counts_from_indices

Aggregate = Callable[[list[Any]], dict[str, float]]
# (components, counts (R, n)) -> {metric: (R,) values}; see emer_bench.metrics.weighted
WeightedAggregate = Callable[[list[Any], np.ndarray], dict[str, np.ndarray]]

# Resamples drawn per rng call: bounds memory (block x n int64) while keeping numpy vectorised.
# Fixed, because the random stream (and so every interval) depends on it.
_BLOCK = 64
# Entries of one count matrix on the fast path (16 MB of float64): resamples per aggregate_weighted call.
_COUNTS_BUDGET = 2_000_000


class _Resampler:
    """Draws bootstrap index vectors, item-level or cluster-level."""

    def __init__(self, n_items: int, clusters: Sequence[str] | None) -> None:
        if n_items == 0:
            raise ValueError("cannot bootstrap an empty list of components")
        self.n_items = n_items
        if clusters is None:
            self.n_clusters = n_items
            self._clustered = False
            return
        if len(clusters) != n_items:
            raise ValueError(f"clusters has {len(clusters)} ids for {n_items} items")
        codes_by_id: dict[str, int] = {}
        codes = np.fromiter((codes_by_id.setdefault(c, len(codes_by_id)) for c in clusters),
                            dtype=np.int64, count=n_items)
        self.n_clusters = len(codes_by_id)
        self._clustered = self.n_clusters < n_items  # all-singleton clusters = item resampling
        if self._clustered:
            self._order = np.argsort(codes, kind="stable")  # items grouped by cluster
            self._lengths = np.bincount(codes, minlength=self.n_clusters)
            self._starts = np.cumsum(self._lengths) - self._lengths

    def draw_blocks(self, rng: np.random.Generator, n_resamples: int) -> Iterator[list[np.ndarray]]:
        """Index arrays of all resamples, in blocks of up to _BLOCK (one rng call per block)."""
        done = 0
        while done < n_resamples:
            block = min(_BLOCK, n_resamples - done)
            picks = rng.integers(0, self.n_clusters, size=(block, self.n_clusters))
            yield [self._expand(row) for row in picks] if self._clustered else list(picks)
            done += block

    def draw(self, rng: np.random.Generator, n_resamples: int) -> Iterator[np.ndarray]:
        for block in self.draw_blocks(rng, n_resamples):
            yield from block

    def _expand(self, chosen: np.ndarray) -> np.ndarray:
        """Item indices of the chosen clusters, concatenated, without a Python loop over clusters."""
        lengths = self._lengths[chosen]
        run_starts = np.cumsum(lengths) - lengths  # where each chosen cluster begins in the output
        offsets = np.repeat(self._starts[chosen] - run_starts, lengths) + np.arange(int(lengths.sum()))
        return self._order[offsets]


def _metric_values(result: dict[str, float], metrics: Sequence[str]) -> list[float]:
    return [float(result.get(m, float("nan"))) for m in metrics]


def _check_metrics(point: dict[str, float], metrics: Sequence[str], who: str) -> None:
    missing = [m for m in metrics if m not in point]
    if missing:
        raise ConfigError(f"{who} does not produce metric(s) {missing}; it produces {sorted(point)}")


def weighted_form(aggregate: Aggregate) -> WeightedAggregate | None:
    """The vectorised `aggregate_weighted` of the object that owns `aggregate`, if it has one."""
    owner = getattr(aggregate, "__self__", None)
    weighted = getattr(owner, "aggregate_weighted", None)
    return weighted if callable(weighted) else None


def _batches(blocks: Iterator[list[np.ndarray]], size: int) -> Iterator[list[np.ndarray]]:
    """Regroup the drawn blocks into batches of `size` resamples (the last may be shorter)."""
    pending: list[np.ndarray] = []
    for block in blocks:
        pending += block
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    if pending:
        yield pending


class SharedDraws:
    """The resamples (index arrays and count matrix) of the last bootstrap, kept for the next one
    over the same items, clusters, seed and number of resamples: a task's scorers all bootstrap
    the same clips with the same seed, so drawing once serves them all (same arrays, so the same
    floats). Kept only while they fit one count matrix (_COUNTS_BUDGET): memory stays bounded."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._batches: list[tuple[list[np.ndarray], np.ndarray | None]] = []

    def batches(self, key: tuple[Any, ...], draw: Callable[[], Iterator[tuple[list[np.ndarray], np.ndarray | None]]],
                entries: int) -> Iterator[tuple[list[np.ndarray], np.ndarray | None]]:
        if key == self._key:
            yield from self._batches
            return
        if entries > _COUNTS_BUDGET:
            yield from draw()
            return
        self._key, self._batches = None, list(draw())
        for _, counts in self._batches:
            if counts is not None:
                counts.flags.writeable = False  # shared by the next scorers: nobody may change it
        self._key = key
        yield from self._batches


def _resampled_values(columns: Sequence[list[Any]], aggregates: Sequence[Aggregate], metrics: Sequence[str],
                      n_resamples: int, seed: int, clusters: Sequence[str] | None,
                      shared: SharedDraws | None = None) -> list[np.ndarray]:
    """For each (components, aggregate) pair, an array (n_resamples, len(metrics)); same indices for all.
    Uses the aggregate's owner's `aggregate_weighted` (a whole block per call) when it exists."""
    n_items = len(columns[0])
    weighted = [weighted_form(aggregate) for aggregate in aggregates]
    with_counts = any(w is not None for w in weighted)
    batch_size = max(_BLOCK, _COUNTS_BUDGET // n_items) if with_counts else _BLOCK

    def draw() -> Iterator[tuple[list[np.ndarray], np.ndarray | None]]:
        resampler = _Resampler(n_items, clusters)
        for block in _batches(resampler.draw_blocks(np.random.default_rng(seed), n_resamples), batch_size):
            yield block, counts_from_indices(block, n_items) if with_counts else None

    key = (n_items, None if clusters is None else tuple(clusters), seed, n_resamples, batch_size, with_counts)
    batches = draw() if shared is None else shared.batches(key, draw, n_items * n_resamples)
    out = [np.empty((n_resamples, len(metrics))) for _ in columns]
    start = 0
    for block, counts in batches:
        rows = slice(start, start + len(block))
        for k, (components, aggregate) in enumerate(zip(columns, aggregates)):
            fast = weighted[k]
            if fast is not None and counts is not None:
                result = fast(components, counts)
                for j, metric in enumerate(metrics):
                    out[k][rows, j] = result.get(metric, np.full(len(block), np.nan))
                continue
            for b, idx in enumerate(block, start=start):
                positions = idx.tolist()
                out[k][b] = _metric_values(aggregate([components[i] for i in positions]), metrics)
        start += len(block)
    return out


def _percentile_interval(values: np.ndarray, alpha: float) -> tuple[float, float]:
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    low, high = np.percentile(finite, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return (float(low), float(high))


def bootstrap_ci(
    components: list[Any],
    aggregate: Aggregate,
    metrics: list[str],
    n_resamples: int = 1000,
    seed: int = 1234,
    clusters: list[str] | None = None,
    alpha: float = 0.05,
    shared: SharedDraws | None = None,
) -> dict[str, tuple[float, float]]:
    """Percentile (1 - alpha) intervals of `metrics`; resamples where a metric is undefined (NaN)
    are left out of its interval, and an interval is (nan, nan) when none is defined. `shared`:
    resamples drawn by an earlier call with the same items, clusters and seed are reused."""
    if not metrics or not components or n_resamples <= 0:
        return {}
    _check_metrics(aggregate(components), metrics, "the aggregate")
    (values,) = _resampled_values([components], [aggregate], metrics, n_resamples, seed, clusters, shared)
    return {m: _percentile_interval(values[:, j], alpha) for j, m in enumerate(metrics)}


@dataclass(frozen=True)
class PairedResult:
    """Paired bootstrap comparison of one metric between run A and run B on the same items."""

    metric: str
    value_a: float  # the metric on all aligned items of A
    value_b: float
    diff: float  # value_b - value_a
    ci: tuple[float, float]  # percentile interval of the resampled differences
    p_value: float  # two-sided bootstrap p-value of "no difference"
    significant: bool  # p_value < alpha
    alpha: float
    n_items: int
    n_clusters: int
    n_resamples: int
    n_defined: int  # resamples where the difference was defined (not NaN)


def _p_value(diffs: np.ndarray) -> tuple[float, int]:
    defined = diffs[~np.isnan(diffs)]
    n = int(defined.size)
    if n == 0:
        return float("nan"), 0
    at_or_below = int(np.sum(defined <= 0))
    at_or_above = int(np.sum(defined >= 0))
    return min(1.0, 2.0 * min(at_or_below + 1, at_or_above + 1) / (n + 1)), n


def paired_bootstrap_many(
    components_a: list[Any],
    components_b: list[Any],
    aggregate_a: Aggregate,
    aggregate_b: Aggregate,
    metrics: list[str],
    n_resamples: int = 1000,
    seed: int = 1234,
    clusters: list[str] | None = None,
    alpha: float = 0.05,
) -> dict[str, PairedResult]:
    """`paired_bootstrap` for several metrics at once (each resample aggregates once per run)."""
    if len(components_a) != len(components_b):
        raise ValueError(f"paired bootstrap needs aligned items: {len(components_a)} vs {len(components_b)}")
    if not components_a:
        raise ValueError("paired bootstrap needs at least one item")
    if n_resamples <= 0:
        raise ValueError("n_resamples must be positive")
    point_a, point_b = aggregate_a(components_a), aggregate_b(components_b)
    _check_metrics(point_a, metrics, "run A's aggregate")
    _check_metrics(point_b, metrics, "run B's aggregate")
    values_a, values_b = _resampled_values([components_a, components_b], [aggregate_a, aggregate_b], metrics,
                                           n_resamples, seed, clusters)
    n_clusters = _Resampler(len(components_a), clusters).n_clusters
    results: dict[str, PairedResult] = {}
    for j, metric in enumerate(metrics):
        diffs = values_b[:, j] - values_a[:, j]
        a, b = float(point_a[metric]), float(point_b[metric])
        p_value, n_defined = _p_value(diffs)
        results[metric] = PairedResult(
            metric=metric, value_a=a, value_b=b, diff=b - a, ci=_percentile_interval(diffs, alpha),
            p_value=p_value, significant=bool(p_value < alpha), alpha=alpha, n_items=len(components_a),
            n_clusters=n_clusters, n_resamples=n_resamples, n_defined=n_defined)
    return results


def paired_bootstrap(
    components_a: list[Any],
    components_b: list[Any],
    aggregate_a: Aggregate,
    aggregate_b: Aggregate,
    metric: str,
    n_resamples: int = 1000,
    seed: int = 1234,
    clusters: list[str] | None = None,
    alpha: float = 0.05,
) -> PairedResult:
    """Difference b - a of `metric` on items aligned by clip (item i of A is item i of B)."""
    return paired_bootstrap_many(components_a, components_b, aggregate_a, aggregate_b, [metric],
                                 n_resamples, seed, clusters, alpha)[metric]

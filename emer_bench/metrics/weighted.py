"""Vectorised re-aggregation for the bootstrap: many resamples at once from a count matrix.

A bootstrap resample is fully described by how many times it holds each item. For a block of R
resamples over n items, `counts` is an int array (R, n). A scorer may offer

    aggregate_weighted(samples, counts) -> {metric: array of shape (R,)}

equal (to float round-off) to `aggregate` run on each resample; emer_bench.metrics.bootstrap then
uses it instead of R Python-level `aggregate` calls. Means over counted samples become matrix
products (counts @ values), so 1000 resamples of 10,000 samples take a fraction of a second.
Every implementation is tested against its scorer's `aggregate` on random resamples.

This module holds the shared helpers and the weighted form of the EW aggregate
(emer_bench.metrics.openvocab.aggregate_ew), which a scorer exposes with
`def aggregate_weighted(self, samples, counts): return ew_aggregate_weighted(samples, counts)`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

NAN = float("nan")


def counts_from_indices(indices: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """(R, n) multiplicities of R resamples given as index arrays (possibly of different lengths)."""
    counts = np.zeros((len(indices), n_items), dtype=np.float64)
    for r, idx in enumerate(indices):
        counts[r] = np.bincount(idx, minlength=n_items)
    return counts


def weighted_means(values: np.ndarray, mask: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(R, k) means of `values` (n, k) over the counted entries (`mask` (n, k) true) of each
    resample; NaN where a resample counts no entry of a column."""
    masked = np.where(mask, values, 0.0)
    numerator = counts @ masked
    denominator = counts @ mask.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), NAN)


def f_from_pr_array(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """2PR/(P+R) elementwise; 0 where P+R = 0; NaN where P or R is NaN (as openvocab.f_from_pr)."""
    total = precision + recall
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(total == 0, 0.0, 2 * precision * recall / np.where(total == 0, 1.0, total))
    return np.where(np.isnan(precision) | np.isnan(recall), NAN, f)


def ew_aggregate_weighted(samples: Sequence[Any], counts: np.ndarray) -> dict[str, np.ndarray]:
    """`aggregate_ew(resample).flat()` for every resample in `counts` at once."""
    from emer_bench.metrics.openvocab import EW_AGGREGATES
    from emer_bench.metrics.wheel_mapping import METRIC_NAMES

    n = len(samples)
    precision = np.zeros((n, len(METRIC_NAMES)))
    recall = np.zeros((n, len(METRIC_NAMES)))
    mask = np.zeros((n, len(METRIC_NAMES)), dtype=bool)
    for i, sample in enumerate(samples):
        if sample is None:
            continue
        for k, name in enumerate(METRIC_NAMES):
            pr = sample.get(name)
            if pr is not None:
                precision[i, k], recall[i, k], mask[i, k] = pr[0], pr[1], True
    p = weighted_means(precision, mask, counts)
    r = weighted_means(recall, mask, counts)
    f = f_from_pr_array(p, r)
    out: dict[str, np.ndarray] = {}
    for k, name in enumerate(METRIC_NAMES):
        out[f"{name}_precision"], out[f"{name}_recall"], out[f"{name}_fscore"] = p[:, k], r[:, k], f[:, k]
    for aggregate_name, members in EW_AGGREGATES.items():
        cols = [METRIC_NAMES.index(m) for m in members]
        # a mean with a NaN member is NaN, as in openvocab._mean
        out[f"{aggregate_name}_precision"] = p[:, cols].mean(axis=1)
        out[f"{aggregate_name}_recall"] = r[:, cols].mean(axis=1)
        out[f"{aggregate_name}_fscore"] = f[:, cols].mean(axis=1)
    out["m_avg"] = f.mean(axis=1)
    return out


def _constant_rows(values: np.ndarray, counts: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """Per resample: are all chosen values identical? Checked exactly where the variance is tiny."""
    constant = np.zeros(counts.shape[0], dtype=bool)
    scale = float(np.mean(values * values)) + 1e-300
    for r in np.flatnonzero(variance <= 1e-9 * scale):
        chosen = values[counts[r] > 0]
        constant[r] = chosen.size > 0 and bool(np.all(chosen == chosen[0]))
    return constant


def weighted_agreement(x: np.ndarray, y: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per resample: n, CCC, MSE and Pearson of paired values x, y (n,) weighted by counts (R, n),
    with the population moments and NaN rules of emer_bench.metrics.regression.

    Values are centred on their full-data means first, so a constant column has exactly zero
    variance in every resample (as the direct computation has) instead of round-off noise."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = counts.sum(axis=1)
    if x.size == 0:
        empty = np.full(counts.shape[0], NAN)
        return {"n": n, "ccc": empty, "mse": empty.copy(), "pearson": empty.copy()}
    cx, cy = x.mean(), y.mean()
    xc, yc = x - cx, y - cy
    with np.errstate(invalid="ignore", divide="ignore"):
        safe_n = np.where(n > 0, n, 1.0)
        mxc, myc = counts @ xc / safe_n, counts @ yc / safe_n
        vx = np.maximum(counts @ (xc * xc) / safe_n - mxc ** 2, 0.0)
        vy = np.maximum(counts @ (yc * yc) / safe_n - myc ** 2, 0.0)
        cov = counts @ (xc * yc) / safe_n - mxc * myc
        # A side that is constant within a resample has exactly zero (co)variance there, as in
        # emer_bench.metrics.regression; the moment formula would leave round-off instead. The exact
        # check is only run on resamples whose variance is already tiny (rare), as it costs R x n.
        const_x, const_y = _constant_rows(x, counts, vx), _constant_rows(y, counts, vy)
        vx, vy = np.where(const_x, 0.0, vx), np.where(const_y, 0.0, vy)
        cov = np.where(const_x | const_y, 0.0, cov)
        mean_gap = (mxc + cx) - (myc + cy)
        den = vx + vy + mean_gap ** 2
        ccc = np.where(den > 0, 2 * cov / np.where(den > 0, den, 1.0), NAN)
        scale = np.sqrt(vx * vy)
        pearson = np.where(scale > 0, np.clip(cov / np.where(scale > 0, scale, 1.0), -1.0, 1.0), NAN)
        mse = counts @ ((x - y) ** 2) / safe_n
    missing = n == 0
    return {"n": n, "ccc": np.where(missing, NAN, ccc), "mse": np.where(missing, NAN, mse),
            "pearson": np.where(missing, NAN, pearson)}

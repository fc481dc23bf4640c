"""`dimensional` (CCC / MSE / Pearson of valence and arousal) and `mer2023_combined`.

Numbers are read from the answer by scoring/parsing/valence_arousal.py (JSON, "valence: -0.4", or bare numbers).
A structured prediction's valence/arousal (on [-1, 1]) is used instead, rescaled linearly to
the dimension's range (scoring/structured.py); one without a value for a dimension is unparsed.
Rules, per configured dimension of a sample that has a reference value for it:
- a stated value outside the dimension's range is CLIPPED to the range and counted in
  `n_clipped` (default, `out_of_range: clip`), or treated as not stated and counted in
  `n_invalid` (`out_of_range: invalid`);
- a value that is not stated (and every dimension of a failed sample) is scored as the range
  MIDPOINT, i.e. a neutral answer (default, `missing: midpoint`), or the dimension is left out of
  that sample (`missing: skip`); either way the sample is counted in `n_unparsed` / `n_failed`.
  The midpoint default keeps models from gaining by refusing to answer.
Reference values outside the range are a DataError (the range is then the wrong scale).
A sample with no reference value for any configured dimension is skipped (component None).

Metrics: ccc_<dim>, mse_<dim>, pearson_<dim> (population statistics, docs/openvocab-metrics.md §9) and
`ccc`, the mean CCC over the configured dimensions (with both: the ABAW valence-arousal mean).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import model_validator

from emer_bench.api.scorer import SampleScore, Scorer, ScorerArgs, ScoringItem, scored_samples
from emer_bench.errors import DataError
from emer_bench.metrics.regression import ccc, mse, pearson
from emer_bench.metrics.weighted import weighted_agreement
from emer_bench.scoring.scorers.categorical import (CategoricalArgs, CategoricalScorer, categorical_metrics,
                                            categorical_metrics_weighted)
from emer_bench.scoring.parsing.valence_arousal import parse_valence_arousal
from emer_bench.scoring.structured import structured_value

Dimension = Literal["valence", "arousal"]


class DimensionalArgs(ScorerArgs):
    dimensions: list[Dimension] = ["valence", "arousal"]
    valence_range: tuple[float, float] = (-1.0, 1.0)  # the scale of answers and references
    arousal_range: tuple[float, float] = (-1.0, 1.0)
    out_of_range: Literal["clip", "invalid"] = "clip"
    missing: Literal["midpoint", "skip"] = "midpoint"

    @model_validator(mode="after")
    def _check(self) -> "DimensionalArgs":
        if not self.dimensions or len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError(f"dimensions must be a non-empty list without repeats, got {self.dimensions}")
        for dim in ("valence", "arousal"):
            low, high = self.value_range(dim)
            if not low < high:
                raise ValueError(f"{dim}_range must be [low, high] with low < high, got [{low}, {high}]")
        return self

    def value_range(self, dimension: str) -> tuple[float, float]:
        return self.valence_range if dimension == "valence" else self.arousal_range


def _reference_value(item: ScoringItem, dim: str, args: DimensionalArgs) -> float | None:
    value = getattr(item.reference, dim)
    if value is None:
        return None
    low, high = args.value_range(dim)
    if not low <= float(value) <= high:
        raise DataError(f"clip '{item.clip_id}': reference {dim} {value} is outside {dim}_range [{low}, {high}]; "
                        f"set the scorer's '{dim}_range' to the dataset's scale")
    return float(value)


def _stated_values(item: ScoringItem, dims: tuple[str, ...], args: DimensionalArgs) -> Any:
    """What the answer states: a structured prediction's values rescaled from [-1, 1] to each
    dimension's range (scoring/structured.py), else the numbers parsed from the text."""
    if item.structured is not None:
        return {dim: structured_value(item.structured, dim, args.value_range(dim)) for dim in dims}
    return parse_valence_arousal(item.prediction or "", dims)


def score_dimensional(items: list[ScoringItem], args: DimensionalArgs) -> list[SampleScore]:
    dims = tuple(args.dimensions)
    for dim in dims:
        if not any(getattr(i.reference, dim) is not None for i in items):
            raise DataError(f"dimensional scorer: no sample has a reference '{dim}'; "
                            f"set 'dimensions' to the ones the task provides")
    out: list[SampleScore] = []
    for item in items:
        refs = {dim: _reference_value(item, dim, args) for dim in dims}
        if all(v is None for v in refs.values()):
            out.append(None)
            continue
        failed = item.failed or (item.prediction is None and item.structured is None)
        parsed = None if failed else _stated_values(item, dims, args)
        row: dict[str, Any] = {"failed": failed, "unparsed": [], "clipped": [], "invalid": []}
        for dim, ref in refs.items():
            if ref is None:
                continue
            low, high = args.value_range(dim)
            value = None if parsed is None else parsed.get(dim)
            if parsed is not None and value is None:
                row["unparsed"].append(dim)
            if value is not None and not low <= value <= high:
                if args.out_of_range == "clip":
                    value = min(max(value, low), high)
                    row["clipped"].append(dim)
                else:
                    value = None
                    row["invalid"].append(dim)
            if value is None and args.missing == "midpoint":
                value = (low + high) / 2
            if value is not None:
                row[f"{dim}_ref"], row[f"{dim}_pred"] = ref, value
        out.append(row)
    return out


def dimensional_metrics(rows: list[dict[str, Any]], dimensions: list[str]) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for dim in dimensions:
        ref_key, pred_key = f"{dim}_ref", f"{dim}_pred"
        having = [r for r in rows if ref_key in r]
        refs, preds = [r[ref_key] for r in having], [r[pred_key] for r in having]
        metrics[f"ccc_{dim}"] = ccc(refs, preds)
        metrics[f"mse_{dim}"] = mse(refs, preds)
        metrics[f"pearson_{dim}"] = pearson(refs, preds)
        metrics[f"n_{dim}"] = float(len(having))
    metrics["ccc"] = sum(metrics[f"ccc_{d}"] for d in dimensions) / len(dimensions)
    metrics["n_unparsed"] = float(sum(1 for r in rows if r["unparsed"]))
    metrics["n_clipped"] = float(sum(1 for r in rows if r["clipped"]))
    metrics["n_invalid"] = float(sum(1 for r in rows if r["invalid"]))
    return metrics


def dimensional_metrics_weighted(rows: list[dict[str, Any]], dimensions: list[str],
                                 counts: np.ndarray) -> dict[str, np.ndarray]:
    """`dimensional_metrics` for each resample given by `counts` (R, len(rows)) multiplicities."""
    metrics: dict[str, np.ndarray] = {}
    for dim in dimensions:
        ref_key, pred_key = f"{dim}_ref", f"{dim}_pred"
        having = [i for i, r in enumerate(rows) if ref_key in r]
        stats = weighted_agreement(np.array([rows[i][ref_key] for i in having], dtype=np.float64),
                                   np.array([rows[i][pred_key] for i in having], dtype=np.float64), counts[:, having])
        metrics[f"ccc_{dim}"], metrics[f"mse_{dim}"] = stats["ccc"], stats["mse"]
        metrics[f"pearson_{dim}"], metrics[f"n_{dim}"] = stats["pearson"], stats["n"]
    metrics["ccc"] = np.asarray(sum(metrics[f"ccc_{d}"] for d in dimensions) / len(dimensions))
    for flag in ("unparsed", "clipped", "invalid"):
        metrics[f"n_{flag}"] = counts @ np.array([float(bool(r[flag])) for r in rows])
    return metrics


class DimensionalScorer(Scorer[DimensionalArgs]):
    name = "dimensional"
    score_reuse = "whole"  # refused as a whole when no sample has a reference for a dimension
    needs = frozenset({"valence", "arousal"})
    headline = ("ccc", "ccc_valence", "ccc_arousal")
    reads_structured = True
    args: DimensionalArgs

    def __init__(self, args: DimensionalArgs, context: Any) -> None:
        super().__init__(args, context)
        # A task may score valence only (MER2023): require only the configured dimensions.
        self.needs = frozenset(args.dimensions)

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        return score_dimensional(items, self.args)

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        return dimensional_metrics([s for s in samples if s is not None], list(self.args.dimensions))

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        present, rows = scored_samples(samples)
        return dimensional_metrics_weighted(rows, list(self.args.dimensions), counts[:, present])


class Mer2023CombinedArgs(CategoricalArgs):
    valence_range: tuple[float, float] = (-5.0, 5.0)  # MER2023 annotates valence on [-5, 5]
    out_of_range: Literal["clip", "invalid"] = "clip"
    missing: Literal["midpoint", "skip"] = "midpoint"


class Mer2023CombinedScorer(Scorer[Mer2023CombinedArgs]):
    """MER2023's combined score: weighted-F1 of the label - 0.25 x MSE of valence (§9).

    The answer must state both a label (categorical rules) and a valence (dimensional rules);
    each part follows its own scorer's rules for unparsed and failed samples."""

    name = "mer2023_combined"
    score_reuse = "whole"  # as categorical and dimensional
    needs = frozenset({"label", "valence"})
    headline = ("combined", "weighted_f1", "mse_valence")
    reads_structured = True
    args: Mer2023CombinedArgs

    def _parts(self) -> tuple[CategoricalArgs, DimensionalArgs]:
        a = self.args
        return (CategoricalArgs(labels=a.labels, synonyms=a.synonyms, failed_as_wrong=a.failed_as_wrong),
                DimensionalArgs(dimensions=["valence"], valence_range=a.valence_range,
                                out_of_range=a.out_of_range, missing=a.missing))

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        cat_args, dim_args = self._parts()
        labels = CategoricalScorer(cat_args, self.context).score_samples(items)
        valences = score_dimensional(items, dim_args)
        return [None if c is None and d is None else {"label": c, "valence": d} for c, d in zip(labels, valences)]

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        rows = [s for s in samples if s is not None]
        cat = categorical_metrics([r["label"] for r in rows if r["label"] is not None], self.args.labels)
        dim = dimensional_metrics([r["valence"] for r in rows if r["valence"] is not None], ["valence"])
        return {
            "combined": cat["weighted_f1"] - 0.25 * dim["mse_valence"],
            "weighted_f1": cat["weighted_f1"],
            "accuracy": cat["accuracy"],
            "macro_f1": cat["macro_f1"],
            "mse_valence": dim["mse_valence"],
            "ccc_valence": dim["ccc_valence"],
            "pearson_valence": dim["pearson_valence"],
            "n_unparsed_label": cat["n_unparsed"],
            "n_unparsed_valence": dim["n_unparsed"],
        }

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        labels = [(i, s["label"]) for i, s in enumerate(samples) if s is not None and s["label"] is not None]
        valences = [(i, s["valence"]) for i, s in enumerate(samples) if s is not None and s["valence"] is not None]
        cat = categorical_metrics_weighted([row for _, row in labels], self.args.labels,
                                           counts[:, [i for i, _ in labels]])
        dim = dimensional_metrics_weighted([row for _, row in valences], ["valence"],
                                           counts[:, [i for i, _ in valences]])
        return {
            "combined": cat["weighted_f1"] - 0.25 * dim["mse_valence"],
            "weighted_f1": cat["weighted_f1"], "accuracy": cat["accuracy"], "macro_f1": cat["macro_f1"],
            "mse_valence": dim["mse_valence"], "ccc_valence": dim["ccc_valence"],
            "pearson_valence": dim["pearson_valence"], "n_unparsed_label": cat["n_unparsed"],
            "n_unparsed_valence": dim["n_unparsed"],
        }

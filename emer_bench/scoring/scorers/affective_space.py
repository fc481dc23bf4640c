"""Scoring in valence-arousal space: `affective_space` and `va_consistency`.

Both place emotion labels in the circumplex (valence, arousal ∈ [-1, 1]) with a lexicon
(va_lexicon.py: the built-in Russell-1980 table, or an NRC-VAD-format file given as `lexicon`).
The idea of checking categorical answers against dimensional ones in a shared affective space
follows Xia & Kollias (2019); the distances below are emer-bench's choices, documented here.

`affective_space` compares the predicted label set (from an `extractor`, default `lexicon`) with
the reference open-vocabulary set. Per sample, with the DISTINCT labels of each side that the
lexicon can place:
- a sample whose reference has no labels is skipped (None); one whose reference labels cannot
  be placed is kept for the coverage figures but not counted in the distance metrics;
- `centroid_distance`: Euclidean distance between the two centroids (0 .. 2√2);
- `nn_distance`: symmetric mean nearest-neighbour distance between the two point sets;
- `valence_sign_agreement` / `arousal_sign_agreement`: the centroids have the same sign
  (-, 0, +; |x| ≤ `neutral_band` is 0);
- a prediction with no placeable label (including a failed sample, read as an empty answer like
  the EW rule) has no distance and DISAGREES on sign; `prediction_rate` is the fraction of
  counted samples that had a placeable prediction. Distances average over those samples only.
- `ref_coverage` / `pred_coverage`: placed labels / distinct labels over the whole task.

`va_consistency` needs no reference: it checks a model's categorical answer against the
valence/arousal numbers it stated itself (same answer). Stated values are rescaled from
`valence_range` / `arousal_range` to [-1, 1]; the label's point is the centroid of its placeable
labels (closed set via `labels`, else the extractor on the answer with its V/A statements
removed). Metrics over complete samples (a placed label and a stated valence):
`valence_sign_consistency`, `arousal_sign_consistency` (where arousal was stated), and Pearson
correlations `pearson_valence`, `pearson_arousal` between label coordinates and stated values;
`completeness` is the fraction of answered samples that were complete. Failed samples: None.

Structured predictions (classic recognizers; scoring/structured.py): `affective_space` takes the
model's top-k classes (`structured_top_k`) as its predicted labels, or a VA-only model's own
point; `va_consistency` compares the model's top class (with `labels`: its best class of that
set) with its own valence/arousal (on [-1, 1], no rescaling) and reports `va_from_categories`,
the share of complete samples whose VA the adapter DERIVED from its classes (fer-cnn), where
agreement is expected by construction.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from emer_bench.api.scorer import SampleScore, Scorer, ScorerArgs, ScoringContext, ScoringItem, scored_samples
from emer_bench.api.structured import StructuredPrediction
from emer_bench.metrics.regression import pearson
from emer_bench.metrics.weighted import weighted_agreement
from emer_bench.scoring.parsing.categories import LabelVocabulary
from emer_bench.scoring.extractors.spec import ExtractorSpec, build_extractor
from emer_bench.resources.va_lexicon import (Point, VALexicon, centroid, load_builtin, load_lexicon, map_labels,
                                           mean_nearest_distance, sign)
from emer_bench.scoring.parsing.valence_arousal import parse_valence_arousal, strip_va_statements
from emer_bench.scoring.structured import structured_category

NAN = float("nan")


class LexiconArgs(ScorerArgs):
    lexicon: str | None = None  # NRC-VAD-format file; None: the built-in circumplex table
    lexicon_scale: Literal["unit", "signed"] = "unit"  # [0, 1] (NRC-VAD v1) or [-1, 1]; user files only
    neutral_band: float = 0.1  # |valence| or |arousal| <= this (on [-1, 1]) counts as neutral sign 0


def get_lexicon(args: LexiconArgs, context: ScoringContext) -> VALexicon:
    if args.lexicon is None:
        return context.shared("va_lexicon:builtin", load_builtin)
    path = Path(args.lexicon).expanduser()
    return context.shared(f"va_lexicon:{path}:{args.lexicon_scale}", lambda: load_lexicon(path, args.lexicon_scale))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else NAN


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator per resample; NaN where the denominator is 0 (as `_mean` of nothing)."""
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), NAN)


class AffectiveSpaceArgs(LexiconArgs):
    extractor: ExtractorSpec = ExtractorSpec(name="lexicon")
    structured_top_k: int = Field(default=1, ge=1)  # a classic recognizer's top-k classes as its labels


class AffectiveSpaceScorer(Scorer[AffectiveSpaceArgs]):
    name = "affective_space"
    needs = frozenset({"openset"})
    headline = ("centroid_distance", "valence_sign_agreement")
    reads_structured = True
    args: AffectiveSpaceArgs

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        lexicon = get_lexicon(self.args, self.context)
        extractor = build_extractor(self.args.extractor, self.context)
        def from_text(i: ScoringItem) -> bool:
            return not i.failed and i.prediction is not None and i.structured is None

        extracted = iter(extractor.extract([i.prediction or "" for i in items if from_text(i)]))
        out: list[SampleScore] = []
        for item in items:
            predicted = next(extracted) if from_text(item) else []
            reference = item.reference.openset or []
            if not any(label.strip() for label in reference):
                out.append(None)
                continue
            ref_points, ref_n = map_labels(lexicon, reference)
            pred_points, pred_n = self._structured_points(item, lexicon) if item.structured is not None \
                and not item.failed else map_labels(lexicon, predicted)
            row: dict[str, Any] = {"ref_n": ref_n, "ref_mapped": len(ref_points), "pred_n": pred_n,
                                   "pred_mapped": len(pred_points), "failed": item.failed,
                                   "ref_point": list(centroid(ref_points)) if ref_points else None,
                                   "pred_point": list(centroid(pred_points)) if pred_points else None,
                                   "nn_distance": None}
            if ref_points and pred_points:
                row["nn_distance"] = mean_nearest_distance(pred_points, ref_points)
            out.append(row)
        return out

    def _structured_points(self, item: ScoringItem, lexicon: VALexicon) -> tuple[list[Point], int]:
        """A classic recognizer's top-k classes placed in the lexicon; a VA-only model's own point."""
        structured = item.structured
        assert structured is not None
        if structured.has_classes:
            return map_labels(lexicon, structured.top_k(self.args.structured_top_k))
        if structured.valence is not None and structured.arousal is not None:
            return [(structured.valence, structured.arousal)], 1
        return [], 0

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        rows = [s for s in samples if s is not None]
        counted = [r for r in rows if r["ref_point"] is not None]
        placed = [r for r in counted if r["pred_point"] is not None]
        band = self.args.neutral_band

        def agree(r: dict[str, Any], k: int) -> bool:
            return r["pred_point"] is not None and sign(r["pred_point"][k], band) == sign(r["ref_point"][k], band)

        ref_n, pred_n = sum(r["ref_n"] for r in rows), sum(r["pred_n"] for r in rows)
        return {
            "centroid_distance": _mean([math.dist(r["pred_point"], r["ref_point"]) for r in placed]),
            "nn_distance": _mean([r["nn_distance"] for r in placed]),
            "valence_sign_agreement": _mean([float(agree(r, 0)) for r in counted]),
            "arousal_sign_agreement": _mean([float(agree(r, 1)) for r in counted]),
            "prediction_rate": len(placed) / len(counted) if counted else NAN,
            "ref_coverage": sum(r["ref_mapped"] for r in rows) / ref_n if ref_n else NAN,
            "pred_coverage": sum(r["pred_mapped"] for r in rows) / pred_n if pred_n else NAN,
            "n_counted": float(len(counted)),
        }

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        present, rows = scored_samples(samples)
        w = counts[:, present]
        band = self.args.neutral_band
        counted = np.array([r["ref_point"] is not None for r in rows], dtype=np.float64)
        placed = np.array([r["ref_point"] is not None and r["pred_point"] is not None for r in rows], dtype=np.float64)

        def column(fn: Any) -> np.ndarray:
            return np.array([fn(r) if p else 0.0 for r, p in zip(rows, placed)], dtype=np.float64)

        def agree(k: int) -> np.ndarray:
            return column(lambda r: float(sign(r["pred_point"][k], band) == sign(r["ref_point"][k], band)))

        def total(values: Any) -> np.ndarray:
            return w @ np.asarray(values, dtype=np.float64)

        n_counted, n_placed = total(counted), total(placed)
        return {
            "centroid_distance": _ratio(total(column(lambda r: math.dist(r["pred_point"], r["ref_point"]))), n_placed),
            "nn_distance": _ratio(total(column(lambda r: r["nn_distance"])), n_placed),
            "valence_sign_agreement": _ratio(total(agree(0)), n_counted),
            "arousal_sign_agreement": _ratio(total(agree(1)), n_counted),
            "prediction_rate": _ratio(n_placed, n_counted),
            "ref_coverage": _ratio(total([r["ref_mapped"] for r in rows]), total([r["ref_n"] for r in rows])),
            "pred_coverage": _ratio(total([r["pred_mapped"] for r in rows]), total([r["pred_n"] for r in rows])),
            "n_counted": n_counted,
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "resources": {"va_lexicon": get_lexicon(self.args, self.context).describe()},
                "extractor": {"extractor": self.args.extractor.name}}


class VAConsistencyArgs(LexiconArgs):
    labels: list[str] = []  # closed label set parsed like `categorical`; empty: use the extractor
    synonyms: dict[str, list[str]] = {}
    extractor: ExtractorSpec = ExtractorSpec(name="lexicon")
    valence_range: tuple[float, float] = (-1.0, 1.0)  # the scale the model was asked to answer on
    arousal_range: tuple[float, float] = (-1.0, 1.0)

    @model_validator(mode="after")
    def _check_ranges(self) -> "VAConsistencyArgs":
        for name, (low, high) in (("valence_range", self.valence_range), ("arousal_range", self.arousal_range)):
            if not low < high:
                raise ValueError(f"{name} must be [low, high] with low < high, got [{low}, {high}]")
        return self


def _to_signed(value: float | None, value_range: tuple[float, float]) -> float | None:
    if value is None:
        return None
    low, high = value_range
    if (low, high) == (-1.0, 1.0):
        return min(1.0, max(-1.0, value))  # already signed; avoid round-off from rescaling
    return min(1.0, max(-1.0, 2.0 * (value - low) / (high - low) - 1.0))


class CategoryVAConsistencyScorer(Scorer[VAConsistencyArgs]):
    name = "va_consistency"
    needs = frozenset()
    headline = ("valence_sign_consistency", "pearson_valence")
    reads_structured = True
    args: VAConsistencyArgs

    def _answer_labels(self, texts: list[str]) -> list[list[str]]:
        if self.args.labels:
            vocab = LabelVocabulary.build(self.args.labels, self.args.synonyms)
            return [[label] if (label := vocab.parse(t)) is not None else [] for t in texts]
        extractor = build_extractor(self.args.extractor, self.context)
        return extractor.extract([strip_va_statements(t) for t in texts])

    def _structured_row(self, structured: StructuredPrediction, lexicon: VALexicon) -> dict[str, Any]:
        """The model's own top class (or, with `labels`, its best class of that set) against its own
        valence/arousal, which are already on [-1, 1]."""
        if self.args.labels:
            vocab = LabelVocabulary.build(self.args.labels, self.args.synonyms)
            label = structured_category(structured, vocab, lexicon)[0] if structured.has_classes else None
        else:
            top = structured.top_k(1)
            label = top[0] if top else None
        points, n_labels = map_labels(lexicon, [label] if label else [])
        return {"label_point": list(centroid(points)) if points else None, "n_labels": n_labels,
                "n_mapped": len(points), "stated": [structured.valence, structured.arousal],
                "va_from_categories": structured.va_source == "category_map"}

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        lexicon = get_lexicon(self.args, self.context)
        answered = [i for i in items if not i.failed and i.prediction is not None and i.structured is None]
        labels = iter(self._answer_labels([i.prediction or "" for i in answered]))
        out: list[SampleScore] = []
        for item in items:
            if not item.failed and item.structured is not None:
                out.append(self._structured_row(item.structured, lexicon))
                continue
            if item.failed or item.prediction is None:
                out.append(None)
                continue
            points, n_labels = map_labels(lexicon, next(labels))
            stated = parse_valence_arousal(item.prediction)
            out.append({"label_point": list(centroid(points)) if points else None, "n_labels": n_labels,
                        "n_mapped": len(points),
                        "stated": [_to_signed(stated.valence, self.args.valence_range),
                                   _to_signed(stated.arousal, self.args.arousal_range)]})
        return out

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        rows = [s for s in samples if s is not None]
        band = self.args.neutral_band
        metrics: dict[str, float] = {}
        for k, dim in enumerate(("valence", "arousal")):
            pairs = [(r["label_point"][k], r["stated"][k]) for r in rows
                     if r["label_point"] is not None and r["stated"][k] is not None]
            metrics[f"{dim}_sign_consistency"] = _mean([float(sign(a, band) == sign(b, band)) for a, b in pairs])
            metrics[f"pearson_{dim}"] = pearson([p[0] for p in pairs], [p[1] for p in pairs])
            metrics[f"n_{dim}"] = float(len(pairs))
        complete = [r for r in rows if r["label_point"] is not None and r["stated"][0] is not None]
        metrics["completeness"] = len(complete) / len(rows) if rows else NAN
        # Share of complete samples whose VA was derived from the model's own classes: there,
        # agreement holds largely by construction and is no independent check.
        metrics["va_from_categories"] = _mean([float(bool(r.get("va_from_categories"))) for r in complete])
        return metrics

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        present, rows = scored_samples(samples)
        w = counts[:, present]
        band = self.args.neutral_band
        metrics: dict[str, np.ndarray] = {}
        for k, dim in enumerate(("valence", "arousal")):
            having = [i for i, r in enumerate(rows) if r["label_point"] is not None and r["stated"][k] is not None]
            label_values = np.array([rows[i]["label_point"][k] for i in having], dtype=np.float64)
            stated_values = np.array([rows[i]["stated"][k] for i in having], dtype=np.float64)
            same_sign = np.array([float(sign(a, band) == sign(b, band)) for a, b in zip(label_values, stated_values)])
            stats = weighted_agreement(label_values, stated_values, w[:, having])
            metrics[f"{dim}_sign_consistency"] = _ratio(w[:, having] @ same_sign, stats["n"])
            metrics[f"pearson_{dim}"], metrics[f"n_{dim}"] = stats["pearson"], stats["n"]
        complete = np.array([float(r["label_point"] is not None and r["stated"][0] is not None) for r in rows])
        metrics["completeness"] = _ratio(w @ complete, w.sum(axis=1))
        derived = np.array([float(bool(r.get("va_from_categories"))) for r in rows]) * complete
        metrics["va_from_categories"] = _ratio(w @ derived, w @ complete)
        return metrics

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "resources": {"va_lexicon": get_lexicon(self.args, self.context).describe()}}

"""Open-vocabulary label metrics (docs/openvocab-metrics.md §3-§5) as pure functions over parsed labels.

Two steps, so that a bootstrap can re-aggregate resampled samples:
- per sample: `ew_sample_components` -> {metric: (precision, recall) | None (skipped)} and
  `hit_rate_sample_components` -> {wheelI_l1: {"reference": [...], "prediction": [...]} | None};
- per dataset: `aggregate_ew` and `aggregate_hit_rate`, from those components alone.

Labels given to these functions are already parsed with rule 1 (lower-cased and stripped).
Means are computed as the reference computes them, so that the numbers are equal to the last
bit, not just close: numpy's mean of the per-sample list (pairwise summation), and
np.mean(rows, axis=0) over the per-metric [F, P, R] rows (EW-L1/L2, M-avg) and the per-wheel
[hit, m-score] rows (a left-to-right sum in the rows' order). An exact sum (math.fsum) differs
from these in the last bit on about a third of real 166-clip datasets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from emer_bench.metrics.wheel_mapping import LEVELS, METRIC_NAMES, WHEELS, WheelTables, wheel_metric_name

# The reference list an empty reference is replaced with when read (rule 4); 'neutral' is not in
# the published vocabulary, so such samples are skipped.
EMPTY_REFERENCE_LABELS: tuple[str, ...] = ("neutral",)
EW_AGGREGATES: dict[str, tuple[str, ...]] = {
    f"ew_l{level}": tuple(wheel_metric_name(w, level) for w in WHEELS) for level in LEVELS}
HIT_RATE_METRICS: tuple[str, ...] = tuple(wheel_metric_name(w, 1) for w in WHEELS)
NAN = float("nan")

SamplePR = tuple[float, float] | None  # (precision, recall) of one sample; None: skipped


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    fscore: float
    n_scored: int  # samples that entered the means (for EW-L1/L2: the smallest of its wheels)

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "fscore": self.fscore}


def _mean(values: Sequence[float]) -> float:
    """The reference's np.mean of a per-sample list (numpy's pairwise summation); NaN if empty."""
    return float(np.mean(np.asarray(values, dtype=np.float64))) if len(values) else NAN


def _row_means(rows: Sequence[Sequence[float]]) -> list[float]:
    """The reference's np.mean(rows, axis=0) over per-metric rows, e.g. [F, P, R] per wheel.

    The shape matters for the last bit: over axis 0 of a (k, 3) array numpy sums the rows left
    to right, where a flat list of k values would be summed pairwise.
    """
    return [float(x) for x in np.mean(np.asarray(rows, dtype=np.float64), axis=0)]


def f_from_pr(precision: float, recall: float) -> float:
    """F = 2PR/(P+R) of dataset-level P and R; 0 when P+R = 0; NaN when either is undefined."""
    if math.isnan(precision) or math.isnan(recall):
        return NAN
    total = precision + recall
    return 0.0 if total == 0 else 2 * precision * recall / total


def map_labels(labels: Iterable[str], tables: WheelTables, metric: str) -> list[str]:
    """Rule 3 on a list: each label mapped under `metric`, unmappable ones dropped."""
    out = []
    for label in labels:
        value = tables.map_label(label, metric)
        if value is not None:
            out.append(value)
    return out


def mapped_label_sets(labels: Iterable[str], tables: WheelTables) -> list[set[str]]:
    """The set of mapped labels under each of the 12 mappings, in METRIC_NAMES order."""
    rows = [values for values in map(tables.mapped.get, labels) if values is not None]
    if not rows:
        return [set() for _ in METRIC_NAMES]
    sets = [set(column) for column in zip(*rows)]  # transpose: one column per mapping
    for mapped in sets:
        mapped.discard(None)  # None = dropped under that mapping
    return sets


def sample_precision_recall(reference: set[str], prediction: set[str]) -> SamplePR:
    """Rule 4 for one sample: skipped if the reference is empty, (0, 0) if the prediction is."""
    if not reference:
        return None
    if not prediction:
        return (0.0, 0.0)
    hits = len(reference & prediction)
    return (hits / len(prediction), hits / len(reference))


def ew_sample_components(reference: Sequence[str], prediction: Sequence[str] | None,
                         tables: WheelTables) -> dict[str, SamplePR]:
    """Per-metric (precision, recall) of one sample; a missing prediction counts as empty."""
    reference_sets = mapped_label_sets(reference or EMPTY_REFERENCE_LABELS, tables)
    prediction_sets = mapped_label_sets(prediction or (), tables)
    return {name: sample_precision_recall(g, p) for name, g, p in zip(METRIC_NAMES, reference_sets, prediction_sets)}


def aggregate_pr(components: Iterable[SamplePR]) -> PRF:
    """Dataset P and R are means over counted samples; F is computed from those means."""
    counted = [c for c in components if c is not None]
    precision = _mean([c[0] for c in counted])
    recall = _mean([c[1] for c in counted])
    return PRF(precision, recall, f_from_pr(precision, recall), len(counted))


@dataclass(frozen=True)
class EWResult:
    metrics: dict[str, PRF]  # form, synonym, wheelI_lL, ew_l1, ew_l2
    m_avg: float  # mean of the 12 F scores (OV-MER)

    def flat(self) -> dict[str, float]:
        """{"form_precision": ..., "ew_l1_fscore": ..., "m_avg": ...} (fractions)."""
        out = {f"{name}_{part}": value for name, prf in self.metrics.items()
               for part, value in prf.as_dict().items()}
        out["m_avg"] = self.m_avg
        return out


def aggregate_ew(samples: Sequence[Mapping[str, SamplePR] | None]) -> EWResult:
    """The 12 P/R/F, EW-L1 and EW-L2 (means over 5 wheels of P, of R and of F), and M-avg."""
    precisions: list[list[float]] = [[] for _ in METRIC_NAMES]
    recalls: list[list[float]] = [[] for _ in METRIC_NAMES]
    indexed = list(enumerate(METRIC_NAMES))
    for sample in samples:  # one pass: this runs once per bootstrap resample
        if sample is None:
            continue
        for k, name in indexed:
            component = sample.get(name)
            if component is not None:
                precisions[k].append(component[0])
                recalls[k].append(component[1])
    metrics: dict[str, PRF] = {}
    for k, name in indexed:
        precision, recall = _mean(precisions[k]), _mean(recalls[k])
        metrics[name] = PRF(precision, recall, f_from_pr(precision, recall), len(precisions[k]))
    for aggregate_name, members in EW_AGGREGATES.items():
        parts = [metrics[m] for m in members]
        fscore, precision, recall = _row_means([[p.fscore, p.precision, p.recall] for p in parts])
        metrics[aggregate_name] = PRF(precision, recall, fscore, min(p.n_scored for p in parts))
    # M-avg as the reference's wheel_metric_calculation over the 12 mappings: rows [F, P, R]
    m_avg = _row_means([[metrics[n].fscore, metrics[n].precision, metrics[n].recall] for n in METRIC_NAMES])[0]
    return EWResult(metrics, m_avg)


def score_ew(references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str] | None],
             tables: WheelTables) -> EWResult:
    """All EW metrics of a dataset in one call (references and predictions aligned)."""
    return aggregate_ew([ew_sample_components(r, p, tables) for r, p in zip(references, predictions, strict=True)])


# ---- hit rate (rule 5) -------------------------------------------------------------------------

HitComponent = dict[str, list[str]] | None  # {"reference": sorted G, "prediction": sorted P}
_HIT_RATE_INDEX = [(name, METRIC_NAMES.index(name)) for name in HIT_RATE_METRICS]


def hit_rate_sample_components(reference: Sequence[str], prediction: Sequence[str] | None,
                               tables: WheelTables) -> dict[str, HitComponent]:
    """Per wheel (level 1): the mapped reference and prediction sets; None when G is empty.

    The dataset-level candidate set C is the union of the references' G (samples with an
    empty G add nothing to it), so it is rebuilt from these components in `aggregate_hit_rate`.
    """
    reference_sets = mapped_label_sets(reference, tables)
    prediction_sets = mapped_label_sets(prediction or (), tables)
    return {name: ({"reference": sorted(reference_sets[k]), "prediction": sorted(prediction_sets[k])}
                   if reference_sets[k] else None) for name, k in _HIT_RATE_INDEX}


@dataclass(frozen=True)
class HitRateResult:
    hit_rate: float  # mean over the 5 wheels of the per-wheel mean hit
    m_score: float
    per_wheel: dict[str, tuple[float, float, int]]  # wheelI_l1 -> (hit rate, m-score, n counted)


def aggregate_hit_rate(samples: Sequence[Mapping[str, HitComponent] | None]) -> HitRateResult:
    present = [s for s in samples if s is not None]
    per_wheel: dict[str, tuple[float, float, int]] = {}
    for name in HIT_RATE_METRICS:
        counted = [c for c in (s.get(name) for s in present) if c is not None]
        candidates = {label for c in counted for label in c["reference"]}
        hits: list[float] = []
        m_scores: list[float] = []
        for c in counted:
            prediction = set(c["prediction"])
            hit = len(prediction & set(c["reference"]))
            in_candidates = len(prediction & candidates)
            hits.append(float(hit))
            m_scores.append(hit / in_candidates if in_candidates else 0.0)
        per_wheel[name] = (_mean(hits), _mean(m_scores), len(counted))
    hit_rate, m_score = _row_means([[v[0], v[1]] for v in per_wheel.values()])  # the reference's rows
    return HitRateResult(hit_rate, m_score, per_wheel)


def score_hit_rate(references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str] | None],
                   tables: WheelTables) -> HitRateResult:
    return aggregate_hit_rate([hit_rate_sample_components(r, p, tables)
                               for r, p in zip(references, predictions, strict=True)])

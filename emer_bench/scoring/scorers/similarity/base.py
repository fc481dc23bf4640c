"""What every explanation-similarity scorer shares: the per-sample rules and the mean.

Rules, the same for every similarity metric (documented in each scorer's describe()):
- a failed sample (`prediction is None`) is an empty answer and counts: it scores 0 (flagged
  `failed`), the rule of every scorer (docs/failures.md); the harness reports `n_failed` beside
  every metric. `failed_as_zero: false` (an ablation, recorded in the results) leaves it out;
- an empty or whitespace-only answer explains nothing: it scores 0 on every metric without
  calling the model (flagged `empty_prediction`), because an embedding of "" is meaningless;
- a clip with no reference explanation is a data error, never a silent skip.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Any, ClassVar, TypeVar

import numpy as np

from emer_bench.api.requests import ReferenceField
from emer_bench.api.scorer import SampleScore, Scorer, ScorerArgs, ScoringItem
from emer_bench.errors import DataError

FAILED_SAMPLE_RULE = ("a failed sample (no answer) is an empty answer: it scores 0 and counts in the mean "
                      "(n_failed says how many); failed_as_zero=false leaves failed samples out instead")
EMPTY_ANSWER_RULE = "an empty answer scores 0"


class SimilarityArgs(ScorerArgs):
    failed_as_zero: bool = True  # failed samples score 0 (the one rule); False leaves them out of the mean


def reference_explanation(item: ScoringItem, scorer: str) -> str:
    text = item.reference.explanation
    if text is None or not text.strip():
        raise DataError(f"clip '{item.clip_id}' has no reference explanation; scorer '{scorer}' needs one")
    return text


def value_matrix(samples: list[SampleScore], keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(n, k) values of `keys` per sample and the (n, k) mask of those present (not None)."""
    values = np.zeros((len(samples), len(keys)))
    mask = np.zeros((len(samples), len(keys)), dtype=bool)
    for i, sample in enumerate(samples):
        if sample is None:
            continue
        for k, key in enumerate(keys):
            value = sample.get(key)
            if value is not None:
                values[i, k], mask[i, k] = value, True
    return values, mask


def mean_of(samples: list[SampleScore], key: str) -> float:
    """Mean of `key` over the samples that carry a value for it; NaN when none do."""
    values = [s[key] for s in samples if s is not None and s.get(key) is not None]
    return math.fsum(values) / len(values) if values else math.nan


SA = TypeVar("SA", bound=SimilarityArgs)


class ExplanationSimilarityScorer(Scorer[SA]):
    """Subclasses set `metrics` and implement `similarities` (one dict of metric values per pair)."""

    Args: ClassVar[type[ScorerArgs]] = SimilarityArgs
    needs: frozenset[ReferenceField] = frozenset({"explanation"})
    metrics: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def similarities(self, predictions: list[str], references: list[str]) -> list[dict[str, float]]:
        """Metric values for each (prediction, reference) pair, in order; both lists non-empty texts."""

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        references = [reference_explanation(item, self.name) for item in items]
        zeros = {metric: 0.0 for metric in self.metrics}
        out: list[SampleScore] = [None] * len(items)
        to_score: list[int] = []
        for i, item in enumerate(items):
            if item.prediction is None:
                if self.args.failed_as_zero:
                    out[i] = {**zeros, "failed": True}
            elif not item.prediction.strip():
                out[i] = {**zeros, "empty_prediction": True}
            else:
                to_score.append(i)
        if to_score:
            values = self.similarities([items[i].prediction or "" for i in to_score], [references[i] for i in to_score])
            if len(values) != len(to_score):
                raise RuntimeError(f"{self.name}: {len(values)} similarity values for {len(to_score)} pairs")
            for i, value in zip(to_score, values):
                out[i] = {metric: float(value[metric]) for metric in self.metrics}
        return out

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        return {metric: mean_of(samples, metric) for metric in self.metrics}

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        from emer_bench.metrics.weighted import weighted_means

        means = weighted_means(*value_matrix(samples, self.metrics), counts)
        return {metric: means[:, k] for k, metric in enumerate(self.metrics)}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "rules": [FAILED_SAMPLE_RULE, EMPTY_ANSWER_RULE]}

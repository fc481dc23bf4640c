"""Scorers `ew` (open-vocabulary EW metrics) and `hit_rate` (open-vocabulary answers against one
categorical label), the exact reference procedure of docs/openvocab-metrics.md §3-§5.

Per-sample components are plain JSON: `ew` stores (precision, recall) per mapping, `hit_rate`
stores the mapped reference/prediction sets per wheel (its candidate set is dataset-level and
is rebuilt from them), so `aggregate` needs no resources and works on bootstrap resamples.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from emer_bench.api.requests import ReferenceField
from emer_bench.api.scorer import (LabelExtractor, SampleScore, ScoreReuse, Scorer, ScorerArgs, ScoringContext,
                                    ScoringItem)
from emer_bench.errors import EmerBenchError
from emer_bench.metrics.labels import parse_label_list
from emer_bench.metrics.openvocab import (aggregate_ew, aggregate_hit_rate, ew_sample_components,
                                          hit_rate_sample_components)
from emer_bench.metrics.wheel_mapping import WheelTables
from emer_bench.registries import EXTRACTORS
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.resources.emotion_wheel import VERSIONS, ResolvedResources, describe_resources, resolve_resources
from emer_bench.scoring.extractors.spec import ExtractorSpec, build_extractor
from emer_bench.scoring.extractors.outcome import extract_with_errors
from emer_bench.scoring.structured import structured_label_set


class OpenVocabArgs(ScorerArgs):
    extractor: ExtractorSpec = ExtractorSpec(name="offline")  # `parse` when answers are label lists
    # A structured prediction (classic recognizer) gives its top-k classes as the label set.
    structured_top_k: int = Field(default=1, ge=1)
    resource_version: str | None = None  # default: the run's (ScoringContext.resource_version)
    resources: str | None = None  # emotion-wheel directory; default: run's --resources, env, cache

    @field_validator("resource_version")
    @classmethod
    def _known_version(cls, value: str | None) -> str | None:
        if value is not None and value not in VERSIONS:
            raise ValueError(f"unknown resource version '{value}'; known: {', '.join(VERSIONS)}")
        return value


def _count_extraction_errors(samples: list[SampleScore]) -> float:
    """Scored samples whose answer could not be turned into labels (they counted as empty)."""
    return float(sum(1 for s in samples if s is not None and s.get("extraction_error")))


class _OpenVocabScorer(Scorer[OpenVocabArgs]):
    reference_field: ClassVar[ReferenceField]
    reads_structured = True

    def __init__(self, args: OpenVocabArgs, context: ScoringContext) -> None:
        super().__init__(args, context)
        self._resolved: ResolvedResources | None = None
        self._tables: WheelTables | None = None
        self._extractor: LabelExtractor[Any] | None = None

    @property
    def _args(self) -> OpenVocabArgs:
        assert isinstance(self.args, OpenVocabArgs)
        return self.args

    def tables(self) -> WheelTables:
        """Resolve and parse the resources (once per process; ResourceError when missing)."""
        if self._tables is None:
            version = self._args.resource_version or self.context.resource_version
            explicit = self._args.resources or self.context.resources_dir
            self._resolved = resolve_resources(explicit, version)
            directory = self._resolved.directory
            self._tables = self.context.shared(f"wheel_tables:{directory}", lambda: load_wheel_tables(directory))
        return self._tables

    def reuse_mode(self) -> ScoreReuse:
        # Per sample with a rule-based extractor (the wheel tables' hashes are in describe()).
        return "per_sample" if EXTRACTORS.get(self._args.extractor.name).per_text else "none"

    def extractor(self) -> LabelExtractor[Any]:
        if self._extractor is None:
            self._extractor = build_extractor(self._args.extractor, self.context)  # shared per process
        return self._extractor

    def _predicted_labels(self, items: list[ScoringItem]) -> tuple[list[list[str] | None], list[str | None]]:
        """Extracted labels per item (None for failed samples: they count as empty predictions)
        and the extraction error per item (the prediction then also counts as empty). A sample
        with a structured prediction takes its top-k classes instead of the extractor's labels."""
        answered = [i for i, item in enumerate(items)
                    if not item.failed and item.prediction is not None and item.structured is None]
        extracted = extract_with_errors(self.extractor(), [items[i].prediction or "" for i in answered]) \
            if answered else []
        if len(extracted) != len(answered):
            raise RuntimeError(f"extractor '{self._args.extractor.name}' returned {len(extracted)} results "
                               f"for {len(answered)} answers")
        labels: list[list[str] | None] = [None] * len(items)
        errors: list[str | None] = [None] * len(items)
        for i, found in zip(answered, extracted):
            labels[i] = parse_label_list(list(found.labels))
            errors[i] = found.error
        for i, item in enumerate(items):
            if not item.failed and item.structured is not None:
                labels[i] = parse_label_list(structured_label_set(item.structured, self._args.structured_top_k))
        return labels, errors

    def _reference_labels(self, item: ScoringItem) -> list[str]:
        value = getattr(item.reference, self.reference_field)
        try:
            return parse_label_list(value)
        except EmerBenchError as exc:
            raise type(exc)(f"clip {item.clip_id}: reference '{self.reference_field}': {exc}") from None

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        try:
            tables = self.tables()
        except EmerBenchError as exc:  # describe() must not fail; the missing resource is reported
            info["resources"] = {"emotion_wheel": {"error": str(exc)}}
        else:
            assert self._resolved is not None
            info["resources"] = {"emotion_wheel": describe_resources(self._resolved, tables.sha256)}
        try:
            info["extractor"] = self.extractor().describe()
        except EmerBenchError as exc:
            info["extractor"] = {"extractor": self._args.extractor.name, "error": str(exc)}
        return info


class EmotionWheelScorer(_OpenVocabScorer):
    """Open-vocabulary EW metrics: form, synonym, wheel1-5 L1/L2 P/R/F, EW-L1, EW-L2, M-avg."""

    name = "ew"
    needs = frozenset({"openset"})
    headline = ("ew_l1_fscore", "ew_l2_fscore", "m_avg")
    reference_field = "openset"

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        tables = self.tables()
        predicted, errors = self._predicted_labels(items)
        scores: list[SampleScore] = []
        for item, labels, error in zip(items, predicted, errors):
            per_metric = ew_sample_components(self._reference_labels(item), labels, tables)
            if all(v is None for v in per_metric.values()):
                scores.append(None)  # the reference maps to nothing under every mapping: skipped
                continue
            component: dict[str, Any] = {k: (list(v) if v is not None else None) for k, v in per_metric.items()}
            component["labels"] = labels if labels is not None else []  # what was extracted, for inspection
            if error is not None:
                component["extraction_error"] = error
            scores.append(component)
        return scores

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        return {**aggregate_ew(samples).flat(), "n_extraction_errors": _count_extraction_errors(samples)}

    def aggregate_weighted(self, samples: list[SampleScore], counts: Any) -> dict[str, Any]:
        """A whole block of bootstrap resamples at once (same values as `aggregate` per row)."""
        from emer_bench.metrics.weighted import ew_aggregate_weighted

        return ew_aggregate_weighted(samples, counts)


class HitRateScorer(_OpenVocabScorer):
    """Hit rate and m-score of open-vocabulary answers against single categorical labels."""

    name = "hit_rate"
    needs = frozenset({"label"})
    headline = ("hit_rate", "m_score")
    reference_field = "label"

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        tables = self.tables()
        predicted, errors = self._predicted_labels(items)
        scores: list[SampleScore] = []
        for item, labels, error in zip(items, predicted, errors):
            per_wheel = hit_rate_sample_components(self._reference_labels(item), labels, tables)
            if all(v is None for v in per_wheel.values()):
                scores.append(None)  # the label maps to no wheel (e.g. neutral): skipped
                continue
            component: dict[str, Any] = dict(per_wheel)
            if error is not None:
                component["extraction_error"] = error
            scores.append(component)
        return scores

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        result = aggregate_hit_rate(samples)
        return {"hit_rate": result.hit_rate, "m_score": result.m_score,
                "n_extraction_errors": _count_extraction_errors(samples)}

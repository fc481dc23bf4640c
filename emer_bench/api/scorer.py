"""The scorer contract: per-sample components, then an aggregate over them.

Splitting the two lets the harness bootstrap any metric (including ones that are not a mean
of per-sample values, like the EW F-score computed from mean P and mean R) by re-running
`aggregate` on resampled components, and lets `compare` pair two runs clip by clip.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, Generic, Literal, TypeVar

import numpy as np

from pydantic import BaseModel, ConfigDict

from emer_bench.api.plugin import bind_args_class
from emer_bench.api.requests import Reference, ReferenceField
from emer_bench.api.structured import StructuredPrediction

S = TypeVar("S")

# JSON-serialisable per-sample components, or None when the rule skips the sample entirely.
SampleScore = dict[str, Any] | None

# What a scorer lets the harness reuse instead of calling `score_samples` again (see
# `Scorer.score_reuse` and emer_bench/runner/score_cache.py).
ScoreReuse = Literal["none", "whole", "per_sample"]


def scored_samples(samples: list[SampleScore]) -> tuple[list[int], list[dict[str, Any]]]:
    """The positions and components of the samples the metric's rule did not skip; an
    `aggregate_weighted` keeps the positions to pick the matching columns of `counts`."""
    present = [i for i, s in enumerate(samples) if s is not None]
    return present, [s for s in samples if s is not None]


@dataclass(frozen=True)
class ScoringItem:
    """One sample as a scorer sees it."""

    clip_id: str
    prediction: str | None  # the text answer; None when the sample failed or the model gave only `structured`
    reference: Reference
    failed: bool = False  # generation or decoding failed; counted in n_failed
    # Class scores / valence-arousal of a classic recognizer; scorers that declare
    # `reads_structured` use it when present (a sample may have it and no text).
    structured: StructuredPrediction | None = None

    @property
    def answered(self) -> bool:
        return not self.failed and (self.prediction is not None or self.structured is not None)


class ScorerArgs(BaseModel):
    """Base for a scorer's YAML arguments: typed, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class ScoringContext:
    """What scorers share within one process: resources, seed, once-loaded heavy objects."""

    resources_dir: Path | None = None  # emotion-wheel directory (None: not available)
    resource_version: str = "mer2025"
    cache_dir: Path | None = None  # where judges/extractors cache answers (and file hashes: resources/file_hashes.py)
    seed: int = 1234
    # `--judge MODEL --judge-args k=v`: {"model": ..., "model_args": {...}} replacing the judge
    # model of every LLM-judge scorer (None: each task's own `judge:`).
    judge: dict[str, Any] | None = None
    _shared: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, factory: Callable[[], S]) -> S:
        """Return the object stored under `key`, creating it once (embedding models, tables)."""
        if key not in self._shared:
            self._shared[key] = factory()
        value: S = self._shared[key]  # stored by this method, so of the type its factory made
        return value


A = TypeVar("A", bound=ScorerArgs)

# The optional vectorised aggregate (see `Scorer.aggregate_weighted`).
WeightedAggregate = Callable[[list[SampleScore], np.ndarray], dict[str, np.ndarray]]


class Scorer(ABC, Generic[A]):
    """Subclass as `Scorer[MyArgs]` (the YAML `args:` class; `Args` is set from it), set the class
    attributes, implement `score_samples` and `aggregate`."""

    name: ClassVar[str]
    # Reference fields this scorer needs (a task that lacks one is refused before the model loads).
    needs: frozenset[ReferenceField] = frozenset()
    Args: ClassVar[type[ScorerArgs]] = ScorerArgs
    # Metric names that get a bootstrap CI and appear in the summary table.
    headline: ClassVar[tuple[str, ...]] = ()
    # True when score_samples uses ScoringItem.structured; a text-only scorer is not run on
    # samples that have a structured prediction and no text (the harness notes why instead).
    reads_structured: ClassVar[bool] = False

    # Optional hook: the bootstrap's vectorised form of `aggregate`. Given the per-sample
    # components and an int array `counts` (R resamples x n items: how often each resample holds
    # each item), return {metric: array (R,)} equal to `aggregate` on each resample. None (the
    # default): the bootstrap re-runs `aggregate` once per resample instead, which is slower only.
    aggregate_weighted: WeightedAggregate | None = None

    # Which components a later run (or the same run, earlier) may reuse instead of re-scoring;
    # reuse also needs the same scoring digest (arguments, describe(), resources, code: see
    # runner/score_cache.py) and the same sample (answer, reference, failure).
    # - "none" (the default, since anything uncertain must be re-scored): an LLM judge or LLM
    #   extractor (a call may fail and be worth retrying), a batched neural model (a sample's
    #   floats may depend on its batch), a plugin that does not say.
    # - "whole": the same samples in the same order give the same components (e.g. a vocabulary
    #   built from every reference).
    # - "per_sample": each component depends on its own sample alone, so unchanged samples are
    #   reused one by one and finished samples are scored while the model still answers.
    score_reuse: ClassVar[ScoreReuse] = "none"
    # Installed distributions whose version enters the scoring digest (their code computes the
    # components, e.g. rouge-score's LCS): a new version re-scores.
    digest_libraries: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        bind_args_class(cls, Scorer, ScorerArgs)

    def reuse_mode(self) -> ScoreReuse:
        """`score_reuse` for these arguments (a label scorer is "none" with an LLM extractor)."""
        return self.score_reuse

    def __init__(self, args: A, context: ScoringContext) -> None:
        self.args: A = args
        self.context = context

    @abstractmethod
    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        """One entry per item, in order; None where the metric's rule skips the sample."""

    @abstractmethod
    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        """Dataset-level metrics from (possibly resampled) per-sample components."""

    def describe(self) -> dict[str, Any]:
        """Arguments, resources and their hashes, recorded in the results' config."""
        return {"scorer": self.name, "args": self.args.model_dump(mode="json")}

    def warm_up(self) -> None:
        """Optional hook: import or load what `score_samples` will need (a library, an embedding
        model, resource tables). The runner calls it on a background thread while the model
        answers, and waits for it before scoring, so the cost leaves the path to the first request
        and to the exit. An exception here is ignored: `score_samples` meets it again and reports it."""


@dataclass(frozen=True)
class ExtractedLabels:
    """One text's extraction with its failure visible (see `LabelExtractor.extract_detailed`)."""

    labels: list[str] = field(default_factory=list)  # [] when the extraction failed
    error: str | None = None  # "<Kind>: <message>" when the extractor could not answer
    raw: str | None = None  # the extractor model's reply, for inspection

    @property
    def ok(self) -> bool:
        return self.error is None


class LabelExtractor(ABC, Generic[A]):
    """Turns free-text answers into open-vocabulary label lists. Subclass as
    `LabelExtractor[MyArgs]` (`Args` is set from the type parameter)."""

    name: ClassVar[str]
    Args: ClassVar[type[ScorerArgs]] = ScorerArgs
    # True when a text's labels depend on that text alone and never vary between calls (rules,
    # word lists): a scorer using it may then reuse its components sample by sample.
    per_text: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        bind_args_class(cls, LabelExtractor, ScorerArgs)

    def __init__(self, args: A, context: ScoringContext) -> None:
        self.args: A = args
        self.context = context

    @abstractmethod
    def extract(self, texts: list[str]) -> list[list[str]]:
        """One label list per text (possibly empty), in order."""

    def extract_detailed(self, texts: list[str]) -> list[ExtractedLabels]:
        """Like `extract`, with each text's failure recorded instead of an empty list that would
        look like "no emotion". Extractors that can fail (an LLM call) override this and build
        `extract` on it; rule-based ones never fail and keep this default."""
        return [ExtractedLabels(labels=list(labels)) for labels in self.extract(texts)]

    def describe(self) -> dict[str, Any]:
        return {"extractor": self.name, "args": self.args.model_dump(mode="json")}

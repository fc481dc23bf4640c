"""The scorer contract: per-sample components, then an aggregate over them.

Splitting the two lets the harness bootstrap any metric (including ones that are not a mean
of per-sample values, like the EW F-score computed from mean P and mean R) by re-running
`aggregate` on resampled components, and lets `compare` pair two runs clip by clip.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from emer_bench.api.requests import Reference
from emer_bench.api.structured import StructuredPrediction

S = TypeVar("S")

# JSON-serialisable per-sample components, or None when the rule skips the sample entirely.
SampleScore = dict[str, Any] | None


@dataclass(frozen=True)
class ScoringItem:
    """One sample as a scorer sees it."""

    clip_id: str
    prediction: str | None  # the model's answer; None when the sample failed (see `failed`)
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
    cache_dir: Path | None = None  # where judges/extractors cache answers
    seed: int = 1234
    _shared: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, factory: Callable[[], S]) -> S:
        """Return the object stored under `key`, creating it once (embedding models, tables)."""
        if key not in self._shared:
            self._shared[key] = factory()
        return self._shared[key]


class Scorer(ABC):
    """Subclass, set the class attributes, implement `score_samples` and `aggregate`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    # Reference fields this scorer needs ("explanation", "openset", "label", "valence", "arousal").
    needs: ClassVar[frozenset[str]] = frozenset()
    Args: ClassVar[type[ScorerArgs]] = ScorerArgs
    # Metric names that get a bootstrap CI and appear in the summary table.
    headline: ClassVar[tuple[str, ...]] = ()
    # True when score_samples uses ScoringItem.structured; a text-only scorer is not run on
    # samples that have a structured prediction and no text (the harness notes why instead).
    reads_structured: ClassVar[bool] = False

    def __init__(self, args: ScorerArgs, context: ScoringContext) -> None:
        self.args = args
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


class LabelExtractor(ABC):
    """Turns free-text answers into open-vocabulary label lists."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    Args: ClassVar[type[ScorerArgs]] = ScorerArgs

    def __init__(self, args: ScorerArgs, context: ScoringContext) -> None:
        self.args = args
        self.context = context

    @abstractmethod
    def extract(self, texts: list[str]) -> list[list[str]]:
        """One label list per text (possibly empty), in order."""

    def describe(self) -> dict[str, Any]:
        return {"extractor": self.name, "args": self.args.model_dump(mode="json")}

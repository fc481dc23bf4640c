"""Structured predictions: what a classic recognizer (a CNN, a CNN+RNN) answers instead of text.

An adapter may return, besides or instead of text, one `StructuredPrediction` per clip:
- `labels` + `scores`: a score per class of the ADAPTER's own label set (probabilities, i.e.
  non-negative and summing to 1; an adapter with logits applies softmax first);
- `valence` / `arousal`: per-clip values on [-1, 1] (the circumplex convention used by the
  VA table and the scorers; scorers rescale to a task's range themselves);
- `va_source`: "model" when the network predicts them, "category_map" when they were derived
  from the class scores through the category -> VA table (then `va_consistency` is not an
  independent check, and says so);
- `frames`: per-frame values kept for auditing (time, scores, valence/arousal, face found...).
Scorers read it when present and the text when not (docs/architecture.md, "Adapter").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

VASource = Literal["model", "category_map"]


class StructuredPredictionError(ValueError):
    """An adapter built an inconsistent prediction (a bug in the adapter, not user input)."""


@dataclass(frozen=True)
class StructuredPrediction:
    labels: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()
    valence: float | None = None
    arousal: float | None = None
    va_source: VASource | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.scores):
            raise StructuredPredictionError(f"{len(self.labels)} labels but {len(self.scores)} scores")
        if any(not math.isfinite(s) or s < 0 for s in self.scores):
            raise StructuredPredictionError(f"class scores must be finite probabilities, got {list(self.scores)}")
        if self.scores and abs(sum(self.scores) - 1.0) > 1e-3:
            raise StructuredPredictionError(f"class scores must sum to 1 (softmax), got {sum(self.scores):.6f}")
        for name in ("valence", "arousal"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and -1.0 <= value <= 1.0):
                raise StructuredPredictionError(f"{name} must be on [-1, 1], got {value}")
        if (self.valence is not None or self.arousal is not None) and self.va_source is None:
            raise StructuredPredictionError("valence/arousal given without va_source ('model' or 'category_map')")

    @property
    def has_classes(self) -> bool:
        return bool(self.labels)

    @property
    def has_va(self) -> bool:
        return self.valence is not None

    def ranked(self) -> list[tuple[str, float]]:
        """(label, score), best first; ties keep the adapter's label order."""
        order = sorted(range(len(self.labels)), key=lambda i: -self.scores[i])
        return [(self.labels[i], self.scores[i]) for i in order]

    def top_k(self, k: int) -> list[str]:
        return [label for label, _ in self.ranked()[:k]]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.labels:
            data["labels"], data["scores"] = list(self.labels), [float(s) for s in self.scores]
        for key in ("valence", "arousal", "va_source"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.frames:
            data["frames"] = self.frames
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StructuredPrediction":
        return cls(labels=tuple(data.get("labels") or ()), scores=tuple(data.get("scores") or ()),
                   valence=data.get("valence"), arousal=data.get("arousal"), va_source=data.get("va_source"),
                   frames=list(data.get("frames") or []))

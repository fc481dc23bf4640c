"""How scorers read a structured prediction (emer_bench/api/structured.py) instead of text.

One rule per use, shared by the scorers so that they agree:
- a CATEGORY of a closed label set (`categorical`, `mer2023_combined`, `va_consistency` with
  `labels`): the highest-scoring class of the model that the task's label set knows (directly
  or as a synonym). A recognizer's label set often differs from the task's (FER's 7 classes vs
  a task without `disgust`); restricting the argmax to the classes the task can score is the
  usual closed-set protocol. No class of the set: unparsed (a wrong answer, `n_unparsed`).
  A model with valence/arousal and no classes: the label of the set whose point in the VA table
  is nearest (emer_bench/resources/category_va.py, `nearest_category`).
- a LABEL SET (`hit_rate`, `ew`, `affective_space`): the model's top-k classes (`structured_top_k`,
  default 1), in its own words; none for a valence/arousal-only model.
- VALUES (`dimensional`, `mer2023_combined`): valence/arousal as predicted on [-1, 1], rescaled
  linearly to the scorer's `<dim>_range`.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from emer_bench.api.scorer import ScoringContext
from emer_bench.api.structured import StructuredPrediction
from emer_bench.resources.category_va import PointLookup, nearest_category
from emer_bench.resources.va_lexicon import VALexicon, load_builtin


def builtin_va_table(context: ScoringContext) -> VALexicon:
    """The built-in VA table, loaded once per scoring process (the key affective_space uses)."""
    return context.shared("va_lexicon:builtin", load_builtin)


class Vocabulary(Protocol):
    @property
    def labels(self) -> Sequence[str]: ...

    def canonical(self, label: str) -> str | None: ...


def structured_category(prediction: StructuredPrediction, vocab: Vocabulary,
                        table: PointLookup) -> tuple[str | None, str]:
    """(canonical label of the task's set or None, how: "classes" | "va_nearest" | "none")."""
    if prediction.has_classes:
        for label, _ in prediction.ranked():
            found = vocab.canonical(label)
            if found is not None:
                return found, "classes"
        return None, "classes"
    if prediction.valence is not None:
        return nearest_category(table, prediction.valence, prediction.arousal, list(vocab.labels)), "va_nearest"
    return None, "none"


def structured_label_set(prediction: StructuredPrediction, top_k: int) -> list[str]:
    """The model's top-k classes (empty for a valence/arousal-only model)."""
    return prediction.top_k(top_k)


def structured_value(prediction: StructuredPrediction, dimension: str, value_range: tuple[float, float]) -> float | None:
    """The predicted valence or arousal, from [-1, 1] to `value_range`; None when not predicted."""
    value: float | None = getattr(prediction, dimension)
    if value is None:
        return None
    low, high = value_range
    return low + (value + 1.0) * (high - low) / 2.0

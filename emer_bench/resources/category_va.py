"""Category <-> valence/arousal mapping over the built-in VA table (or a user lexicon).

The table (`data/circumplex.tsv`, read by the VA lexicon loader) places emotion labels in the
circumplex, valence and arousal on [-1, 1]: Russell's (1980) eight anchors and their adjective
forms, `neutral` at the centre, and the basic classes plus the most frequent labels of the tasks
from the NRC VAD Lexicon (Mohammad 2018); every row cites its source in the file.

- Forward (`expected_va`): a class distribution -> the EXPECTED point, sum_k p_k * point(k),
  over the classes the table can place, with their probabilities renormalised to sum to 1
  (the mass of unplaced classes is returned, so a caller can record it). This is how fer-cnn
  gets valence/arousal from its 7 classes, as Xia & Kollias (2019) map between the spaces.
- Inverse (`nearest_category`): a point -> the candidate label whose table point is NEAREST
  (Euclidean distance in the valence-arousal plane); ties go to the earlier candidate. The
  candidates are the task's label set, so a valence/arousal-only model can be scored on a
  categorical task. Candidates the table cannot place are never chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

Point = tuple[float, float]


class PointLookup(Protocol):
    def lookup(self, word: str) -> Point | None: ...


@dataclass(frozen=True)
class ExpectedVA:
    valence: float
    arousal: float
    unplaced_mass: float  # probability of classes the table has no point for (renormalised away)
    unplaced: tuple[str, ...]


def expected_va(table: PointLookup, labels: Sequence[str], probs: Sequence[float]) -> ExpectedVA | None:
    """The expected (valence, arousal) under the class distribution; None when no class with
    probability > 0 can be placed."""
    placed = [(table.lookup(label), p) for label, p in zip(labels, probs)]
    mass = sum(p for point, p in placed if point is not None)
    if mass <= 0:
        return None
    valence = sum(p * point[0] for point, p in placed if point is not None) / mass
    arousal = sum(p * point[1] for point, p in placed if point is not None) / mass
    unplaced = tuple(label for label, (point, _) in zip(labels, placed) if point is None)
    return ExpectedVA(_clip(valence), _clip(arousal), float(sum(probs) - mass), unplaced)


def _clip(x: float) -> float:
    return min(1.0, max(-1.0, x))  # round-off only: a mean of points on [-1, 1]


def nearest_category(table: PointLookup, valence: float, arousal: float | None,
                     candidates: Sequence[str]) -> str | None:
    """The candidate whose table point is nearest to (valence, arousal); None if none is placeable.
    Without arousal, the distance is on valence alone."""
    best, best_d = None, math.inf
    for label in candidates:
        point = table.lookup(label)
        if point is None:
            continue
        d = abs(point[0] - valence) if arousal is None else math.dist(point, (valence, arousal))
        if d < best_d:
            best, best_d = label, d
    return best


def coverage(table: PointLookup, labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """(placed, missing) distinct labels, in first-seen order."""
    distinct = list(dict.fromkeys(label for label in labels if label.strip()))
    placed = [label for label in distinct if table.lookup(label) is not None]
    return placed, [label for label in distinct if label not in placed]

"""Valence/arousal lexicons: word → point in [-1, 1]², and the geometry the scorers use on them.

Two sources:
- the BUILT-IN table `data/circumplex.tsv` (Russell 1980's eight circumplex anchors, their
  adjective forms and `neutral` at the origin; every row cites its source in the file header);
- a user-supplied file in the NRC-VAD format: one entry per line, tab-separated
  `word <TAB> valence <TAB> arousal [<TAB> dominance ...]`; an optional header line (its valence
  field is not a number) and `#` comment lines are skipped. NRC-VAD v1 rates on [0, 1]
  (`scale: unit`, rescaled by x → 2x − 1); v2 and tables like the built-in one are already on
  [-1, 1] (`scale: signed`). A value outside the declared scale is a ResourceError, which is what
  catches a wrong `scale`. Dominance is ignored.
Words are matched after lower-casing and collapsing whitespace; the first entry of a repeated
word wins. A label that is not in the lexicon is "unmapped" (counted in the coverage metrics).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import numpy as np

from emer_bench.errors import ResourceError

BUILTIN_TABLE = Path(__file__).parent / "data" / "circumplex.tsv"
Scale = Literal["unit", "signed"]
Point = tuple[float, float]


def normalize_word(word: str) -> str:
    return " ".join(word.lower().split())


@dataclass(frozen=True)
class VALexicon:
    points: dict[str, Point]
    source: str  # "builtin:circumplex" or the file path
    sha256: str

    def lookup(self, word: str) -> Point | None:
        return self.points.get(normalize_word(word))

    def describe(self) -> dict[str, object]:
        return {"source": self.source, "sha256": self.sha256, "entries": len(self.points)}


def _parse_number(text: str, path: Path, line_no: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ResourceError(f"{path}:{line_no}: {what} '{text}' is not a number") from None
    if not math.isfinite(value):
        raise ResourceError(f"{path}:{line_no}: {what} '{text}' is not finite")
    return value


def load_lexicon(path: Path, scale: Scale, source: str | None = None) -> VALexicon:
    """Read an NRC-VAD-format file (see module docstring) into a lexicon on [-1, 1]."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ResourceError(f"valence/arousal lexicon '{path}' cannot be read: {exc.strerror or exc}") from None
    low, high = (0.0, 1.0) if scale == "unit" else (-1.0, 1.0)
    points: dict[str, Point] = {}
    first_data_line = True
    for line_no, line in enumerate(raw.decode("utf-8-sig", errors="replace").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.rstrip("\n\r").split("\t")
        if len(fields) < 3:
            raise ResourceError(f"{path}:{line_no}: expected 'word<TAB>valence<TAB>arousal', got {line!r}")
        if first_data_line:
            first_data_line = False
            try:
                float(fields[1])
            except ValueError:
                continue  # a header line such as "Word  Valence  Arousal  Dominance"
        word = normalize_word(fields[0])
        values = [_parse_number(fields[k], path, line_no, name) for k, name in ((1, "valence"), (2, "arousal"))]
        for value, name in zip(values, ("valence", "arousal")):
            if not low <= value <= high:
                raise ResourceError(f"{path}:{line_no}: {name} {value} of '{word}' is outside [{low:g}, {high:g}] "
                                    f"(lexicon_scale '{scale}'); is the file on the other scale?")
        if scale == "unit":
            values = [2.0 * v - 1.0 for v in values]
        if word:
            points.setdefault(word, (values[0], values[1]))
    if not points:
        raise ResourceError(f"valence/arousal lexicon '{path}' has no entries")
    return VALexicon(points, source or str(path), hashlib.sha256(raw).hexdigest())


def load_builtin() -> VALexicon:
    return load_lexicon(BUILTIN_TABLE, "signed", source="builtin:circumplex")


def sign(value: float, neutral_band: float) -> int:
    """-1, 0 or +1; values within ±neutral_band of 0 are neutral (0)."""
    return 0 if abs(value) <= neutral_band else (1 if value > 0 else -1)


def centroid(points: Sequence[Point]) -> Point:
    arr = np.asarray(points, dtype=np.float64)
    return (float(arr[:, 0].mean()), float(arr[:, 1].mean()))


def mean_nearest_distance(a: Sequence[Point], b: Sequence[Point]) -> float:
    """Symmetric mean nearest-neighbour distance: the mean over a's points of the distance to the
    closest point of b, averaged with the same from b to a (0 only when the sets coincide)."""
    pa, pb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    dist = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2))
    return float((dist.min(axis=1).mean() + dist.min(axis=0).mean()) / 2)


def map_labels(lexicon: VALexicon, labels: Sequence[str]) -> tuple[list[Point], int]:
    """Points of the DISTINCT labels (after normalisation) and how many distinct labels there were."""
    distinct = list(dict.fromkeys(normalize_word(label) for label in labels if normalize_word(label)))
    points = [p for p in (lexicon.lookup(label) for label in distinct) if p is not None]
    return points, len(distinct)

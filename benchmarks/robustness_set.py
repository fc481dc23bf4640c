"""The project's own robustness set for label extractors, and how it is scored.

benchmarks/data/offline_robustness.jsonl was written for this project (no upstream text):
one JSON object per line with `id`, `split` ("dev": looked at while writing rules; "check":
not looked at), `group` and `text`, and `expected`: the labels a careful reader takes from
the text, each written as alternatives "anger|angry" (any one matches).

Groups: `non_emotional` (vocabulary words in non-emotional senses: warm rooms, moving cars,
"contains"), `emotional` (plain attributions), `negation`, `other_person` (feelings of
someone other than the described person), `hedge` ("may be", "seems"), `conclusion`
(multi-sentence explanations whose concluding statement names the state).

Scores: micro precision / recall / F over labels. A predicted label matching an expected
item is a true positive (several predictions matching one item count once, e.g. "anger" and
"angry"); any other prediction is a false positive; an unmatched item is a false negative.
"Precision on non-emotional text" is the precision over the `non_emotional` group (with its
"clean" share: items with no spurious label); "F on emotional text" is over the other groups.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SET_PATH = Path(__file__).resolve().parent / "data" / "offline_robustness.jsonl"
NON_EMOTIONAL = "non_emotional"


@dataclass(frozen=True)
class Item:
    id: str
    split: str
    group: str
    text: str
    expected: tuple[frozenset[str], ...]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    items: int = 0
    clean: int = 0  # items without a false positive

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def fscore(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_set(path: Path = SET_PATH) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            expected = tuple(frozenset(alt.strip() for alt in e.split("|")) for e in row["expected"])
            items.append(Item(row["id"], row["split"], row["group"], row["text"], expected))
    return items


def compare(item: Item, predicted: Iterable[str]) -> Counts:
    """Counts of one item (see the module docstring for the matching rule)."""
    matched: set[int] = set()
    fp = 0
    for label in predicted:
        hits = [i for i, alternatives in enumerate(item.expected) if label in alternatives]
        if hits:
            matched.update(hits)
        else:
            fp += 1
    return Counts(tp=len(matched), fp=fp, fn=len(item.expected) - len(matched), items=1, clean=int(fp == 0))


def _add(total: Counts, one: Counts) -> None:
    total.tp += one.tp
    total.fp += one.fp
    total.fn += one.fn
    total.items += one.items
    total.clean += one.clean


def score_set(items: list[Item], extract: Callable[[list[str]], list[list[str]]]) -> dict[str, Counts]:
    """Counts per group, per split, and for "non_emotional" / "emotional" text overall."""
    predictions = extract([item.text for item in items])
    out: dict[str, Counts] = {}
    for item, predicted in zip(items, predictions):
        one = compare(item, predicted)
        kind = "non_emotional_text" if item.group == NON_EMOTIONAL else "emotional_text"
        for key in (item.group, kind, f"{kind}:{item.split}"):
            _add(out.setdefault(key, Counts()), one)
    return out


def mistakes(items: list[Item], extract: Callable[[list[str]], list[list[str]]]) -> list[tuple[Item, list[str]]]:
    """Items whose prediction is not exactly right (for reading, not for scoring)."""
    predictions = extract([item.text for item in items])
    return [(item, predicted) for item, predicted in zip(items, predictions)
            if (c := compare(item, predicted)).fp or c.fn]

"""`categorical`: accuracy, macro-F1 and weighted-F1 of one category per clip (MER2023, MELD, ...).

The answer is free text; `LabelVocabulary.parse` picks one label of the task's set (strategy:
whole answer → first label after the last concluding cue → first non-negated mention; see
scoring/parsing/categories.py). Counting rules:
- a sample without a reference label is skipped (component None);
- an answer with no recognisable label is WRONG: it counts as a miss of its true class and as
  nobody's false positive (sklearn's `labels=L` behaviour), and is reported as `n_unparsed`;
- a failed sample (generation/decoding error) is wrong in the same way when `failed_as_wrong`
  (default), or skipped when it is False; the harness reports `n_failed` either way.

Label set L for F1: `labels` when given; otherwise the reference labels present (plus any label
predicted, which can only come from that same set on the full data). F1 follows sklearn with
zero_division=0 (emer_bench.metrics.classification).

A sample with a structured prediction (a classic recognizer's class scores, or its
valence/arousal) is read by the rule of emer_bench/scoring/structured.py instead of parsing
text: the model's best class that the label set knows, or the label nearest to its VA point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emer_bench.api.scorer import SampleScore, Scorer, ScorerArgs, ScoringItem, scored_samples
from emer_bench.errors import DataError
from emer_bench.metrics.classification import accuracy, class_counts, macro_f1, weighted_f1
from emer_bench.scoring.parsing.categories import LabelVocabulary, normalize_label
from emer_bench.scoring.structured import builtin_va_table, structured_category


class CategoricalArgs(ScorerArgs):
    labels: list[str] = []  # the closed label set; empty: the set of reference labels of the task
    synonyms: dict[str, list[str]] = {}  # label -> other words that mean it ("happy": ["joy", "joyful"])
    failed_as_wrong: bool = True  # failed samples count as wrong answers (False: skipped)


def build_vocabulary(labels: list[str], synonyms: dict[str, list[str]], items: list[ScoringItem]) -> LabelVocabulary:
    """The configured label set, or (when empty) the task's reference labels after synonyms."""
    if labels:
        return LabelVocabulary.build(labels, synonyms)
    to_key = {normalize_label(f): normalize_label(k) for k, forms in synonyms.items() for f in forms}
    found = {normalize_label(i.reference.label) for i in items if i.reference.label is not None}
    derived = sorted({to_key.get(label, label) for label in found} - {""})
    if not derived:
        raise DataError("categorical scorer: no sample has a reference 'label', so there is no label set; "
                        "give 'labels' in the scorer args or check the task's reference mapping")
    kept = {k: v for k, v in synonyms.items() if normalize_label(k) in derived}
    return LabelVocabulary.build(derived, kept)


def reference_label(vocab: LabelVocabulary, item: ScoringItem) -> str | None:
    """The canonical reference label of an item (None: no reference); unknown labels are an error."""
    if item.reference.label is None:
        return None
    label = vocab.canonical(item.reference.label)
    if label is None:
        raise DataError(f"clip '{item.clip_id}': reference label '{item.reference.label}' is not in the "
                        f"scorer's label set {list(vocab.labels)}; add it to 'labels' or to 'synonyms'")
    return label


class CategoricalScorer(Scorer[CategoricalArgs]):
    name = "categorical"
    score_reuse = "whole"  # the vocabulary may be built from every sample's reference
    needs = frozenset({"label"})
    headline = ("accuracy", "macro_f1", "weighted_f1")
    reads_structured = True
    args: CategoricalArgs

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        vocab = build_vocabulary(self.args.labels, self.args.synonyms, items)
        out: list[SampleScore] = []
        for item in items:
            reference = reference_label(vocab, item)
            if reference is None or (item.failed and not self.args.failed_as_wrong):
                out.append(None)
            elif not item.failed and item.structured is not None:
                predicted, how = structured_category(item.structured, vocab, builtin_va_table(self.context))
                out.append({"reference": reference, "prediction": predicted, "unparsed": predicted is None,
                            "failed": False, "from": how})
            elif item.failed or item.prediction is None:
                out.append({"reference": reference, "prediction": None, "unparsed": False, "failed": True})
            else:
                predicted = vocab.parse(item.prediction)
                out.append({"reference": reference, "prediction": predicted, "unparsed": predicted is None,
                            "failed": False})
        return out

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        return categorical_metrics([s for s in samples if s is not None], self.args.labels)

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        present, rows = scored_samples(samples)
        return categorical_metrics_weighted(rows, self.args.labels, counts[:, present])


def categorical_metrics(rows: list[dict[str, Any]], labels: list[str]) -> dict[str, float]:
    """accuracy, macro_f1, weighted_f1, n_unparsed, unparsed_rate over counted components."""
    if not rows:
        nan = float("nan")
        return {"accuracy": nan, "macro_f1": nan, "weighted_f1": nan, "n_unparsed": 0.0, "unparsed_rate": nan}
    references = [r["reference"] for r in rows]
    predictions = [r["prediction"] for r in rows]
    if labels:
        label_set = list(dict.fromkeys(normalize_label(label) for label in labels))
    else:
        label_set = sorted(set(references) | {p for p in predictions if p is not None})
    index = {label: i for i, label in enumerate(label_set)}
    try:
        y_true = np.array([index[r] for r in references], dtype=np.int64)
    except KeyError as exc:
        raise DataError(f"categorical components: reference label {exc} is not in the label set {label_set}") from None
    y_pred = np.array([index.get(p, -1) if p is not None else -1 for p in predictions], dtype=np.int64)
    counts = class_counts(y_true, y_pred, len(label_set))
    n_unparsed = sum(1 for r in rows if r.get("unparsed"))
    return {
        "accuracy": accuracy(y_true, y_pred),
        "macro_f1": macro_f1(counts),
        "weighted_f1": weighted_f1(counts),
        "n_unparsed": float(n_unparsed),
        "unparsed_rate": n_unparsed / len(rows),
    }


def categorical_metrics_weighted(rows: list[dict[str, Any]], labels: list[str],
                                 counts: np.ndarray) -> dict[str, np.ndarray]:
    """`categorical_metrics` for each resample given by `counts` (R, len(rows)) multiplicities.
    Without configured labels, a resample's label set is the classes it holds (as in the direct
    computation): classes with weighted support or predictions."""
    n_counted = counts.sum(axis=1)
    if labels:
        label_set = list(dict.fromkeys(normalize_label(label) for label in labels))
    else:
        label_set = sorted({r["reference"] for r in rows} | {r["prediction"] for r in rows if r["prediction"]})
    index = {label: i for i, label in enumerate(label_set)}
    n_classes = len(label_set)
    y_true = np.array([index[r["reference"]] for r in rows], dtype=np.int64)
    y_pred = np.array([index.get(r["prediction"], -1) if r["prediction"] is not None else -1 for r in rows],
                      dtype=np.int64)
    correct = (y_true == y_pred).astype(np.float64)
    one_hot_true = np.eye(n_classes)[y_true] if rows else np.zeros((0, n_classes))
    one_hot_pred = np.vstack([np.eye(n_classes), np.zeros((1, n_classes))])[y_pred] if rows else one_hot_true
    tp = counts @ (one_hot_true * correct[:, None])
    support = counts @ one_hot_true
    predicted = counts @ one_hot_pred
    denominator = 2 * tp + (predicted - tp) + (support - tp)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denominator > 0, 2 * tp / np.where(denominator > 0, denominator, 1.0), 0.0)
        if labels:
            macro = f1.mean(axis=1) if n_classes else np.zeros(len(counts))
        else:
            in_resample = (support + predicted) > 0
            macro = (f1 * in_resample).sum(axis=1) / np.maximum(in_resample.sum(axis=1), 1)
        total_support = support.sum(axis=1)
        weighted = np.where(total_support > 0, (f1 * support).sum(axis=1) / np.maximum(total_support, 1), 0.0)
        n_unparsed = counts @ np.array([float(bool(r.get("unparsed"))) for r in rows])
        none = n_counted == 0
        return {
            "accuracy": np.where(none, np.nan, counts @ correct / np.maximum(n_counted, 1)),
            "macro_f1": np.where(none, np.nan, macro),
            "weighted_f1": np.where(none, np.nan, weighted),
            "n_unparsed": n_unparsed,
            "unparsed_rate": np.where(none, np.nan, n_unparsed / np.maximum(n_counted, 1)),
        }

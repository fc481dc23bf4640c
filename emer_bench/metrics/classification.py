"""Single-label classification metrics in numpy, matching scikit-learn's definitions.

scikit-learn is not a dependency, so accuracy, per-class precision/recall/F1 and their macro and
weighted averages are implemented here with the same conventions as
`sklearn.metrics.f1_score(y_true, y_pred, labels=L, average=..., zero_division=0)`:

- per class c in L: tp = #(true=c, pred=c), fp = #(true!=c, pred=c), fn = #(true=c, pred!=c);
  precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn); any 0/0 is 0;
- a prediction outside L (e.g. an unparsed answer, encoded as -1) is never a false positive of a
  class in L, but it is a false negative of its true class (sklearn's behaviour for `labels=L`);
- macro = plain mean of per-class F1 over L (classes without support included, with F1 0 when
  they are also never predicted); weighted = support-weighted mean, 0 when the total support is 0.

Accuracy is the fraction of samples whose prediction equals the truth (unparsed ones are wrong).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClassCounts:
    """Per-class confusion counts over the label set L (index = class id)."""

    tp: IntArray
    fp: IntArray
    fn: IntArray

    @property
    def support(self) -> IntArray:
        return self.tp + self.fn


def _safe_divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """num/den elementwise with 0 where den == 0 (sklearn's zero_division=0)."""
    out = np.zeros_like(num, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def class_counts(y_true: IntArray, y_pred: IntArray, n_classes: int) -> ClassCounts:
    """Counts for classes 0..n_classes-1. `y_pred` may hold -1 (or any id outside the range) for
    "no class": it adds a false negative to the true class and no false positive anywhere."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.shape[0]} items but y_pred has {y_pred.shape[0]}")
    if y_true.size and (y_true.min() < 0 or y_true.max() >= n_classes):
        raise ValueError("y_true holds an id outside the label set")
    correct = y_true == y_pred
    tp = np.bincount(y_true[correct], minlength=n_classes)
    true_count = np.bincount(y_true, minlength=n_classes)
    in_range = (y_pred >= 0) & (y_pred < n_classes)
    pred_count = np.bincount(y_pred[in_range], minlength=n_classes)
    return ClassCounts(tp=tp, fp=pred_count - tp, fn=true_count - tp)


def per_class_f1(counts: ClassCounts) -> FloatArray:
    """F1 per class; 2tp/(2tp+fp+fn) equals 2PR/(P+R) with every 0/0 taken as 0."""
    tp = counts.tp.astype(np.float64)
    return _safe_divide(2 * tp, 2 * tp + counts.fp + counts.fn)


def per_class_precision(counts: ClassCounts) -> FloatArray:
    tp = counts.tp.astype(np.float64)
    return _safe_divide(tp, tp + counts.fp)


def per_class_recall(counts: ClassCounts) -> FloatArray:
    tp = counts.tp.astype(np.float64)
    return _safe_divide(tp, tp + counts.fn)


def macro_f1(counts: ClassCounts) -> float:
    f1 = per_class_f1(counts)
    return float(f1.mean()) if f1.size else 0.0


def weighted_f1(counts: ClassCounts) -> float:
    support = counts.support
    total = int(support.sum())
    if total == 0:
        return 0.0
    return float((per_class_f1(counts) * support).sum() / total)


def accuracy(y_true: IntArray, y_pred: IntArray) -> float:
    y_true = np.asarray(y_true)
    if y_true.size == 0:
        return float("nan")
    return float(np.mean(y_true == np.asarray(y_pred)))

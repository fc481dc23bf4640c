"""Hand-computed checks of accuracy / macro-F1 / weighted-F1 (sklearn's definitions, zero_division=0)."""

from __future__ import annotations

import numpy as np
import pytest

from emer_bench.metrics.classification import (accuracy, class_counts, macro_f1, per_class_f1, per_class_precision,
                                               per_class_recall, weighted_f1)

# Classes a=0, b=1, c=2. Truth a a a b b c; prediction a a b b c <none>.
Y_TRUE = np.array([0, 0, 0, 1, 1, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, -1])


def test_per_class_counts_by_hand() -> None:
    counts = class_counts(Y_TRUE, Y_PRED, 3)
    assert counts.tp.tolist() == [2, 1, 0]
    assert counts.fp.tolist() == [0, 1, 1]  # the unparsed answer is nobody's false positive
    assert counts.fn.tolist() == [1, 1, 1]  # ... but it is a miss of its true class c
    assert counts.support.tolist() == [3, 2, 1]


def test_f1_values_by_hand() -> None:
    counts = class_counts(Y_TRUE, Y_PRED, 3)
    # a: P=1, R=2/3, F=0.8; b: P=1/2, R=1/2, F=0.5; c: P=0/1=0, R=0, F=0
    assert per_class_precision(counts) == pytest.approx([1.0, 0.5, 0.0])
    assert per_class_recall(counts) == pytest.approx([2 / 3, 0.5, 0.0])
    assert per_class_f1(counts) == pytest.approx([0.8, 0.5, 0.0])
    assert macro_f1(counts) == pytest.approx((0.8 + 0.5 + 0.0) / 3)
    assert weighted_f1(counts) == pytest.approx((0.8 * 3 + 0.5 * 2 + 0.0 * 1) / 6)
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(0.5)


def test_label_without_support_or_prediction_counts_zero_in_macro_only() -> None:
    counts = class_counts(Y_TRUE, Y_PRED, 4)  # class d=3 never occurs: P=R=F=0/0 -> 0
    assert per_class_f1(counts)[3] == 0.0
    assert macro_f1(counts) == pytest.approx(1.3 / 4)
    assert weighted_f1(counts) == pytest.approx(3.4 / 6)  # weight 0: unchanged


def test_predicted_class_without_support() -> None:
    # sklearn: f1_score(['a','a'], ['a','b'], average='macro') == 1/3, weighted == 2/3
    counts = class_counts(np.array([0, 0]), np.array([0, 1]), 2)
    assert per_class_f1(counts) == pytest.approx([2 / 3, 0.0])
    assert macro_f1(counts) == pytest.approx(1 / 3)
    assert weighted_f1(counts) == pytest.approx(2 / 3)


def test_perfect_and_empty() -> None:
    counts = class_counts(np.array([0, 1, 2]), np.array([0, 1, 2]), 3)
    assert macro_f1(counts) == weighted_f1(counts) == 1.0
    empty = class_counts(np.array([], dtype=np.int64), np.array([], dtype=np.int64), 2)
    assert weighted_f1(empty) == 0.0 and macro_f1(empty) == 0.0
    assert np.isnan(accuracy(np.array([]), np.array([])))


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="items"):
        class_counts(np.array([0, 1]), np.array([0]), 2)
    with pytest.raises(ValueError, match="outside"):
        class_counts(np.array([0, 5]), np.array([0, 1]), 2)

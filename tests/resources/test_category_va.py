"""Category <-> valence/arousal mapping over the built-in table: forward (expected point of a
class distribution), inverse (nearest label), and the table's coverage of the tasks' labels."""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path

import pytest

from emer_bench.resources.category_va import coverage, expected_va, nearest_category
from emer_bench.resources.va_lexicon import load_builtin

TABLE = load_builtin()
FER = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def test_expected_va_is_the_probability_weighted_point():
    happy, sad = TABLE.lookup("happy"), TABLE.lookup("sad")
    assert happy == pytest.approx((1.0, 0.47)) and sad == pytest.approx((-0.55, -0.334))  # NRC18, 2x - 1
    out = expected_va(TABLE, ["happy", "sad"], [0.75, 0.25])
    assert out is not None and out.unplaced_mass == 0 and out.unplaced == ()
    assert out.valence == pytest.approx(0.75 * happy[0] + 0.25 * sad[0])
    assert out.arousal == pytest.approx(0.75 * happy[1] + 0.25 * sad[1])
    one_hot = expected_va(TABLE, FER, [0, 0, 0, 0, 0, 0, 1.0])
    assert one_hot is not None and (one_hot.valence, one_hot.arousal) == (0.0, 0.0)  # neutral: the centre


def test_unplaced_classes_are_renormalised_away_and_reported():
    out = expected_va(TABLE, ["happy", "zorble"], [0.4, 0.6])
    assert out is not None and out.unplaced == ("zorble",) and out.unplaced_mass == pytest.approx(0.6)
    assert (out.valence, out.arousal) == pytest.approx(TABLE.lookup("happy"))
    assert expected_va(TABLE, ["zorble"], [1.0]) is None


def test_nearest_category_inverts_the_table_within_the_candidates():
    for label in FER:  # every class's own point maps back to it
        v, a = TABLE.lookup(label)
        assert nearest_category(TABLE, v, a, FER) == label
    assert nearest_category(TABLE, 0.9, 0.5, ["sad", "angry", "zorble"]) in {"sad", "angry"}
    assert nearest_category(TABLE, 0.9, 0.5, ["zorble"]) is None
    # without arousal, valence alone decides: -0.55 is sad's valence exactly
    assert nearest_category(TABLE, -0.55, None, ["sad", "angry", "happy"]) == "sad"


@pytest.mark.parametrize("name, labels", [
    ("FER2013 / fer-cnn", FER),
    ("emer-demo", ["happy", "sad", "angry", "surprise", "worried", "fear", "disgust", "neutral"]),
    ("MER2023", ["neutral", "angry", "happy", "sad", "worried", "surprise"]),
    ("MELD", ["neutral", "joy", "surprise", "anger", "sadness", "disgust", "fear"]),
    ("IEMOCAP", ["happy", "sad", "angry", "neutral", "frustrated", "excited"]),
])
def test_the_categorical_tasks_labels_are_all_placed(name, labels):
    placed, missing = coverage(TABLE, labels)
    assert missing == [], name


def test_coverage_of_the_frequent_open_vocabulary_labels(emer_data_dir: Path):
    """OV-MERD: the 50 most frequent distinct labels; the figure is quoted in docs/classic-recognizers.md."""
    counts: Counter[str] = Counter()
    with (emer_data_dir / "ovmerd_openset_labels.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            counts.update(label.strip().lower() for label in ast.literal_eval(row["openset"]))
    top = [label for label, _ in counts.most_common(50)]
    placed, missing = coverage(TABLE, top)
    assert len(placed) >= 48, missing
    occurrences = sum(counts[label] for label in placed) / sum(counts[label] for label in top)
    assert occurrences >= 0.97

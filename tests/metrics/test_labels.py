"""Rule 1 (docs/openvocab-metrics.md §1): parsing a label list."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emer_bench.errors import DataError
from emer_bench.metrics.labels import parse_label_list, split_label_string


@pytest.mark.parametrize("value, expected", [
    ("['happy', 'relaxed']", ["happy", "relaxed"]),
    ("[joyful, relaxed]", ["joyful", "relaxed"]),
    ("happy, relaxed", ["happy", "relaxed"]),
    ('["Happy", "RELAXED "]', ["happy", "relaxed"]),
    ("happy and sad", ["happy and sad"]),  # no splitting on spaces or "and"
    ("[self-deprecating]", ["self-deprecating"]),
    ("[]", []),
    ("", []),
    ("   ", []),
    (",,, ''", []),
    ("[[happy]]", ["[happy]"]),  # only ONE leading [ and ONE trailing ] are dropped
    (" [happy]", ["[happy"]),  # the [ must be the very first character
    ("happy]", ["happy"]),
    ("[happy", ["happy"]),
    ("[", []),  # upstream crashes here; we return []
    ("a'b\"c,d", ["a", "b", "c", "d"]),  # all three separators
])
def test_parse_strings(value: str, expected: list[str]) -> None:
    assert parse_label_list(value) == expected


def test_lowercasing_is_optional() -> None:
    assert parse_label_list("[Happy, SAD]", lower=False) == ["Happy", "SAD"]
    assert split_label_string("['Happy ', ' Sad']") == ["Happy", "Sad"]


@pytest.mark.parametrize("missing", [None, float("nan"), np.float64("nan")])
def test_missing_values_are_empty(missing: object) -> None:
    assert parse_label_list(missing) == []


def test_real_lists_are_used_as_they_are_then_lowercased() -> None:
    # a real list is not re-split: commas inside an item stay
    assert parse_label_list(["Happy, sad", " Calm "]) == ["happy, sad", "calm"]
    assert parse_label_list(("a", "B")) == ["a", "b"]
    assert parse_label_list(np.array(["X", "y"])) == ["x", "y"]
    assert parse_label_list([], lower=True) == []


def test_non_text_values_are_rejected_with_the_value_named() -> None:
    with pytest.raises(DataError, match="5"):
        parse_label_list(5)
    with pytest.raises(DataError, match="non-string item 3"):
        parse_label_list(["a", 3])


@given(st.lists(st.text(alphabet="abcxyz -", min_size=1, max_size=8), max_size=6))
def test_round_trip_of_python_list_repr(labels: list[str]) -> None:
    expected = [label.lower().strip() for label in labels if label.strip()]
    assert parse_label_list(str(labels)) == expected


def test_nan_detection_does_not_treat_strings_as_missing() -> None:
    assert parse_label_list("nan") == ["nan"]  # a *string* is parsed; CSV readers decide NA-ness
    assert math.isnan(float("nan"))

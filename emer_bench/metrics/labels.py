"""Rule 1 of the EMER scoring rules (docs/openvocab-metrics.md §1): turning a cell into a label list.

Mirrors the reference `string_to_list` followed by the callers' `item.lower().strip()`:
- a real list (or tuple / numpy array) is used as it is;
- "" / NaN / None -> [];
- otherwise one leading "[" and one trailing "]" are dropped, the rest is split on any of
  the characters ' " , and the stripped, non-empty pieces are kept (no splitting on spaces
  or "and").

Deviation, on purpose: upstream crashes (IndexError) on the one-character string "[";
here it parses to [].
"""

from __future__ import annotations

import math
import re
from typing import Any

from emer_bench.errors import DataError

_SEPARATORS = re.compile("['\",]")


def _is_missing(value: Any) -> bool:
    """None or a float NaN (what pandas gives for a blank cell); pd.NA has no float form."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def split_label_string(text: str) -> list[str]:
    """The string branch of rule 1, without case changes: strip one [ and one ], split, strip."""
    if text.startswith("["):
        text = text[1:]
    if text.endswith("]"):
        text = text[:-1]
    return [piece.strip() for piece in _SEPARATORS.split(text) if piece.strip()]


def parse_label_list(value: Any, lower: bool = True) -> list[str]:
    """Rule 1: a label list from a list, a list-like string, or a blank cell.

    With `lower` (the default, as every scoring call site does) each label is then
    lower-cased and stripped. Raises DataError for values that are neither (e.g. a number).
    """
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # numpy arrays arrive from npz files upstream
    if isinstance(value, (list, tuple)):
        labels = list(value)
        bad = [item for item in labels if not isinstance(item, str)]
        if bad:
            raise DataError(f"label list {value!r} contains a non-string item {bad[0]!r}")
    elif isinstance(value, str):
        labels = [] if value == "" else split_label_string(value)
    elif _is_missing(value):
        labels = []
    else:
        raise DataError(f"cannot read a label list from {value!r} (expected a list or a string)")
    if lower:
        return [label.lower().strip() for label in labels]
    return labels

"""Reading valence / arousal numbers out of a model's answer.

Accepted formats, tried in this order (a dimension keeps the first format that gives it):

1. JSON object anywhere in the answer: `{"valence": -0.4, "arousal": 0.7}` (keys in any case;
   numeric strings such as "-0.4" accepted). The last object with a usable key wins.
2. Key and number: `valence: -0.4`, `Valence = -0.4`, `valence is -0.4`, `valence of about -0.4`,
   `**Arousal**: 0.7`. The number must follow the key within 60 characters, before the other
   key and before a newline. A range given next to the key is skipped ("valence (from -1 to 1):
   0.3" → 0.3; numbers joined by "to" / "and" / a dash are a range). When the key appears
   several times, the LAST occurrence followed by a number wins (reasoning first, answer last).
   Synonyms: "pleasantness" for valence, "activation" for arousal.
3. Bare numbers: the whole answer is exactly one number per requested dimension, in the order
   valence, arousal: `-0.4, 0.7`, `(-0.4, 0.7)`, `[-0.4 0.7]`.

Unicode minus signs and dashes before a digit are read as "-". Integers, decimals and a leading
"+" are accepted; exponents, fractions ("3/5") and percentages are not. Range checks and
clipping are the scorer's job (dimensional.py), not the parser's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

DIMENSIONS = ("valence", "arousal")
_KEYS = {"valence": ("valence", "pleasantness"), "arousal": ("arousal", "activation")}
_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
_NUMBER_RE = re.compile(_NUMBER)
_RANGE_AHEAD = re.compile(rf"\s*(?:to|and|-|/)\s*{_NUMBER}")
_JSON_OBJECT = re.compile(r"\{[^{}]*\}")
_BARE = re.compile(rf"^\s*[\[(]?\s*((?:{_NUMBER}\s*[,;]?\s*)+)[\])]?\s*[.]?\s*$")
_WINDOW = 60


@dataclass(frozen=True)
class ParsedVA:
    valence: float | None = None
    arousal: float | None = None

    def get(self, dimension: str) -> float | None:
        return self.valence if dimension == "valence" else self.arousal


def _normalise_signs(text: str) -> str:
    # Unicode minus / en dash / em dash directly before a digit are minus signs.
    return re.sub(r"[\u2212\u2013\u2014](?=\s?\.?\d)", "-", text)


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*" + _NUMBER + r"\s*", value):
        return float(value)
    return None


def _from_json(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for match in _JSON_OBJECT.finditer(text):
        try:
            obj = json.loads(match.group(0))
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        lowered = {str(k).strip().lower(): v for k, v in obj.items()}
        for dim in DIMENSIONS:
            for key in _KEYS[dim]:
                number = _as_number(lowered.get(key))
                if number is not None:
                    found[dim] = number  # later objects override earlier ones
                    break
    return found


def _first_value(window: str) -> float | None:
    """The first number in `window` that is not part of a range "a to b" / "a-b"."""
    position = 0
    while True:
        match = _NUMBER_RE.search(window, position)
        if match is None:
            return None
        # Digits glued to letters (e.g. "v2") are not values.
        if match.start() > 0 and window[match.start() - 1].isalnum():
            position = match.end()
            continue
        ahead = _RANGE_AHEAD.match(window, match.end())
        if ahead is not None:
            position = ahead.end()  # skip the whole range
            continue
        return float(match.group(0))


def _from_keys(text: str) -> dict[str, float]:
    lowered = text.lower()
    key_spans: list[tuple[int, int, str]] = []
    for dim in DIMENSIONS:
        for key in _KEYS[dim]:
            key_spans += [(m.start(), m.end(), dim) for m in re.finditer(rf"\b{key}\b", lowered)]
    key_spans.sort()
    found: dict[str, float] = {}
    for i, (_, end, dim) in enumerate(key_spans):
        stop = min(end + _WINDOW, key_spans[i + 1][0] if i + 1 < len(key_spans) else len(text))
        window = text[end:stop].split("\n", 1)[0]
        value = _first_value(window)
        if value is not None:
            found[dim] = value  # the last occurrence with a number wins
    return found


def _from_bare(text: str, dimensions: tuple[str, ...]) -> dict[str, float]:
    match = _BARE.match(text)
    if match is None:
        return {}
    numbers = [float(n) for n in _NUMBER_RE.findall(match.group(1))]
    return dict(zip(dimensions, numbers)) if len(numbers) == len(dimensions) else {}


def parse_valence_arousal(answer: str, dimensions: tuple[str, ...] = DIMENSIONS) -> ParsedVA:
    """Valence and arousal stated in `answer` (None for a dimension it does not state)."""
    text = _normalise_signs(answer)
    found = _from_json(text)
    for dim, value in _from_keys(text).items():
        found.setdefault(dim, value)
    if not all(d in found for d in dimensions):
        for dim, value in _from_bare(text, dimensions).items():
            found.setdefault(dim, value)
    return ParsedVA(valence=found.get("valence"), arousal=found.get("arousal"))


_VA_STATEMENT = re.compile(
    rf"\b(?:valence|arousal|pleasantness|activation)\b(?:[^\n\d{{}}]{{0,{_WINDOW}}}?{_NUMBER})?", re.IGNORECASE)


def strip_va_statements(answer: str) -> str:
    """The answer without its valence/arousal statements (JSON objects holding those keys, and
    "valence: -0.4"-style phrases), so a label extractor does not read "arousal" as an emotion."""
    text = _normalise_signs(answer)
    text = _JSON_OBJECT.sub(lambda m: " " if _from_json(m.group(0)) else m.group(0), text)
    return _VA_STATEMENT.sub(" ", text)

"""The built-in word list's matcher: negation scope, and the same pairs as the plain-regex form."""

from __future__ import annotations

import random
import re

from emer_bench.emotion_words import find_emotions, labels_in, word_table


def _reference_find_emotions(text: str) -> list[tuple[str, str]]:
    """find_emotions as first written (module-level re calls), kept to compare against."""
    from emer_bench.emotion_words import NEGATION_WINDOW, NEGATORS, _pattern

    lowered = text.lower().replace("\u2019", "'")
    found = []
    for match in _pattern().finditer(lowered):
        before = re.split(r"[.,;:!?]", lowered[: match.start()])[-1]
        words = re.findall(r"[a-z']+", before)[-NEGATION_WINDOW:]
        if any(w in NEGATORS or w.endswith("n't") for w in words):
            continue
        found.append((match.group(1), word_table()[match.group(1)]))
    return found


def test_negation_stops_at_a_clause_boundary_and_after_three_words() -> None:
    assert labels_in("She is not happy.") == []
    assert labels_in("Not now, I'm happy") == ["happy"]
    assert labels_in("He isn\u2019t angry") == []
    assert labels_in("no. she seems happy") == ["happy"] and labels_in("never did she seem happy") == ["happy"]


def test_the_same_pairs_as_the_plain_regex_form_on_random_texts() -> None:
    rng = random.Random(3)
    forms = list(word_table())
    vocabulary = forms[:200] + ["not", "no", "never", "isn't", "don\u2019t", "really", "the", "and", ",", ".", "!",
                                ";", "?", ":", "HAPPY", "Sad", "very", "hardly", "nor", "without"]
    for _ in range(2000):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 25)))
        assert find_emotions(text) == _reference_find_emotions(text), text

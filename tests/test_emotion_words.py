"""The built-in word list's matcher: negation scope, and the same pairs as the plain-regex form."""

from __future__ import annotations

import random
import re

from emer_bench.emotion_words import find_emotions, forms_pattern, labels_in, word_table


def _reference_find_emotions(text: str) -> list[tuple[str, str]]:
    """find_emotions as first written (one alternation of the forms sorted longest first,
    module-level re calls), kept to compare against."""
    from emer_bench.emotion_words import NEGATION_WINDOW, NEGATORS

    forms = sorted(word_table(), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(f) for f in forms) + r")\b")
    lowered = text.lower().replace("\u2019", "'")
    found = []
    for match in pattern.finditer(lowered):
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


def test_the_same_pairs_as_the_plain_alternation_on_random_texts() -> None:
    rng = random.Random(3)
    forms = list(word_table())
    vocabulary = forms[:200] + ["not", "no", "never", "isn't", "don\u2019t", "really", "the", "and", ",", ".", "!",
                                ";", "?", ":", "HAPPY", "Sad", "very", "hardly", "nor", "without"]
    vocabulary += [form[:cut] for form in forms for cut in (2, 4)] + [f + "ly" for f in forms[:30]] + ["can't", "how"]
    for _ in range(3000):
        words = [rng.choice(vocabulary) for _ in range(rng.randrange(0, 25))]
        text = "".join(w + rng.choice([" ", " ", " ", "", "-", "'", ", ", "_"]) for w in words)
        assert find_emotions(text) == _reference_find_emotions(text), text


def test_the_trie_pattern_finds_what_the_longest_first_alternation_finds() -> None:
    # Forms that are prefixes of one another, with and without a word boundary between them.
    forms = ["a", "a b", "ab", "abc", "a b c", "b c d", "can't", "can't wait", "c-d", "c", "d e", "dee"]
    plain = re.compile(r"\b(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b")
    trie = forms_pattern(forms)
    rng = random.Random(9)
    pieces = forms + ["x", "'", "-", " ", "wait", "e", "bc"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randrange(0, 12)))
        assert [m.span(1) for m in trie.finditer(text)] == [m.span(1) for m in plain.finditer(text)], text

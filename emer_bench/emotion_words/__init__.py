"""The built-in emotion word list (our own small table; see words.tsv): surface form -> label.

It powers the transparent `lexicon-baseline` adapter and the resource-free `lexicon`
extractor, so the bundled demo runs with nothing outside the installed package.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable


@lru_cache(maxsize=1)
def word_table() -> dict[str, str]:
    """surface form (lower-case, may be several words) -> emotion label."""
    text = resources.files(__package__).joinpath("words.tsv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            form, label = line.split("\t")
            table[form.strip().lower()] = label.strip().lower()
    return table


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    # The forms as a trie, \b(<trie>)\b: at each position the longest form followed by a word
    # boundary, as the plain alternation sorted longest first matched (forms matching at one
    # position are prefixes of one another), but one branch tried per character instead of
    # every form at every word boundary (~7 us per 100 characters with 79 forms).
    return forms_pattern(word_table())


def forms_pattern(forms: Iterable[str]) -> re.Pattern[str]:
    """`\b(form)\b` for the longest of `forms` that matches (see `_pattern`)."""
    trie: dict[str, Any] = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}  # a form ends here
    return re.compile(r"\b(" + _trie_regex(trie) + r")\b")


def _trie_regex(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body  # greedy: the longer form is tried first


NEGATORS = {"not", "no", "never", "without", "hardly", "nor"}
NEGATION_WINDOW = 3  # words before an emotion word that can negate it ("not very happy")


_WORD = re.compile(r"[a-z']+")
_CLAUSE_END = re.compile(r"[.,;:!?]")


def _negated(before: str) -> bool:
    words = _WORD.findall(before)[-NEGATION_WINDOW:]
    return any(w in NEGATORS or w.endswith("n't") for w in words)


def find_emotions(text: str) -> list[tuple[str, str]]:
    """(surface form, label) pairs in order of appearance, skipping directly negated ones."""
    lowered = text.lower().replace("\u2019", "'")
    found = []
    table = word_table()
    for match in _pattern().finditer(lowered):
        # A clause boundary stops negation scope: "not now, I'm happy" keeps "happy".
        before = _CLAUSE_END.split(lowered[: match.start()])[-1]
        if _negated(before):
            continue
        found.append((match.group(1), table[match.group(1)]))
    return found


def labels_in(text: str) -> list[str]:
    """Distinct labels in order of first appearance."""
    return list(dict.fromkeys(label for _, label in find_emotions(text)))


def normalise_label(label: str) -> str:
    """Map a label onto the word list's label when it is a known form ("happiness" -> "happy")."""
    key = label.strip().lower()
    return word_table().get(key, key)

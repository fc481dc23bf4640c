"""The built-in emotion word list (our own small table; see words.tsv): surface form -> label.

It powers the transparent `lexicon-baseline` adapter and the resource-free `lexicon`
extractor, so the bundled demo runs with nothing outside the installed package.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources


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
    forms = sorted(word_table(), key=len, reverse=True)  # longest match first
    return re.compile(r"\b(" + "|".join(re.escape(f) for f in forms) + r")\b")


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

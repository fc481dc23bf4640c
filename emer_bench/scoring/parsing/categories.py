"""Turning a model's free-text answer into ONE category of a closed label set.

Strategy (in this order; the first step that finds a label wins):

1. Whole answer: the answer, lower-cased and stripped of surrounding quotes, brackets and final
   punctuation, IS a label or one of its synonyms ("Happy.", "['sad']").
2. Concluding statement: the text after a concluding cue ("in conclusion", "overall",
   "therefore", "final answer", "the emotion is", "emotion:", "most likely", ... see `_CUES`).
   Cues are tried from the LAST one backwards; the first non-negated label mentioned after a cue
   wins. (Reasoning-style answers discuss several emotions and conclude with the chosen one.)
3. First mention: the first non-negated label mentioned anywhere in the answer.
4. Otherwise the answer is unparsed (None): the scorer counts it as wrong and reports it.

A mention is a whole-word, case-insensitive occurrence of a label or synonym (multi-word forms
allowed; "sad" does not match "saddle", "happy" does not match "unhappy"). A mention is negated
when one of the three words before it, within the same clause (no . , ; : ! ? newline or
contrastive word such as "but", "although", "rather" in between), is a negator ("not", "no", "never", "without", "nor", "neither", "hardly", or a word
ending in "n't"): "she is not angry but sad" gives "sad".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emer_bench.errors import ConfigError

_NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "hardly", "barely", "lacks", "lack"})
_CUES = re.compile(
    r"\b(?:in conclusion|to conclude|in summary|to summari[sz]e|in short|overall|therefore|thus|hence|"
    r"final answer|answer\s*:|emotion\s*:|emotional state\s*:|label\s*:|category\s*:|"
    r"most likely|most probably|best described as|the emotion is|the emotional state is|"
    r"the predicted emotion)",
    re.IGNORECASE)
# Negation scope ends at punctuation or at a contrastive word ("not angry but sad").
_CLAUSE_BREAK = re.compile(r"[.,;:!?\n]|\b(?:but|yet|although|though|however|instead|rather|whereas)\b")
_WORD = re.compile(r"[a-z']+")
_WRAPPING = " \t\r\n'\"`[](){}<>.!?,;:*"


def normalize_label(text: str) -> str:
    """Lower-case, collapse inner whitespace, strip quotes/brackets/punctuation around it."""
    return " ".join(text.lower().split()).strip(_WRAPPING)


@dataclass(frozen=True)
class LabelVocabulary:
    """A closed label set with synonyms, and the answer parser built on it."""

    labels: tuple[str, ...]  # canonical labels, normalised, in the configured order
    surface: dict[str, str]  # every accepted form (label or synonym, normalised) -> canonical label
    mention: re.Pattern[str]  # matches any surface form as a whole word, longest forms first

    @classmethod
    def build(cls, labels: list[str], synonyms: dict[str, list[str]] | None = None) -> "LabelVocabulary":
        canonical: list[str] = []
        for raw in labels:
            label = normalize_label(raw)
            if not label:
                raise ConfigError(f"categorical scorer: empty label in labels {labels!r}")
            if label not in canonical:
                canonical.append(label)
        surface = {label: label for label in canonical}
        for raw_key, forms in (synonyms or {}).items():
            key = normalize_label(raw_key)
            if key not in surface or surface[key] != key:
                raise ConfigError(f"categorical scorer: synonyms key '{raw_key}' is not one of the labels {canonical}")
            for raw_form in forms:
                form = normalize_label(raw_form)
                if form and surface.setdefault(form, key) != key:
                    raise ConfigError(f"categorical scorer: synonym '{raw_form}' is given for both "
                                      f"'{surface[form]}' and '{key}'")
        ordered = sorted(surface, key=len, reverse=True)  # "very happy" before "happy"
        alternation = "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in ordered)
        mention = re.compile(rf"(?<![a-z])(?:{alternation})(?![a-z])", re.IGNORECASE)
        return cls(tuple(canonical), surface, mention)

    def canonical(self, label: str) -> str | None:
        """The canonical label of a reference label or synonym, or None if it is not in the set."""
        return self.surface.get(normalize_label(label))

    def parse(self, answer: str) -> str | None:
        """The one label the answer commits to (strategy in the module docstring), or None."""
        whole = self.canonical(answer)
        if whole is not None:
            return whole
        mentions = [(m.start(), self.surface[" ".join(m.group(0).lower().split())])
                    for m in self.mention.finditer(answer) if not _negated(answer, m.start())]
        if not mentions:
            return None
        for cue in reversed(list(_CUES.finditer(answer))):
            after = [label for start, label in mentions if start >= cue.end()]
            if after:
                return after[0]
        return mentions[0][1]


def _negated(text: str, start: int) -> bool:
    before = text[:start].lower()
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    words = _WORD.findall(clause)[-3:]
    return any(w in _NEGATORS or w.endswith("n't") for w in words)

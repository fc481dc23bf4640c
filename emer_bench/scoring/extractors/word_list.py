"""`lexicon` extractor: emotion words of the built-in word list, emer_bench/emotion_words
(needs no external resources; the registered name predates the module name)."""

from __future__ import annotations

from typing import ClassVar

from emer_bench.api.scorer import LabelExtractor, ScorerArgs
from emer_bench.emotion_words import labels_in


class WordListExtractor(LabelExtractor[ScorerArgs]):
    name: ClassVar[str] = "lexicon"
    per_text: ClassVar[bool] = True

    def warm_up(self) -> None:
        labels_in("")  # compiles the word list's pattern (cached for the process)

    def extract(self, texts: list[str]) -> list[list[str]]:
        return [labels_in(text or "") for text in texts]

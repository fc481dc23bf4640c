"""`lexicon` extractor: emotion words of the built-in lexicon (needs no external resources)."""

from __future__ import annotations

from typing import ClassVar

from emer_bench.api.scorer import LabelExtractor
from emer_bench.lexicon import labels_in


class LexiconExtractor(LabelExtractor):
    name: ClassVar[str] = "lexicon"
    description: ClassVar[str] = "Un-negated emotion words of the built-in lexicon, in order of appearance"

    def extract(self, texts: list[str]) -> list[list[str]]:
        return [labels_in(text or "") for text in texts]

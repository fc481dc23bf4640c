"""`parse` extractor: the answer already is a label list ("[happy, relaxed]", "happy, relaxed")."""

from __future__ import annotations

from emer_bench.api.scorer import LabelExtractor, ScorerArgs
from emer_bench.metrics.labels import parse_label_list
from emer_bench.scoring.extractors.prompt import clean_extractor_reply


class ParseExtractor(LabelExtractor[ScorerArgs]):
    """Rule 1 on the answer after the reference reply clean-up (leading "Output", ":", newlines)."""

    name = "parse"
    per_text = True

    def extract(self, texts: list[str]) -> list[list[str]]:
        return [parse_label_list(clean_extractor_reply(text)) for text in texts]

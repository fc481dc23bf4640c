"""Label extraction with its failures visible.

`LabelExtractor.extract` returns label lists only, so a failed LLM call would look like an
answer with no emotion. The contract's `extract_detailed(texts) -> list[ExtractedLabels]`
(emer_bench/api/scorer.py) keeps each failure; scorers call `extract_with_errors` and record
`error` per sample instead of scoring a silent empty list.
"""

from __future__ import annotations

from typing import Any

from emer_bench.api.scorer import ExtractedLabels, LabelExtractor

__all__ = ["ExtractedLabels", "extract_with_errors"]


def extract_with_errors(extractor: LabelExtractor[Any], texts: list[str]) -> list[ExtractedLabels]:
    return list(extractor.extract_detailed(texts))

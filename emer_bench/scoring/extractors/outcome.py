"""Label extraction with its failures visible.

`LabelExtractor.extract` returns label lists only, so a failed LLM call would look like an
answer with no emotion. Extractors that can fail (the `llm` extractor) also offer
`extract_detailed(texts) -> list[ExtractedLabels]`; scorers call `extract_with_errors`, which
uses it when present and otherwise wraps `extract` (rule-based extractors never fail), and
record `error` per sample instead of scoring a silent empty list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emer_bench.api.scorer import LabelExtractor


@dataclass(frozen=True)
class ExtractedLabels:
    labels: list[str] = field(default_factory=list)  # [] when the extraction failed
    error: str | None = None  # "<Kind>: <message>" when the extractor could not answer
    raw: str | None = None  # the extractor model's reply, for inspection

    @property
    def ok(self) -> bool:
        return self.error is None


def extract_with_errors(extractor: LabelExtractor, texts: list[str]) -> list[ExtractedLabels]:
    detailed = getattr(extractor, "extract_detailed", None)
    if callable(detailed):
        return list(detailed(texts))
    return [ExtractedLabels(labels=list(labels)) for labels in extractor.extract(texts)]

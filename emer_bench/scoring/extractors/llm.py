"""`llm` extractor: the published extraction prompt (docs/openvocab-metrics.md §6) through any registered
model that takes text, then the reference reply clean-up and rule 1.

Greedy decoding by default (upstream samples at temperature 0.7, top-p 0.8, so its labels
vary run to run; set `gen_kwargs` to reproduce that). Requests go through the shared
`LLMTool` (batched by the adapter, identical answers asked once, answers cached on disk).

Failures are never silent: a text whose extraction call failed gets [] from `extract` (the
contract's return type), but `extract_detailed` returns the error per text, `failures`
keeps every failure of this process, and `describe()` reports their count. Scorers should
call `extract_with_errors` (extractors/outcome.py) to record the error per sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from emer_bench.api.scorer import LabelExtractor, ScorerArgs, ScoringContext
from emer_bench.metrics.labels import parse_label_list
from emer_bench.scoring.extractors.outcome import ExtractedLabels
from emer_bench.scoring.extractors.prompt import PUBLISHED_EXTRACTION_PROMPT, clean_extractor_reply, extraction_prompt
from emer_bench.scoring.llm.tool import GREEDY, LLMTool, ToolModelSpec, sha256_text, strip_secrets

DEFAULT_GEN_KWARGS: dict[str, Any] = {**GREEDY, "max_new_tokens": 256}


class LLMExtractorArgs(ScorerArgs):
    model: str = Field(min_length=1)  # a registered adapter name, e.g. hf_text or openai
    model_args: dict[str, Any] = Field(default_factory=dict)
    gen_kwargs: dict[str, Any] = Field(default_factory=dict)  # over DEFAULT_GEN_KWARGS
    cache: bool = True


@dataclass(frozen=True)
class ExtractionFailure:
    text_sha256: str  # of the answer whose labels could not be extracted
    error: str


class LLMExtractor(LabelExtractor[LLMExtractorArgs]):
    name: ClassVar[str] = "llm"

    def __init__(self, args: LLMExtractorArgs, context: ScoringContext) -> None:
        super().__init__(args, context)
        a = args
        spec = ToolModelSpec(model=a.model, model_args=a.model_args, gen_kwargs=a.gen_kwargs, cache=a.cache)
        self.tool = LLMTool(spec, context, purpose="extractor_llm", default_gen_kwargs=DEFAULT_GEN_KWARGS,
                            where="extractor 'llm'")
        self.failures: list[ExtractionFailure] = []

    def extract_detailed(self, texts: list[str]) -> list[ExtractedLabels]:
        replies = self.tool.generate([extraction_prompt(text) for text in texts])
        out: list[ExtractedLabels] = []
        for text, reply in zip(texts, replies):
            if not reply.ok:
                error = reply.error or "ExtractorError: no reply"
                self.failures.append(ExtractionFailure(sha256_text(text), error))
                out.append(ExtractedLabels(labels=[], error=error))
                continue
            raw = reply.text or ""
            out.append(ExtractedLabels(labels=parse_label_list(clean_extractor_reply(raw)), raw=raw))
        return out

    def extract(self, texts: list[str]) -> list[list[str]]:
        return [result.labels for result in self.extract_detailed(texts)]

    def describe(self) -> dict[str, Any]:
        a = self.args
        args = {**a.model_dump(mode="json"), "model_args": strip_secrets(a.model_args)}
        return {"extractor": self.name, "args": args, "model": self.tool.describe(),
                "prompt_sha256": sha256_text(PUBLISHED_EXTRACTION_PROMPT), "decoding": self.tool.gen_kwargs,
                "reply_cleanup": "clean_extractor_reply, then rule 1 (parse_label_list)",
                "model_calls": self.tool.model_calls, "cache_hits": self.tool.cache_hits,
                "n_failures": len(self.failures),
                "failures": [f.error for f in self.failures[:20]]}  # the first few, for the results file

"""The `extractor:` argument shared by label-based scorers, and building the extractor it names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from emer_bench.api.scorer import LabelExtractor, ScoringContext
from emer_bench.registries import EXTRACTORS
from emer_bench.validation import validate


class ExtractorSpec(BaseModel):
    """`{name: offline, args: {...}}` in task YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


def build_extractor(spec: ExtractorSpec, context: ScoringContext) -> LabelExtractor[Any]:
    """The extractor, created once per process for equal specs (LLM extractors are costly)."""
    cls = EXTRACTORS.get(spec.name)
    args = validate(cls.Args, spec.args, f"extractor '{spec.name}' args")
    key = f"extractor:{spec.model_dump_json()}"
    return context.shared(key, lambda: cls(args, context))

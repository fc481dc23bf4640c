"""The `extractor:` argument shared by label-based scorers, and building the extractor it names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emer_bench.api.scorer import LabelExtractor, ScoringContext
from emer_bench.errors import ConfigError
from emer_bench.registries import EXTRACTORS


class ExtractorSpec(BaseModel):
    """`{name: offline, args: {...}}` in task YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


def build_extractor(spec: ExtractorSpec, context: ScoringContext) -> LabelExtractor:
    """The extractor, created once per process for equal specs (LLM extractors are costly)."""
    cls = EXTRACTORS.get(spec.name)
    try:
        args = cls.Args(**spec.args)
    except ValidationError as exc:
        problems = "; ".join(f"'{'.'.join(map(str, e['loc']))}': {e['msg']}" for e in exc.errors())
        raise ConfigError(f"extractor '{spec.name}' args: {problems}") from None
    key = f"extractor:{spec.model_dump_json()}"
    return context.shared(key, lambda: cls(args, context))

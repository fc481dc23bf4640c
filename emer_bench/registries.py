"""The process-wide registries. Built-in entries come from small catalog modules so that
listing names imports nothing heavy; plugins arrive through entry points. Each registry hands
out classes of its contract (checked on lookup)."""

from __future__ import annotations

from typing import Any

from emer_bench.api.adapter import ModelAdapter
from emer_bench.api.scorer import LabelExtractor, Scorer
from emer_bench.registry import Registry

AdapterClass = type[ModelAdapter[Any]]
ScorerClass = type[Scorer[Any]]
ExtractorClass = type[LabelExtractor[Any]]

ADAPTERS: Registry[AdapterClass] = Registry("model", "emer_bench.adapters", ModelAdapter)
SCORERS: Registry[ScorerClass] = Registry("scorer", "emer_bench.scorers", Scorer)
EXTRACTORS: Registry[ExtractorClass] = Registry("label extractor", "emer_bench.extractors", LabelExtractor)


def _load_builtin_catalogs() -> None:
    from emer_bench.model_adapters.catalog import register_builtin_adapters
    from emer_bench.scoring.catalog import register_builtin_extractors, register_builtin_scorers

    register_builtin_adapters(ADAPTERS)
    register_builtin_scorers(SCORERS)
    register_builtin_extractors(EXTRACTORS)


_load_builtin_catalogs()

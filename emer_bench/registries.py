"""The process-wide registries. Built-in entries come from small catalog modules so that
listing names imports nothing heavy; plugins arrive through entry points."""

from __future__ import annotations

from typing import Any

from emer_bench.registry import Registry

ADAPTERS: Registry[Any] = Registry("model", "emer_bench.adapters")
SCORERS: Registry[Any] = Registry("scorer", "emer_bench.scorers")
EXTRACTORS: Registry[Any] = Registry("label extractor", "emer_bench.extractors")


def _load_builtin_catalogs() -> None:
    from emer_bench.model_adapters.catalog import register_builtin_adapters
    from emer_bench.scoring.catalog import register_builtin_extractors, register_builtin_scorers

    register_builtin_adapters(ADAPTERS)
    register_builtin_scorers(SCORERS)
    register_builtin_extractors(EXTRACTORS)


_load_builtin_catalogs()

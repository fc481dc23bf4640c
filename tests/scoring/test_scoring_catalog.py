"""The scorer/extractor catalog is the one source of names and descriptions: every target
imports, is the right kind of class, is registered under its own `name`, and carries no
description of its own that could drift from the catalog's."""

from __future__ import annotations

import pytest

from emer_bench.api.scorer import LabelExtractor, Scorer
from emer_bench.registries import EXTRACTORS, SCORERS
from emer_bench.scoring.catalog import BUILTIN_EXTRACTORS, BUILTIN_SCORERS

CASES = [(SCORERS, Scorer, entry) for entry in BUILTIN_SCORERS] + \
        [(EXTRACTORS, LabelExtractor, entry) for entry in BUILTIN_EXTRACTORS]


@pytest.mark.parametrize(("registry", "base", "entry"), CASES, ids=[case[2][0] for case in CASES])
def test_catalog_target_imports_and_agrees(registry, base, entry) -> None:
    name, target, description = entry
    cls = registry.get(name)
    assert isinstance(cls, type) and issubclass(cls, base), target
    assert cls.name == name, f"{target} says name={cls.name!r}, catalog says {name!r}"
    assert description and registry.entry(name).description == description
    assert not any("description" in vars(klass) for klass in cls.__mro__ if klass.__module__.startswith("emer_bench")), \
        f"{target} repeats a description; the catalog holds it"

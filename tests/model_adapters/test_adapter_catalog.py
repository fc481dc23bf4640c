"""The adapter catalog is the one source of names and descriptions; its modalities (shown by
`emer-bench list models` without importing anything) equal the class's, which the runner uses."""

from __future__ import annotations

import pytest

from emer_bench.api.adapter import ModelAdapter
from emer_bench.model_adapters.catalog import BUILTIN_ADAPTERS
from emer_bench.registries import ADAPTERS


@pytest.mark.parametrize("entry", BUILTIN_ADAPTERS, ids=[entry[0] for entry in BUILTIN_ADAPTERS])
def test_catalog_target_imports_and_agrees(entry) -> None:
    name, target, modalities, description = entry
    cls = ADAPTERS.get(name)
    assert isinstance(cls, type) and issubclass(cls, ModelAdapter), target
    assert cls.name == name, f"{target} says name={cls.name!r}, catalog says {name!r}"
    assert {m.value for m in cls.modalities} == set(modalities), target
    assert description and ADAPTERS.entry(name).description == description
    assert not any("description" in vars(klass) for klass in cls.__mro__ if klass.__module__.startswith("emer_bench")), \
        f"{target} repeats a description; the catalog holds it"

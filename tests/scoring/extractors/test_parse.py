"""The `parse` extractor: reference reply clean-up, then rule 1."""

from __future__ import annotations

import pytest

from emer_bench.api.scorer import ScorerArgs, ScoringContext
from emer_bench.registries import EXTRACTORS
from emer_bench.scoring.extractors.parse import ParseExtractor


@pytest.mark.parametrize("answer, labels", [
    ("[happy, relaxed]", ["happy", "relaxed"]),
    ("Output: [happy, relaxed]", ["happy", "relaxed"]),
    ("  Output:\n['Happy',\n 'Relaxed']\n", ["happy", "relaxed"]),
    ("output：[sad]", ["sad"]),  # full-width colon
    ("[]", []),
    ("", []),
    ("happy and sad", ["happy and sad"]),  # no splitting on "and"
    ("Outputs: [x]", ["s: [x"]),  # only the exact prefix goes (as upstream); then one "]" is dropped
])
def test_parse_extractor(answer: str, labels: list[str]) -> None:
    extractor = ParseExtractor(ScorerArgs(), ScoringContext())
    assert extractor.extract([answer]) == [labels]


def test_registered_and_described() -> None:
    assert EXTRACTORS.get("parse") is ParseExtractor
    assert ParseExtractor(ScorerArgs(), ScoringContext()).describe() == {"extractor": "parse", "args": {}}

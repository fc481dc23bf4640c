"""Fixtures of the `offline` extractor tests: WordNet and the extractor, loaded once per session
(nltk reads the whole WordNet database, which takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.api.scorer import ScoringContext
from emer_bench.scoring.extractors.offline import OfflineExtractor, OfflineExtractorArgs
from emer_bench.scoring.extractors.offline_vocabulary import WordNetSenses


@pytest.fixture(scope="session")
def wordnet_lexicon() -> WordNetSenses:
    return WordNetSenses()


@pytest.fixture(scope="session")
def offline_context(wheel_dir: Path, wordnet_lexicon: WordNetSenses) -> ScoringContext:
    context = ScoringContext(resources_dir=wheel_dir)
    context.shared("wordnet_lexicon", lambda: wordnet_lexicon)
    return context


@pytest.fixture(scope="session")
def offline_extractor(offline_context: ScoringContext) -> OfflineExtractor:
    return OfflineExtractor(OfflineExtractorArgs(), offline_context)

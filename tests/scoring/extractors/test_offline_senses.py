"""Word senses of the `offline` extractor: vocabulary words used for things, not feelings
(real WordNet, real emotion-wheel vocabulary), and the project's robustness set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from emer_bench.scoring.extractors.offline import OfflineExtractor
from emer_bench.scoring.extractors.offline_vocabulary import WordNetSenses

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _one(extractor: OfflineExtractor, text: str) -> list[str]:
    return extractor.extract([text])[0]


@pytest.mark.parametrize("text, labels", [
    ("The subtitle \"Fine.\" contains no emotion words from the lexicon.", []),
    ("The clip contained three scenes.", []),
    ("He contained his anger.", ["anger"]),
    ("She is content with the result.", ["content"]),  # the feeling itself stays
    ("The content of the letter is a price list.", []),  # a noun naming a thing
])
def test_contain_is_not_content(offline_extractor: OfflineExtractor, text: str, labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


@pytest.mark.parametrize("text", [
    "a warm room", "He sits in a warm room drinking a cold beer.", "The soup is still warm.",
    "The water in the lake looks calm.", "Cars are moving along the street.", "The sky is blue.",
    "Bright lights flash behind him.", "The table is level.", "The weather is wild tonight.",
    "A wild storm hits the coast.", "It is a warm summer afternoon.", "He has met something unpleasant.",
    "She is going through some unpleasant things.",
])
def test_things_are_not_feelings(offline_extractor: OfflineExtractor, text: str) -> None:
    assert _one(offline_extractor, text) == []


@pytest.mark.parametrize("text, labels", [
    ("He gives her a warm smile.", ["warm"]),  # a smile is not a thing
    ("She is cold toward him.", ["cold"]),
    ("His voice is calm.", ["calm"]),
    ("He is moved by the story.", ["moved"]),
    ("She sits in a warm room and looks happy.", ["happy"]),
])
def test_feeling_senses_stay(offline_extractor: OfflineExtractor, text: str, labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


@pytest.mark.parametrize("text, labels", [
    ("He says his friend is angry.", []),
    ("Her mother looks worried.", []),
    ("She is nervous, and her sister is excited.", ["nervous"]),
    ("Her expression lacks any joy.", []),
    ("It shows a sense of relief.", ["relief"]),  # "sense" is the frame, not a label
])
def test_other_people_absence_and_frame_glue(offline_extractor: OfflineExtractor, text: str,
                                             labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


def test_lexicon_senses(wordnet_lexicon: WordNetSenses) -> None:
    assert "content" not in wordnet_lexicon.lemmas("contains")  # contain -> content (what is held)
    assert wordnet_lexicon.noun_class("room") == "noun.artifact"
    assert wordnet_lexicon.noun_class("friend") == "noun.person"
    assert wordnet_lexicon.is_mental_noun("relief") and not wordnet_lexicon.is_mental_noun("content")


def test_robustness_set(offline_extractor: OfflineExtractor) -> None:
    """Floors under the figures reported in benchmarks/results/offline_extractor.md."""
    sys.path.insert(0, str(BENCHMARKS))
    from robustness_set import load_set, score_set

    scores = score_set(load_set(), offline_extractor.extract)
    non_emotional, emotional = scores["non_emotional_text"], scores["emotional_text"]
    assert non_emotional.clean >= 0.95 * non_emotional.items
    assert emotional.fscore >= 0.95
    assert scores["negation"].precision == 1.0

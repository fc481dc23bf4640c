"""The free-text → one category parser: whole answers, concluding cues, first mention, negation."""

from __future__ import annotations

import pytest

from emer_bench.errors import ConfigError
from emer_bench.scoring.parsing.categories import LabelVocabulary, normalize_label

MER2023 = ["neutral", "angry", "happy", "sad", "worried", "surprise"]
SYNONYMS = {"happy": ["joy", "joyful", "very happy"], "surprise": ["surprised"], "worried": ["anxious"]}


@pytest.fixture(scope="module")
def vocab() -> LabelVocabulary:
    return LabelVocabulary.build(MER2023, SYNONYMS)


@pytest.mark.parametrize("answer, label", [
    ("Happy", "happy"),
    ("happy.", "happy"),
    ("['sad']", "sad"),
    ('"Surprised!"', "surprise"),
    ("  ANGRY  ", "angry"),
])
def test_whole_answer(vocab: LabelVocabulary, answer: str, label: str) -> None:
    assert vocab.parse(answer) == label


@pytest.mark.parametrize("answer, label", [
    # concluding cue wins over earlier mentions
    ("He looks happy at first. Overall, the person seems worried.", "worried"),
    ("The smile suggests joy, but the voice trembles. In conclusion: sad.", "sad"),
    ("Clues: angry tone, surprised face. Final answer: surprise", "surprise"),
    ("Emotion: neutral", "neutral"),
    # the LAST cue with a label after it is used
    ("Therefore he is angry. Thus, after reflection, the emotion is sad.", "sad"),
    # a cue without a label after it falls back to earlier cues / first mention
    ("He is anxious. Overall it is a dim room.", "worried"),
])
def test_concluding_statement(vocab: LabelVocabulary, answer: str, label: str) -> None:
    assert vocab.parse(answer) == label


@pytest.mark.parametrize("answer, label", [
    ("The character feels JOYFUL and surprised", "happy"),  # first mention, via synonym
    ("He is very happy today", "happy"),  # multi-word synonym
    ("She is not angry but sad", "sad"),  # negation scope ends at "but"
    ("He isn't happy; he is worried", "worried"),
    ("No sign of anger; he is worried", "worried"),
    ("Not sad, never angry, rather surprised", "surprise"),
])
def test_first_mention_and_negation(vocab: LabelVocabulary, answer: str, label: str) -> None:
    assert vocab.parse(answer) == label


@pytest.mark.parametrize("answer", [
    "I cannot tell.",
    "unhappy saddle",  # whole words only
    "He is not happy.",  # negated
    "",
])
def test_unparsed(vocab: LabelVocabulary, answer: str) -> None:
    assert vocab.parse(answer) is None


def test_canonical_and_normalize(vocab: LabelVocabulary) -> None:
    assert vocab.canonical(" Joy ") == "happy"
    assert vocab.canonical("bored") is None
    assert normalize_label("  'Very   Happy.' ") == "very happy"
    assert vocab.labels == tuple(MER2023)


def test_bad_synonyms_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="'glad' is not one of the labels"):
        LabelVocabulary.build(["happy"], {"glad": ["joy"]})
    with pytest.raises(ConfigError, match="'joy' is given for both"):
        LabelVocabulary.build(["happy", "surprise"], {"happy": ["joy"], "surprise": ["joy"]})
    with pytest.raises(ConfigError, match="empty label"):
        LabelVocabulary.build(["happy", " "], {})

"""Emotion frames for polysemous vocabulary words (with a stand-in for WordNet's senses)."""

from __future__ import annotations

from emer_bench.scoring.extractors.offline_frames import framed_mentions
from emer_bench.scoring.extractors.offline_vocabulary import VocabularyMatcher
from emer_bench.scoring.extractors.offline_text import tokenize

VOCABULARY = {"happy", "serious", "open", "tense", "slight", "certain", "content", "questioning", "facial"}


class StandInSenses:
    """Only "happy" is a feeling; "speaks"-like words are absent from this vocabulary."""

    def is_affective(self, word: str) -> bool:
        return word == "happy"

    def is_nominal(self, word: str) -> bool:
        return True


def _framed(text: str) -> list[str]:
    tokens = tokenize(text)
    mentions = VocabularyMatcher(VOCABULARY).find(tokens)
    return [mention.label for mention in framed_mentions(tokens, mentions, StandInSenses())]


def test_feelings_need_no_frame() -> None:
    assert _framed("The happy child.") == ["happy"]


def test_head_noun_frames_through_lists() -> None:
    assert _framed("a serious, tense and happy facial expression") == ["serious", "tense", "happy"]
    assert _framed("a serious conversation") == []


def test_trigger_frames() -> None:
    assert _framed("She feels tense.") == ["tense"]
    assert _framed("a state of questioning or tension") == ["questioning"]
    assert _framed("She seems serious, and he is open.") == ["serious", "open"]
    assert _framed("Her mouth is open.") == []  # the copula's subject is not the person
    assert _framed("She is experiencing a tense situation.") == []  # not the end of its phrase


def test_never_states() -> None:
    assert _framed("He feels a certain way.") == []
    assert _framed("The subtitle content feels serious.") == ["serious"]
    assert _framed("with a slightly open mouth") == []
    assert _framed("his facial expression") == []


def test_bare_lists_share_acceptance() -> None:
    assert _framed("[happy, serious, tense]") == ["happy", "serious", "tense"]
    assert _framed("serious / open; happy") == ["serious", "open", "happy"]
    assert _framed("happy, with an open mouth") == ["happy"]  # not a list item

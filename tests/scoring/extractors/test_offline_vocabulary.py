"""Vocabulary matching and WordNet lemmas/senses of the `offline` extractor."""

from __future__ import annotations

from emer_bench.scoring.extractors.offline_vocabulary import Mention, VocabularyMatcher, WordNetSenses
from emer_bench.scoring.extractors.offline_text import tokenize


def test_longest_match_and_curly_apostrophes() -> None:
    matcher = VocabularyMatcher({"at a loss", "at a loss for words", "loss", "don’t care"})
    assert matcher.find(tokenize("He was at a loss for words, a loss.")) == [
        Mention("at a loss for words", 2, 6), Mention("loss", 9, 9)]
    assert [m.label for m in matcher.find(tokenize("I don't care"))] == ["don’t care"]


def test_quoted_speech_never_matches() -> None:
    matcher = VocabularyMatcher({"angry", "very angry"})
    assert matcher.find(tokenize('She says "I am very angry with you". ')) == []


def test_a_lemmatizer_maps_unknown_words() -> None:
    matcher = VocabularyMatcher({"angry"}, lambda word: ["angry"] if word == "angrier" else [])
    assert matcher.find(tokenize("angrier than ever")) == [Mention("angry", 0, 0)]
    assert VocabularyMatcher({"angry"}).find(tokenize("angrier")) == []


def test_wordnet_lemmas(wordnet_lexicon: WordNetSenses) -> None:
    assert "worry" in wordnet_lexicon.lemmas("worried")
    assert "furious" in wordnet_lexicon.lemmas("furiously")  # the adverb's adjective
    assert "tense" in wordnet_lexicon.lemmas("tension")  # same-stem derivation
    assert "speak" not in wordnet_lexicon.lemmas("speech")  # other roots are not followed


def test_wordnet_senses(wordnet_lexicon: WordNetSenses) -> None:
    for word in ("happy", "anger", "angrily", "worried", "cheerfully", "ill at ease"):
        assert wordnet_lexicon.is_affective(word), word
    for word in ("open", "low", "slight", "certain", "speech", "question"):
        assert not wordnet_lexicon.is_affective(word), word
    assert wordnet_lexicon.is_nominal("serious") and not wordnet_lexicon.is_nominal("speaks")

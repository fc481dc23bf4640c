"""Tokens, quoted speech and sentences for the `offline` extractor."""

from __future__ import annotations

from emer_bench.scoring.extractors.offline_text import sentences, tokenize


def _words(text: str) -> list[str]:
    return [token.text for token in tokenize(text)]


def test_words_keep_inner_hyphens_and_apostrophes() -> None:
    assert _words("Double-crossed, he didn’t care!") == ["double-crossed", ",", "he", "didn't", "care", "!"]
    assert _words("Naïve CAFÉ") == ["naïve", "café"]


def test_quoted_speech_is_marked_and_keeps_the_sentence_open() -> None:
    tokens = tokenize('The subtitle reads: “I am so angry. Really!” She smiles. Then she leaves.')
    quoted = [token.text for token in tokens if token.quoted]
    assert quoted == ['"', "i", "am", "so", "angry", ".", "really", "!", '"']
    assert [[token.text for token in sentence][:2] for sentence in sentences(tokens)] == [
        ["the", "subtitle"], ["then", "she"]]


def test_short_quoted_terms_are_not_speech_unless_cued() -> None:
    assert not any(token.quoted for token in tokenize('His emotion is "angry".'))
    assert all(token.quoted for token in tokenize('He says "so angry".') if token.text in ("so", "angry"))


def test_a_stray_quote_mark_quotes_nothing() -> None:
    assert not any(token.quoted for token in tokenize('He is 6" tall and he is happy.'))


def test_empty_text() -> None:
    assert tokenize("") == [] and sentences([]) == []

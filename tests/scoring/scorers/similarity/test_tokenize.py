"""Download-free tokenisation for the n-gram metrics."""

from __future__ import annotations

from rouge_score.tokenizers import DefaultTokenizer

from emer_bench.scoring.scorers.similarity.tokenize import CjkAwareRougeTokenizer, word_tokens


def test_word_tokens_lowercase_and_split_punctuation() -> None:
    assert word_tokens("He's SMILING, happily (mostly)!") == ["he", "s", "smiling", "happily", "mostly"]


def test_cjk_is_one_token_per_character() -> None:
    assert word_tokens("他很高兴 ok") == ["他", "很", "高", "兴", "ok"]


def test_rouge_tokenizer_equals_rouge_score_default_without_cjk() -> None:
    texts = ["The characters' voices were trembling; she cried loudly.", "Ça va? Naïve—maybe 42 times.", ""]
    ours, default = CjkAwareRougeTokenizer(use_stemmer=True), DefaultTokenizer(use_stemmer=True)
    for text in texts:
        assert ours.tokenize(text) == default.tokenize(text)


def test_rouge_tokenizer_keeps_cjk_characters() -> None:
    assert CjkAwareRougeTokenizer().tokenize("他很高兴, smiling") == ["他", "很", "高", "兴", "smile"]


def test_remembered_stems_give_rouge_scores_own_tokens() -> None:
    """The stem cache must not change a token: same output as rouge-score's DefaultTokenizer,
    also on a second pass over the same words (answered from the cache)."""
    texts = ["The characters were running and smiling happily, generously.",
             "Running, running: her happiness and his generosity; it's 3 o'clock!",
             "Relational conditioning; the agreed-upon conclusions were stated"]
    ours, theirs = CjkAwareRougeTokenizer(use_stemmer=True), DefaultTokenizer(use_stemmer=True)
    for _ in range(2):
        for text in texts:
            assert ours.tokenize(text) == theirs.tokenize(text)


def test_rouge_tokenizer_equals_rouge_score_on_random_unicode_text() -> None:
    """One `findall` instead of rouge-score's sub/split/filter: the same tokens on text mixing
    ASCII, accents, digits, punctuation, whitespace kinds and characters whose lower case is ASCII
    (the Kelvin sign, dotted capital I), with and without the stemmer."""
    import random

    alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + \
        list(" \t\n\r\x0b\x0c\u00a0\u2003.,;:!?'\"-_()[]/\\@#&*") + ["é", "Ç", "ß", "\u212a", "\u0130", "ﬁ", "Ⅻ"]
    words = ["running", "happiness", "generously", "conditional", "agreed", "cried", "sky", "was", "1990s",
             "ies", "sses", "feed", "dying", "lying", "caresses", "ponies", "ties", "caress", "cats"]
    rng = random.Random(11)
    for use_stemmer in (True, False):
        ours, theirs = CjkAwareRougeTokenizer(use_stemmer=use_stemmer), DefaultTokenizer(use_stemmer=use_stemmer)
        for _ in range(1500):
            parts = [rng.choice(words) if rng.random() < 0.4 else "".join(rng.choices(alphabet, k=rng.randint(1, 9)))
                     for _ in range(rng.randint(0, 20))]
            text = rng.choice(["", " ", "\n"]).join(parts)
            assert ours.tokenize(text) == theirs.tokenize(text), text


def test_rouge_tokenizer_equals_rouge_score_on_random_ascii_text() -> None:
    """ASCII text takes a `str.translate` + `split` path instead of the regex: the same tokens as
    rouge-score on every ASCII character (controls and separators included), stems remembered."""
    import random

    words = ["running", "happiness", "generously", "ies", "sses", "dying", "cats", "1990s", "A", "it's"]
    rng = random.Random(5)
    for use_stemmer in (True, False):
        ours, theirs = CjkAwareRougeTokenizer(use_stemmer=use_stemmer), DefaultTokenizer(use_stemmer=use_stemmer)
        for _ in range(3000):
            parts = [rng.choice(words) if rng.random() < 0.3 else "".join(chr(rng.randrange(128)) for _ in range(9))
                     for _ in range(rng.randint(0, 12))]
            text = rng.choice(["", " ", "\x1f", "-"]).join(parts)
            assert text.isascii()
            assert ours.tokenize(text) == theirs.tokenize(text), repr(text)

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


def test_memoised_stemming_gives_rouge_scores_own_tokens():
    # Each distinct word is stemmed once; the tokens are exactly rouge-score's DefaultTokenizer's.
    from rouge_score.tokenizers import DefaultTokenizer

    from emer_bench.scoring.scorers.similarity.tokenize import CjkAwareRougeTokenizer, MemoStemmer

    text = ("The characters were running and smiling; relational generalization, happily hoping, "
            "the running dogs ran. Running again!")
    ours = CjkAwareRougeTokenizer(use_stemmer=True)
    assert isinstance(ours._default._stemmer, MemoStemmer)
    expected = DefaultTokenizer(use_stemmer=True).tokenize(text)
    assert ours.tokenize(text) == expected
    assert ours.tokenize(text) == expected  # from the cache
    assert "run" in expected and "happili" in expected
    assert not hasattr(CjkAwareRougeTokenizer(use_stemmer=False)._default._stemmer or object(), "_cache")

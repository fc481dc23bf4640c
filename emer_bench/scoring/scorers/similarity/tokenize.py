"""Download-free tokenisation for the n-gram metrics (no nltk punkt, no hub tokenizer).

Words: lower-cased runs of letters/digits (punctuation and apostrophes split words, so
"character's" gives "character", "s"). CJK ideographs, kana and hangul are one token per
character, the usual practice for n-gram metrics on Chinese text, so Chinese explanations
do not collapse into one giant "word".
"""

from __future__ import annotations

import re
from typing import Any

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_CJK_SPLIT = re.compile(f"([{_CJK}])")


def word_tokens(text: str) -> list[str]:
    """Tokens for BLEU and METEOR."""
    return _TOKEN.findall(text.lower())


class CjkAwareRougeTokenizer:
    """rouge-score's own tokenizer (lower-case, ASCII alphanumerics, Porter stemming of words
    longer than 3) on every non-CJK stretch, and one token per CJK character. Text without CJK
    characters is tokenised exactly as rouge-score's DefaultTokenizer does.

    Duck-typed (`tokenize(text)` is all RougeScorer calls) and built lazily: rouge-score imports
    nltk, whose package import costs ~1.5 s of CPU, so importing this module must not."""

    def __init__(self, use_stemmer: bool = True) -> None:
        from emer_bench.resources.nltk_lean import import_nltk  # noqa: PLC0415

        import_nltk()
        from rouge_score import tokenizers as rouge_tokenizers  # noqa: PLC0415 - see the docstring

        self._default: Any = rouge_tokenizers.DefaultTokenizer(use_stemmer)
        stemmer = getattr(self._default, "_stemmer", None)
        if stemmer is not None:  # the same Porter stemmer, each distinct word stemmed once
            self._default._stemmer = MemoStemmer(stemmer)

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        for piece in _CJK_SPLIT.split(text):
            if not piece:
                continue
            if _CJK_SPLIT.fullmatch(piece):
                tokens.append(piece)
            else:
                tokens.extend(self._default.tokenize(piece))
        return tokens


class MemoStemmer:
    """A stemmer's `stem` memoised per word: Porter stemming is a pure function of the word and
    was most of ROUGE-L's CPU (explanations reuse a small vocabulary)."""

    def __init__(self, stemmer: Any) -> None:
        self._stem = stemmer.stem
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        stemmed = self._cache.get(word)
        if stemmed is None:
            stemmed = self._cache[word] = self._stem(word)
        return stemmed

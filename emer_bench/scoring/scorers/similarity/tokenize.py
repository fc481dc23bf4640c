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
    nltk (~0.4 s of CPU even without scipy/scikit-learn), so importing this module must not."""

    def __init__(self, use_stemmer: bool = True) -> None:
        from emer_bench.resources.nltk_lean import import_nltk  # noqa: PLC0415

        import_nltk()  # before any nltk import: nltk without scipy/scikit-learn
        from nltk.stem import porter  # noqa: PLC0415 - see the docstring
        from rouge_score import tokenize as rouge_tokenize  # noqa: PLC0415

        # rouge-score's DefaultTokenizer is `tokenize.tokenize(text, PorterStemmer())`; the same
        # call with the stems remembered (words repeat across answers: the stemmer was most of
        # ROUGE-L's time), so the tokens are rouge-score's own.
        self._tokenize: Any = rouge_tokenize.tokenize
        self._stemmer: Any = _RememberedStems(porter.PorterStemmer()) if use_stemmer else None

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        for piece in _CJK_SPLIT.split(text):
            if not piece:
                continue
            if _CJK_SPLIT.fullmatch(piece):
                tokens.append(piece)
            else:
                tokens.extend(self._tokenize(piece, self._stemmer))
        return tokens


class _RememberedStems:
    """A stemmer that remembers each word's stem (the Porter stemmer is deterministic)."""

    def __init__(self, stemmer: Any) -> None:
        self._stemmer = stemmer
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self._stemmer.stem(word)
        return stem

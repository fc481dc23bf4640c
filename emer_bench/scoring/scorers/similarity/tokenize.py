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
_ALPHANUMERIC = re.compile("[a-z0-9]+")  # rouge-score's token characters, after lower-casing
# ASCII letters lower-cased, digits kept, every other ASCII character a space: for ASCII text,
# `text.translate(_ASCII_WORDS).split()` is `_ALPHANUMERIC.findall(text.lower())`, ~3x faster.
_ASCII_WORDS = {code: (chr(code).lower() if chr(code).isalnum() else " ") for code in range(128)}


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

        # rouge-score's DefaultTokenizer is `tokenize.tokenize(text, PorterStemmer())`: lower-case,
        # non-alphanumerics to spaces, split on spaces, stem words longer than 3, keep what matches
        # `^[a-z0-9]+$`. The same in one `findall` of the lower-cased text, with each word's kept
        # stem remembered (words repeat across answers): ~3x less CPU, the same tokens
        # (tests/scoring/scorers/similarity/test_tokenize.py compares them with rouge-score's).
        self._valid = rouge_tokenize.VALID_TOKEN_RE.match
        self._porter: Any = porter.PorterStemmer() if use_stemmer else None
        self._stems: dict[str, str] = {}  # word -> its token: the stem, itself (<= 3 chars), "" (dropped)

    def tokenize(self, text: str) -> list[str]:
        if text.isascii():  # no CJK character, and a cheaper way to the same words
            return self._stemmed(text.translate(_ASCII_WORDS).split())
        tokens: list[str] = []
        for piece in _CJK_SPLIT.split(text):
            if not piece:
                continue
            if _CJK_SPLIT.fullmatch(piece):
                tokens.append(piece)
            else:
                tokens.extend(self._stemmed(_ALPHANUMERIC.findall(piece.lower())))
        return tokens

    def _stemmed(self, words: list[str]) -> list[str]:
        if self._porter is None:
            return words
        stems = self._stems
        try:  # every word seen before: one comprehension, no Python-level branch per word
            out = [stems[word] for word in words]
        except KeyError:
            out = [self._stem(word) for word in words]
        return [token for token in out if token] if "" in out else out

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = word  # words of up to 3 characters are kept as they are
            if len(word) > 3:
                stem = str(self._porter.stem(word))
                stem = stem if self._valid(stem) else ""
            self._stems[word] = stem
        return stem

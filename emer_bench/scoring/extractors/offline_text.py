"""Tokens, quoted speech and sentences of an explanation, for the `offline` extractor.

A small regex tokenizer of our own (nltk's `word_tokenize` needs the punkt model, which we
may not download). Words keep inner hyphens and apostrophes ("double-crossed", "don't");
curly quotes and apostrophes are normalised first so that both spellings match.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Word = letters/digits with inner hyphens or apostrophes; anything else non-blank is one
# punctuation token.
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|\S")
_NORMALISE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                            "\u2014": " - ", "\u2013": "-", "\u00a0": " "})
SENTENCE_END = frozenset({".", "!", "?"})
# A quoted span of at most this many words names a term ("described as \"angry\""), not a
# line of speech, unless a speech cue introduces it ('the phrase "living happily"').
MAX_QUOTED_TERM_WORDS = 3
SPEECH_CUES = frozenset({":", ",", "say", "says", "said", "saying", "read", "reads", "reading", "ask",
                         "asks", "asked", "asking", "reply", "replies", "replied", "answer", "answers",
                         "answered", "shout", "shouts", "shouted", "exclaim", "exclaims", "exclaimed",
                         "mention", "mentions", "mentioned", "word", "words", "phrase", "phrases",
                         "line", "lines", "sentence", "subtitle", "subtitles", "utterance"})
# Marks that open/close quoted speech. Single quotes are not among them: they double as
# apostrophes ("the characters' voices").
_QUOTE_PAIRS = {'"': '"', "\u300c": "\u300d", "\u300e": "\u300f"}
_CLOSERS = frozenset(_QUOTE_PAIRS.values())


class Token(NamedTuple):  # a tuple: explanations have hundreds of tokens, built per call
    text: str  # lower-cased, normalised
    start: int  # character offsets in the normalised text
    end: int
    quoted: bool = False  # inside quoted speech (a subtitle), not the describer's own words
    sentence: int = 0  # index of the sentence the token belongs to

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def normalise(text: str) -> str:
    return text.translate(_NORMALISE)


def tokenize(text: str) -> list[Token]:
    """Tokens with their quoted flag and sentence index.

    Quoted speech is the character's line, not a description of the character ("I'm not
    angry!" says nothing about whether the describer thinks they are angry), so it is marked
    and the extractor ignores it. Sentence ends inside quotes do not end the outer sentence.
    """
    normalised = normalise(text)
    raw = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(normalised)]
    # An opening quote counts only if it is closed later in the text (a stray mark is not).
    last_at = {word: index for index, (word, _, _) in enumerate(raw) if word in _CLOSERS}
    tokens: list[Token] = []
    closing: str | None = None
    sentence = 0
    for index, (word, start, end) in enumerate(raw):
        if closing is not None and word == closing:
            tokens.append(Token(word, start, end, True, sentence))
            closing = None
            continue
        if closing is None and word in _QUOTE_PAIRS and last_at.get(_QUOTE_PAIRS[word], -1) > index:
            closing = _QUOTE_PAIRS[word]
            tokens.append(Token(word, start, end, True, sentence))
            continue
        tokens.append(Token(word.lower(), start, end, closing is not None, sentence))
        if closing is None and word in SENTENCE_END:
            sentence += 1
    return _unquote_short_terms(tokens)


def _unquote_short_terms(tokens: list[Token]) -> list[Token]:
    index = 0
    while index < len(tokens):
        if not tokens[index].quoted:
            index += 1
            continue
        end = index
        while end + 1 < len(tokens) and tokens[end + 1].quoted:
            end += 1
        # the span tokens[index..end] includes its two quote marks
        words = sum(1 for token in tokens[index:end + 1] if token.text[0].isalnum())
        cued = index > 0 and tokens[index - 1].text in SPEECH_CUES
        if words <= MAX_QUOTED_TERM_WORDS and not cued:
            tokens[index:end + 1] = [token._replace(quoted=False) for token in tokens[index:end + 1]]
        index = end + 1
    return tokens


def sentences(tokens: list[Token]) -> list[list[Token]]:
    """Tokens grouped by sentence, in order (empty sentences dropped)."""
    grouped: dict[int, list[Token]] = {}
    for token in tokens:
        grouped.setdefault(token.sentence, []).append(token)
    return [group for _, group in sorted(grouped.items())]

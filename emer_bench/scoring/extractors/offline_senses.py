"""Things, not people: vocabulary words that describe an object, a place or the weather.

Feeling words double as physical descriptions ("a warm room", "a cold beer", "the water
looks calm", "the content of the letter"). WordNet's lexicographer files say what a noun
names, so three general rules drop such uses, whatever the word:
1. Attributive: the word modifies the next word, a noun whose most frequent sense is a thing
   (THING_LEXNAMES: artifacts, food, substances, natural objects, phenomena, places, times):
   "a warm room", "a cold drink", "a wild storm", "a warm summer afternoon".
2. Predicative: the word follows a copula whose subject is such a noun: "the soup is still
   warm", "the water looks calm", "the weather is wild".
3. Noun use: after a determiner or a preposition and ending its phrase, the word is a noun;
   it counts only when one of its frequent noun senses is a state of mind
   (`WordSenses.is_mental_noun`): "a sense of calm" stays, "the content of the letter" goes.
4. After an indefinite pronoun the word describes that thing or person: "something
   unpleasant", "someone close to her".
People, body parts, voices, expressions and looks are not things: "a warm smile", "his voice
is calm", "nervous hands" keep their label.
"""

from __future__ import annotations

from typing import Protocol

from emer_bench.scoring.extractors.offline_frames import (
    _BEFORE_COPULA,
    COPULAS,
    DETERMINERS,
    EMOTION_HEADS,
    LIST_GLUE,
    MODIFIERS,
    PHRASE_ENDS,
)
from emer_bench.scoring.extractors.offline_text import Token
from emer_bench.scoring.extractors.offline_vocabulary import Mention

THING_LEXNAMES = frozenset({"noun.artifact", "noun.food", "noun.substance", "noun.object", "noun.phenomenon",
                            "noun.location", "noun.time", "noun.plant", "noun.shape", "noun.possession"})
# "something unpleasant", "someone close to her": an adjective after an indefinite pronoun
# describes that thing or that other person, not the character.
INDEFINITES = frozenset({"something", "anything", "everything", "nothing", "someone", "somebody", "anyone",
                         "anybody", "everyone", "everybody"})
# Words before a noun use: determiners and prepositions ("the content", "of content").
NOUN_OPENERS = DETERMINERS | frozenset({"of", "with", "in", "from", "for", "about", "into", "without", "by"})
# Never a head noun whatever WordNet says ("in" is also indium, "at" a Laotian coin).
FUNCTION_WORDS = PHRASE_ENDS | DETERMINERS | COPULAS | _BEFORE_COPULA | frozenset(
    {"he", "she", "they", "it", "i", "we", "you", "him", "her", "them", "me", "us", "not", "no", "still", "now",
     "then", "there", "here", "too", "all", "each", "both", "either", "neither", "one"})


class NounSenses(Protocol):
    def noun_class(self, word: str) -> str | None: ...

    def is_mental_noun(self, word: str) -> bool: ...


def _is_thing(word: str, senses: NounSenses) -> bool:
    if word in FUNCTION_WORDS or word in EMOTION_HEADS or not word[0].isalpha() or word.endswith("ly"):
        return False
    return senses.noun_class(word) in THING_LEXNAMES


def _modifies_thing(tokens: list[Token], mention: Mention, senses: NounSenses) -> bool:
    following = mention.last + 1
    return following < len(tokens) and not tokens[following].quoted and _is_thing(tokens[following].text, senses)


def _thing_subject(tokens: list[Token], mention: Mention, senses: NounSenses) -> bool:
    """Is the word the predicate of a copula whose subject names a thing?"""
    index = mention.first - 1
    while index >= 0 and (tokens[index].text in LIST_GLUE or tokens[index].text in MODIFIERS
                          or tokens[index].text in _BEFORE_COPULA and tokens[index].text not in COPULAS):
        index -= 1
    if index < 0 or tokens[index].text not in COPULAS:
        return False
    index -= 1
    while index >= 0 and tokens[index].text in _BEFORE_COPULA:
        index -= 1
    return index >= 0 and _is_thing(tokens[index].text, senses)


def _non_mental_noun(tokens: list[Token], mention: Mention, senses: NounSenses) -> bool:
    if mention.first == 0 or tokens[mention.first - 1].text not in NOUN_OPENERS:
        return False
    following = mention.last + 1
    if following < len(tokens) and tokens[following].text not in PHRASE_ENDS:
        return False  # "a calm manner": the word modifies the next one
    return not senses.is_mental_noun(tokens[mention.last].text)


def _after_indefinite(tokens: list[Token], mention: Mention) -> bool:
    return mention.first > 0 and tokens[mention.first - 1].text in INDEFINITES


def describes_thing(tokens: list[Token], mention: Mention, senses: NounSenses) -> bool:
    """True when the mention describes a thing, not a person's state (module docstring)."""
    return (_modifies_thing(tokens, mention, senses) or _thing_subject(tokens, mention, senses)
            or _non_mental_noun(tokens, mention, senses) or _after_indefinite(tokens, mention))

"""Emotion frames: is a vocabulary word used to describe the person's feelings here?

Many wheel words are polysemous ("open", "low", "certain", "slight", "content"). A word
whose frequent WordNet senses are feelings is accepted anywhere; any other vocabulary word
only inside a frame that attributes a state to the person:
- before an emotion head noun, possibly through a list: "a serious, earnest and thoughtful
  attitude", "in a relaxed manner", "a curious tone";
- after a feeling verb or an "X of" phrase: "feels surprised", "a sense of alertness",
  "a state of questioning or concern", "with a hint of teasing";
- after a copula whose subject is the person or an emotion noun: "she seems tense",
  "his expression is serious".
Lists propagate the frame: every element of "X, Y, and Z" shares it, and a word listed right
beside an accepted one is accepted too (answers that are bare lists: "happy, relaxed, content"). A frame word must end
its noun phrase ("experiencing a tense situation" describes the situation), and an -ing word
after a copula is a progressive verb ("she is speaking"); a word with neither an adjective
nor a noun reading in WordNet ("speaks") is a verb and never a frame word.
Never states, whatever WordNet says: the glue words of the frames themselves ("facial",
"emotional", the "sense" of "a sense of relief"), non-feeling -ly adverbs ("slightly open"), "a certain" (a determiner) and a
word right after a modality noun ("the subtitle content": a noun compound).
"""

from __future__ import annotations

from typing import Protocol

from emer_bench.scoring.extractors.offline_text import Token
from emer_bench.scoring.extractors.offline_vocabulary import Mention

EMOTION_HEADS = frozenset({"expression", "expressions", "attitude", "attitudes", "mood", "moods",
                           "emotion", "emotions", "feeling", "feelings", "state", "states", "manner",
                           "demeanor", "demeanour", "tone", "tones", "look", "looks", "reaction",
                           "response", "sentiment", "disposition", "temperament", "mindset",
                           "mentality", "vibe"})
# Words that may stand between a frame word and the vocabulary word without breaking it.
LIST_GLUE = frozenset({",", "and", "or", "as", "well", "also", "even"})
# What may stand between two items of one list.
LIST_JOINERS = frozenset({",", "and", "or", "/", ";"})
DETERMINERS = frozenset({"a", "an", "some", "his", "her", "their", "its", "the", "this", "that"})
MODIFIERS = frozenset({"very", "quite",
                       "rather", "somewhat", "slightly", "bit", "little", "more", "most", "extremely",
                       "highly", "deeply", "strong", "strongly", "great", "certain", "sort", "kind",
                       "facial", "vocal", "overall", "emotional", "inner", "general", "obvious",
                       "obviously", "clearly", "clear", "visible", "subtle", "mild", "too",
                       "so", "particularly", "especially", "increasingly", "much", "hint", "touch"})
FEELING_VERBS = frozenset({"feel", "feels", "felt", "feeling", "sense", "senses", "sensed",
                           "express", "expresses", "expressed", "expressing", "show", "shows", "showed",
                           "showing", "shown", "display", "displays", "displayed", "displaying",
                           "convey", "conveys", "conveyed", "conveying", "reveal", "reveals",
                           "revealed", "revealing", "exhibit", "exhibits", "exhibited", "exhibiting",
                           "reflect", "reflects", "reflected", "reflecting", "become", "becomes",
                           "became", "becoming", "experience", "experiences", "experienced",
                           "experiencing"})
OF_NOUNS = frozenset({"sense", "state", "hint", "tone", "mood", "feeling", "feelings", "emotion",
                      "emotions", "expression", "air", "look", "touch", "trace", "full", "mix",
                      "mixture", "signs", "sign", "kind", "mixed", "filled", "attitude", "level",
                      "degree"})
# What may follow a word that ends its noun phrase ("feels surprised, ..." / "a sense of
# doubt about ..."); any other word means the vocabulary word only modifies a noun that is
# not a feeling ("experiencing a tense situation").
PHRASE_ENDS = frozenset({",", ".", ";", ":", "!", "?", ")", "-", "and", "or", "but", "about",
                         "towards", "toward", "to", "at", "with", "in", "on", "of", "for", "from",
                         "when", "while", "as", "because", "since", "that", "which", "after",
                         "before", "during", "than", "by", "over", "upon", "if", "so"})
COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "being", "seems", "seem", "seemed",
                     "appears", "appear", "appeared", "looks", "look", "looked", "remains", "remain",
                     "remained", "sounds", "sound", "sounded", "gets", "got", "grows", "grew"})
PERSON_SUBJECTS = frozenset({"he", "she", "they", "i", "we", "you", "character", "man", "woman",
                             "person", "lady", "girl", "boy", "guy", "speaker", "individual",
                             "himself", "herself", "protagonist", "mother", "father", "doctor"})
# Between subject and copula or copula and word: modals, auxiliaries, hedging adverbs.
AUXILIARIES = frozenset({"may", "might", "could", "can", "would", "will", "must", "should", "be",
                         "to", "also", "still", "probably", "possibly", "clearly", "obviously",
                         "quite", "very", "rather", "somewhat", "likely", "seems", "appears",
                         "seem", "appear", "become", "becomes", "a", "bit", "little",
                         "slightly", "more", "even", "always", "already", "evidently", "apparently"})
_BEFORE_COPULA = AUXILIARIES | COPULAS
FRAME_REACH = 8  # tokens scanned on each side of a word
# "a certain question": the word is a determiner here, not a state.
DETERMINER_USES = frozenset({("a", "certain"), ("an", "certain")})
# "the subtitle content", "the video context": after a modality noun the word is the head of
# a noun compound, not a state of the person.
COMPOUND_MODIFIERS = frozenset({"subtitle", "subtitles", "text", "video", "audio", "speech",
                                "dialogue", "image", "visual", "acoustic"})


class WordSenses(Protocol):
    """What the frames need to know about a word (WordNetSenses in production)."""

    def is_affective(self, word: str) -> bool: ...

    def is_nominal(self, word: str) -> bool: ...


def _skippable(token: Token, covered: set[int], index: int) -> bool:
    """List glue, adverbs and adjectival modifiers; NOT determiners, which open a new noun
    phrase ("determine | the emotional state" is a verb and its object)."""
    return (index in covered or token.text in LIST_GLUE or token.text in MODIFIERS
            or token.text.endswith("ly"))


def _head_follows(tokens: list[Token], mention: Mention, covered: set[int]) -> bool:
    for index in range(mention.last + 1, min(len(tokens), mention.last + 1 + FRAME_REACH)):
        token = tokens[index]
        if token.text in EMOTION_HEADS and index not in covered:
            return True
        if not _skippable(token, covered, index):
            return False
    return False


def _ends_phrase(tokens: list[Token], mention: Mention, covered: set[int]) -> bool:
    following = mention.last + 1
    return (following >= len(tokens) or following in covered
            or tokens[following].text in PHRASE_ENDS or tokens[following].text in EMOTION_HEADS)


def _trigger_precedes(tokens: list[Token], mention: Mention, covered: set[int]) -> bool:
    if not _ends_phrase(tokens, mention, covered):
        return False
    index = mention.first - 1
    stop = max(-1, mention.first - 1 - FRAME_REACH)
    while index > stop:
        token = tokens[index]
        word = token.text
        if word in FEELING_VERBS:
            return True
        if word in ("of", "with") and index > 0 and tokens[index - 1].text in OF_NOUNS:
            return True
        if word in COPULAS:
            # "she is speaking": after a copula an -ing word is a progressive verb, not a state
            return not tokens[mention.last].text.endswith("ing") and _subject_is_person(tokens, index)
        if not (_skippable(token, covered, index) or word in AUXILIARIES or word in DETERMINERS):
            return False
        index -= 1
    return False


def _subject_is_person(tokens: list[Token], copula: int) -> bool:
    index = copula - 1
    while index >= 0 and tokens[index].text in _BEFORE_COPULA:
        index -= 1
    if index < 0:
        return False
    subject = tokens[index].text
    return subject in PERSON_SUBJECTS or subject in EMOTION_HEADS


def framed_mentions(tokens: list[Token], mentions: list[Mention], senses: WordSenses) -> list[Mention]:
    """The mentions that describe a feeling: affective words, others inside a frame, and
    words listed right beside an accepted one ("happy, relaxed, content")."""
    covered = {position for mention in mentions for position in range(mention.first, mention.last + 1)}
    accepted: list[bool] = []
    candidates: list[bool] = []  # could be a state if something licenses it
    for mention in mentions:
        before = tokens[mention.first - 1].text if mention.first > 0 else ""
        last_word = tokens[mention.last].text
        after = tokens[mention.last + 1].text if mention.last + 1 < len(tokens) else ""
        if ((before, tokens[mention.first].text) in DETERMINER_USES or before in COMPOUND_MODIFIERS
                or mention.label in MODIFIERS or mention.label in DETERMINERS
                or (last_word in OF_NOUNS and after in ("of", "with"))):
            accepted.append(False)  # frame glue ("facial", "overall") is never itself the state
            candidates.append(False)
        elif senses.is_affective(mention.label):
            accepted.append(True)
            candidates.append(True)
        elif last_word.endswith("ly") or not senses.is_nominal(last_word):
            # a non-feeling adverb ("slightly") modifies the next word; a word with only a verb
            # reading ("and speaks") is an action: frames attribute adjectives and nouns
            accepted.append(False)
            candidates.append(False)
        else:
            accepted.append(_head_follows(tokens, mention, covered) or _trigger_precedes(tokens, mention, covered))
            candidates.append(True)
    _propagate_through_lists(tokens, mentions, accepted, candidates)
    return [mention for mention, keep in zip(mentions, accepted) if keep]


def _propagate_through_lists(tokens: list[Token], mentions: list[Mention], accepted: list[bool],
                             candidates: list[bool]) -> None:
    """Accept candidates joined to an accepted neighbour by list glue only (both directions)."""
    changed = True
    while changed:
        changed = False
        for index in range(len(mentions) - 1):
            left, right = mentions[index], mentions[index + 1]
            between = tokens[left.last + 1:right.first]
            if not between or not all(token.text in LIST_JOINERS for token in between):
                continue
            for one, other in ((index, index + 1), (index + 1, index)):
                if accepted[one] and candidates[other] and not accepted[other]:
                    accepted[other] = changed = True

"""Finding emotion-wheel vocabulary in a token sequence, for the `offline` extractor.

The vocabulary is every surface form the EW resources can map (the keys of the form map,
which also cover every synonym-map key). Longest match wins, so "at a loss for words" is
one mention, not "loss" + "words". A word that is not itself a surface form is looked up by
its WordNet lemmas ("angrier" -> "angry", "surprisingly" -> "surprising" via the adverb's
pertainym), memoised per distinct word because explanations reuse few words. WordNet also
says which words are primarily feelings (`WordNetSenses.is_affective`), which the frame
rules use to tell "a sad voice" from "a low voice".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from emer_bench.scoring.extractors.offline_text import Token, normalise, tokenize

Lemmatizer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Mention:
    """A vocabulary form found at tokens[first:last+1]."""

    label: str  # the vocabulary form (lemma when the surface form was inflected)
    first: int
    last: int


# WordNet lexicographer files of feelings: a word is "affective" when one of its most
# frequent senses is filed there, directly or through the noun/verb it derives from
# ("happy" -> happiness, "nervous" -> jitteriness, "angrily" -> angry -> anger).
AFFECT_LEXNAMES = frozenset({"noun.feeling", "verb.emotion"})
SENSES_CONSIDERED = 2  # per part of speech; WordNet lists senses by frequency
# Noun senses that can be a state of mind. A noun whose frequent senses are none of these
# names a thing ("the content of the letter"), and a derivation landing on such a sense
# ("contains" -> contain -> content = what is contained) is not the feeling of that name.
MENTAL_NOUN_LEXNAMES = frozenset({"noun.feeling", "noun.state", "noun.attribute", "noun.cognition",
                                  "noun.motive"})


class WordNetSenses:
    """Lemma candidates and affectiveness of words, from WordNet (memoised per word)."""

    def __init__(self) -> None:
        from emer_bench.resources.nltk_lean import import_nltk
        from emer_bench.resources.wordnet_setup import ensure_wordnet

        import_nltk()
        from nltk.corpus import wordnet

        ensure_wordnet()
        wordnet.ensure_loaded()  # the one slow step (seconds), paid here and not mid-extraction
        self._wn = wordnet
        self._lemma_cache: dict[str, list[str]] = {}
        self._affect_cache: dict[str, bool] = {}
        self._nominal_cache: dict[str, bool] = {}
        self._noun_class_cache: dict[str, str | None] = {}

    def lemmas(self, word: str) -> list[str]:
        """WordNet base forms per part of speech, then the adjectives an adverb derives from."""
        cached = self._lemma_cache.get(word)
        if cached is None:
            cached = self._lemma_cache[word] = self._lemmas(word)
        return cached

    __call__ = lemmas  # usable wherever a Lemmatizer is expected

    def _lemmas(self, word: str) -> list[str]:
        wn = self._wn
        found: list[str] = []
        for pos in (wn.ADJ, wn.NOUN, wn.VERB, wn.ADV):
            lemma = wn.morphy(word, pos)
            if lemma and lemma != word and lemma not in found:
                found.append(lemma)
        if word.endswith("ly"):
            for lemma in self._own_lemmas(word, wn.ADV):
                for adjective in lemma.pertainyms():
                    name = adjective.name().replace("_", " ")
                    if name not in found:
                        found.append(name)
        # Derivations last ("tension" -> "tense"), only between words sharing their stem:
        # WordNet also links words of one meaning but different roots ("speech" -> "speak").
        for lemma in self._own_lemmas(word):
            for other in lemma.derivationally_related_forms():
                name = other.name().replace("_", " ").lower()
                if other.synset().pos() == "n" and other.synset().lexname() not in MENTAL_NOUN_LEXNAMES:
                    continue
                if name not in found and name != word and _same_stem(word, name):
                    found.append(name)
        return found

    def _own_lemmas(self, word: str, pos: str | None = None) -> list[Any]:  # nltk Lemma objects
        """The WordNet lemmas spelled like `word` (after morphology) in its top senses."""
        wn = self._wn
        key = word.replace(" ", "_")
        result = []
        for part in ((pos,) if pos else (wn.NOUN, wn.VERB, wn.ADJ, wn.ADV)):
            synsets = wn.synsets(key, pos=part)
            if part == wn.ADJ:  # satellites are adjectives too; keep frequency order
                synsets = [s for s in synsets if s.pos() in ("a", "s")]
            base = {key} | {wn.morphy(key, part) or key}
            for synset in synsets[:SENSES_CONSIDERED]:
                result += [lemma for lemma in synset.lemmas() if lemma.name().lower() in base]
        return result

    def is_nominal(self, word: str) -> bool:
        """Has an adjective or noun reading ("speaks" has neither: a verb, not a state)."""
        cached = self._nominal_cache.get(word)
        if cached is None:
            wn = self._wn
            key = word.replace(" ", "_")
            cached = self._nominal_cache[word] = bool(wn.synsets(key, pos=wn.ADJ) or wn.synsets(key, pos=wn.NOUN))
        return cached

    def noun_class(self, word: str) -> str | None:
        """WordNet lexicographer file of the most frequent noun sense ("room" -> noun.artifact),
        None for a word without a noun reading."""
        cached = self._noun_class_cache.get(word, "")
        if cached == "":
            wn = self._wn
            synsets = wn.synsets(word.replace(" ", "_"), pos=wn.NOUN)
            cached = self._noun_class_cache[word] = synsets[0].lexname() if synsets else None
        return cached

    def is_mental_noun(self, word: str) -> bool:
        """As a noun, can `word` be a state of mind (MENTAL_NOUN_LEXNAMES, or a noun reading
        derived from a feeling)? True for a word without a noun reading (nothing to say)."""
        wn = self._wn
        synsets = wn.synsets(word.replace(" ", "_"), pos=wn.NOUN)[:SENSES_CONSIDERED]
        if not synsets or any(s.lexname() in MENTAL_NOUN_LEXNAMES for s in synsets):
            return True
        return any(other.synset().lexname() in AFFECT_LEXNAMES
                   for s in synsets for lemma in s.lemmas() for other in lemma.derivationally_related_forms())

    def is_affective(self, word: str) -> bool:
        """True when a frequent sense of `word` is a feeling (see AFFECT_LEXNAMES)."""
        cached = self._affect_cache.get(word)
        if cached is None:
            cached = self._affect_cache[word] = self._affective(word)
        return cached

    def _affective(self, word: str) -> bool:
        if " " in word:
            return True  # multi-word forms of the wheel are idioms of feeling ("ill at ease")
        adjective = _adjective_of_adverb(word)
        if adjective is not None and self._wn.synsets(adjective, pos=self._wn.ADJ) \
                and self._affective(adjective):
            return True  # "cheerfully": WordNet's pertainym link is missing or odd
        for lemma in self._own_lemmas(word):
            if lemma.synset().lexname() in AFFECT_LEXNAMES:
                return True
            related = lemma.derivationally_related_forms() + lemma.pertainyms()
            if lemma.synset().pos() in ("a", "s", "r"):
                related += [attribute.lemmas()[0] for attribute in lemma.synset().attributes()]
            for other in related:
                if other.synset().lexname() in AFFECT_LEXNAMES:
                    return True
                # an adverb's adjective may itself derive from a feeling noun
                if lemma.synset().pos() == "r" and self._derives_from_feeling(other):
                    return True
        return False

    @staticmethod
    def _derives_from_feeling(lemma: Any) -> bool:
        return any(other.synset().lexname() in AFFECT_LEXNAMES
                   for other in lemma.derivationally_related_forms())


# Adverb formation, undone: "happily" -> "happy", "ably" -> "able", "cheerfully" -> "cheerful".
_ADVERB_ENDINGS = (("ily", "y"), ("ably", "able"), ("ibly", "ible"), ("ally", "al"), ("ly", ""))


def _adjective_of_adverb(word: str) -> str | None:
    for ending, replacement in _ADVERB_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + replacement
    return None


def _same_stem(first: str, second: str) -> bool:
    """Share a prefix of at least 4 letters and of most of the shorter word."""
    shared = 0
    for a, b in zip(first, second):
        if a != b:
            break
        shared += 1
    return shared >= max(4, min(len(first), len(second)) - 3)


class VocabularyMatcher:
    """Longest-match lookup of multi-word vocabulary forms, with a lemma fallback."""

    def __init__(self, vocabulary: Iterable[str], lemmatize: Lemmatizer | None = None) -> None:
        # Forms are matched on our own tokenization, so a form like "ill-at-ease" or
        # "don’t care" is stored as the token tuple that text would produce.
        self._forms: dict[tuple[str, ...], str] = {}
        for form in vocabulary:
            key = tuple(token.text for token in tokenize(normalise(form)))
            if key:
                self._forms.setdefault(key, form)
        self._longest = max((len(key) for key in self._forms), default=0)
        self._phrase_starts = {key[0] for key in self._forms if len(key) > 1}
        self._lemmatize = lemmatize
        self._single: dict[str, str | None] = {}  # word -> its form (directly or by a lemma)

    def find(self, tokens: list[Token]) -> list[Mention]:
        """Mentions in order; quoted tokens and punctuation never start or join one."""
        mentions: list[Mention] = []
        index = 0
        while index < len(tokens):
            mention = self._match_at(tokens, index)
            if mention is None:
                index += 1
                continue
            mentions.append(mention)
            index = mention.last + 1
        return mentions

    def _match_at(self, tokens: list[Token], index: int) -> Mention | None:
        first = tokens[index]
        if first.quoted or not first.text[0].isalnum():
            return None
        if first.text in self._phrase_starts:
            for length in range(min(self._longest, len(tokens) - index), 1, -1):
                window = tokens[index:index + length]
                if any(token.quoted for token in window):
                    continue
                label = self._forms.get(tuple(token.text for token in window))
                if label is not None:
                    return Mention(label, index, index + length - 1)
        label = self.single_word_form(first.text)
        return None if label is None else Mention(label, index, index)

    def single_word_form(self, word: str) -> str | None:
        """The vocabulary form of one word: itself, else its first lemma that is a form."""
        if word in self._single:
            return self._single[word]
        label = self._forms.get((word,))
        if label is None and self._lemmatize is not None:
            label = next((self._forms[(lemma,)] for lemma in self._lemmatize(word) if (lemma,) in self._forms), None)
        self._single[word] = label
        return label

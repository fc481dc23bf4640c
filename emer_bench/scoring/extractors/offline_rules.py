"""The linguistic rules of the `offline` extractor (general rules, no per-clip word lists).

1. Negation scope: a negator ("not", "no", "never", "without", "-n't", "lack of", "absence
   of", "rather than", "instead of", ...) cancels the emotion words after it up to the end of
   its clause (punctuation, a contrastive or subordinating conjunction, or a new clause
   subject after "and"). "not only" is not a negation.
2. Unasserted content: words inside a "whether"/"if" clause are not attributed ("it is
   unclear whether she is angry").
3. Concluding statement: explanations end with a synthesis ("Based on ..., we can infer
   that ...", "Therefore, ..."). The concluding zone starts at the first sentence that carries
   an inference or summary marker after the last sentence that opens a new modality
   ("In the audio, ..."); when the zone names emotions, only the zone is used.
4. Claims over evidence: in "Based on <cues>, we can infer that <claim>" the cues restate
   the observations (a "low voice", an "excited tone"); within the concluding zone the
   claims are used when they name emotions.
5. Main character: an emotion word in a clause about the other person ("to make the other
   person feel at ease", "the listener's surprise") is not the character's own state.
6. Category words ("emotion", "feeling", "mood", ...) name the category, not a state.
"""

from __future__ import annotations

from typing import Protocol

from emer_bench.scoring.extractors.offline_text import Token

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "none", "nothing",
                      "hardly", "barely", "cannot", "impossible", "unable",
                      # verbs of absence negate their object ("her face lacks any joy")
                      "lack", "lacks", "lacked", "lacking"})
# Two-word negators: the first word alone is not a negation ("lack" of what?).
NEGATING_PHRASES = frozenset({("lack", "of"), ("lacks", "of"), ("absence", "of"), ("absent", "of"),
                              ("free", "of"), ("free", "from"), ("devoid", "of"), ("rather", "than"),
                              ("instead", "of"), ("no", "longer"), ("far", "from")})
# Clause boundaries that end a negation's scope.
SCOPE_END_PUNCT = frozenset({",", ";", ":", "(", ")", ".", "!", "?", "-"})
SCOPE_END_WORDS = frozenset({"but", "however", "yet", "although", "though", "while", "whereas",
                             "instead", "which", "who", "because", "since", "so", "then"})
# After "and"/"or", one of these starts a new clause ("no anger, and she smiles" / "... and he").
CLAUSE_SUBJECTS = frozenset({"he", "she", "they", "it", "i", "we", "you", "his", "her", "their",
                             "the", "this", "that", "there"})
NEGATION_REACH = 10  # tokens; a negator does not reach further even without a boundary
UNASSERTING = frozenset({"whether", "if", "unless"})
CATEGORY_WORDS = frozenset({"emotion", "emotions", "emotional", "emotionally", "feeling", "feelings",
                            "mood", "moods", "affect", "sentiment", "sentiments"})
INFERENCE_MARKERS = frozenset({"therefore", "thus", "hence", "overall", "infer", "inferred",
                               "deduce", "deduced", "conclude", "concluded", "summary",
                               "conclusion", "summarize", "summarise", "combining", "considering"})
INFERENCE_PHRASES = frozenset({("based", "on"), ("taking", "into"), ("sum", "up"), ("all", "in"),
                               ("taken", "together")})
MODALITY_OPENERS = frozenset({"video", "audio", "text", "subtitle", "visual", "acoustic", "image",
                              "images", "speech", "voice", "transcript"})


def _is_negator(tokens: list[Token], index: int) -> bool:
    word = tokens[index].text
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    if word == "not" and following == "only":
        return False
    if word in NEGATORS or word.endswith("n't"):
        return True
    return (word, following) in NEGATING_PHRASES


def _ends_scope(tokens: list[Token], index: int) -> bool:
    word = tokens[index].text
    if word in SCOPE_END_PUNCT or word in SCOPE_END_WORDS:
        return True
    if word in ("and", "or") and index + 1 < len(tokens):
        return tokens[index + 1].text in CLAUSE_SUBJECTS
    return False


def negated_positions(tokens: list[Token]) -> set[int]:
    """Indices of tokens inside the scope of a negation (or an unasserted clause)."""
    negated: set[int] = set()
    for index, token in enumerate(tokens):
        if token.quoted:
            continue
        if not (_is_negator(tokens, index) or token.text in UNASSERTING):
            continue
        for position in range(index + 1, min(len(tokens), index + 1 + NEGATION_REACH)):
            if _ends_scope(tokens, position):
                break
            negated.add(position)
    return negated


def _starts_modality(sentence: list[Token]) -> bool:
    """"In the audio, ..." / "In terms of the video clues" / "The subtitle reads": the
    sentence opens a description of one modality."""
    head = [token.text for token in sentence[:6]]
    return bool(head) and head[0] in ("in", "the", "from", "regarding", "as") and any(
        word in MODALITY_OPENERS for word in head[1:4])


def _has_inference_marker(sentence: list[Token]) -> bool:
    words = [token.text for token in sentence if not token.quoted]
    if any(word in INFERENCE_MARKERS for word in words):
        return True
    return any(pair in INFERENCE_PHRASES for pair in zip(words, words[1:]))


def concluding_zone_start(sentences: list[list[Token]]) -> int | None:
    """Index of the sentence where the concluding zone starts, or None when there is none."""
    last_modality = -1
    for index, sentence in enumerate(sentences):
        if _starts_modality(sentence):
            last_modality = index
    for index in range(last_modality + 1, len(sentences)):
        if _has_inference_marker(sentences[index]):
            return index
    return None


EVIDENCE_OPENERS = frozenset({("based", "on"), ("taking", "into"), ("judging", "from"),
                              ("in", "light"), ("according", "to"), ("combined", "with"),
                              ("combining",), ("considering",), ("given",)})
# "<cues>, we can infer ..." / "it can be inferred" / "... suggests that": the claim begins.
CLAIM_SUBJECTS = frozenset({"we", "it", "one", "i", "he", "she", "they", "this"})
CLAIM_VERBS = frozenset({"infer", "inferred", "deduce", "deduced", "conclude", "concluded",
                         "speculate", "speculated", "suggests", "suggest", "indicates", "indicate",
                         "shows", "show", "reveals", "implies", "means"})


def _opens_evidence(tokens: list[Token], index: int) -> bool:
    word = tokens[index].text
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    return (word,) in EVIDENCE_OPENERS or (word, following) in EVIDENCE_OPENERS


def _claim_starts(tokens: list[Token], index: int) -> bool:
    word = tokens[index].text
    if word in CLAIM_VERBS or word in SENTENCE_MARKS:
        return True
    previous = tokens[index - 1].text if index > 0 else ""
    return previous == "," and word in CLAIM_SUBJECTS


SENTENCE_MARKS = frozenset({".", "!", "?"})


def evidence_positions(tokens: list[Token]) -> set[int]:
    """Indices of tokens inside an evidence phrase ("Based on ..." up to the claim)."""
    evidence: set[int] = set()
    index = 0
    while index < len(tokens):
        if tokens[index].quoted or not _opens_evidence(tokens, index):
            index += 1
            continue
        position = index
        while position < len(tokens) and not _claim_starts(tokens, position):
            evidence.add(position)
            position += 1
        index = position + 1
    return evidence


# Phrases naming someone other than the described character.
OTHER_PERSON = frozenset({("other", "person"), ("other", "person's"), ("other", "party"),
                          ("other", "party's"), ("other", "people"), ("other", "people's"),
                          ("others",), ("others'",), ("interlocutor",), ("interlocutor's",),
                          ("listener",), ("listener's",), ("listeners",), ("someone", "else"),
                          ("someone", "else's"), ("audience",), ("audience's",)})
OTHER_PERSON_REACH = 8  # tokens before an emotion word within its clause
# "his friend", "her mother", "the other man": a possessive (or "other") before a noun naming
# a person (WordNet noun.person) is someone related to the character, not the character.
RELATING_WORDS = frozenset({"his", "her", "their", "my", "your", "our", "other", "another"})


class PersonSenses(Protocol):
    def noun_class(self, word: str) -> str | None: ...


def _names_other_person(tokens: list[Token], index: int, senses: PersonSenses | None) -> bool:
    word = tokens[index].text
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    if (word,) in OTHER_PERSON or (word, following) in OTHER_PERSON:
        return True
    return (senses is not None and word in RELATING_WORDS and following.isalpha()
            and senses.noun_class(following) == "noun.person")


def about_other_person(tokens: list[Token], first: int, senses: PersonSenses | None = None) -> bool:
    """True when the clause before token `first` is about someone other than the character."""
    for index in range(first - 1, max(-1, first - 1 - OTHER_PERSON_REACH), -1):
        if _ends_scope(tokens, index):
            return False
        if _names_other_person(tokens, index, senses):
            return True
    return False

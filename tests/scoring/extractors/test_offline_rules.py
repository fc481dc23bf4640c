"""Negation scope, concluding zone, evidence and other-person rules of the `offline` extractor."""

from __future__ import annotations

from emer_bench.scoring.extractors.offline_rules import (about_other_person, concluding_zone_start,
                                                         evidence_positions, negated_positions)
from emer_bench.scoring.extractors.offline_text import sentences, tokenize


def _negated_words(text: str) -> list[str]:
    tokens = tokenize(text)
    return [tokens[i].text for i in sorted(negated_positions(tokens)) if tokens[i].text[0].isalnum()]


def test_negation_scope_ends_at_the_clause() -> None:
    assert _negated_words("No anger, but joy.") == ["anger"]
    assert _negated_words("He is not sad and she is happy.") == ["sad"]  # "and" + a new subject
    assert _negated_words("without nervousness or unease") == ["nervousness", "or", "unease"]
    assert _negated_words("He is happy rather than sad.") == ["than", "sad"]
    assert _negated_words("He is not only angry.") == []
    assert _negated_words('She said "not angry" happily.') == []  # quoted negators do not count


def test_negation_reach_is_bounded() -> None:
    words = "not " + " ".join(["very"] * 12) + " happy"
    assert "happy" not in _negated_words(words)


def test_unasserted_clauses() -> None:
    assert _negated_words("It is unclear whether she is angry.") == ["she", "is", "angry"]


def test_the_concluding_zone_follows_the_last_modality_section() -> None:
    text = ("Therefore the video starts. In the video, he smiles. In the audio, it is loud. "
            "He looks around. Based on these clues, we can infer that he is happy. He leaves.")
    grouped = sentences(tokenize(text))
    start = concluding_zone_start(grouped)
    assert start is not None and grouped[start][0].text == "based"
    assert concluding_zone_start(sentences(tokenize("He smiles. He is happy."))) is None


def test_a_modality_sentence_is_not_a_conclusion_even_with_a_marker() -> None:
    grouped = sentences(tokenize("In the video, he smiles. In the text, we cannot infer anything."))
    assert concluding_zone_start(grouped) is None


def test_evidence_runs_to_the_claim() -> None:
    tokens = tokenize("Based on his loud voice, we can infer that he is angry.")
    evidence = [tokens[i].text for i in sorted(evidence_positions(tokens))]
    assert evidence == ["based", "on", "his", "loud", "voice", ","]


def test_other_person_clauses() -> None:
    tokens = tokenize("She wants the other person to feel calm, and she is happy.")
    calm = [t.text for t in tokens].index("calm")
    happy = [t.text for t in tokens].index("happy")
    assert about_other_person(tokens, calm) and not about_other_person(tokens, happy)

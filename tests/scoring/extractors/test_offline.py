"""The `offline` extractor end to end: real emotion-wheel vocabulary, real WordNet."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import ResourceError
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.registries import EXTRACTORS
from emer_bench.scoring.extractors.offline import OfflineExtractor, OfflineExtractorArgs

CONCLUSION = ("In the video, the man smiles and looks happy. In the audio, his voice is calm. "
              "Therefore, it can be inferred that his emotional state is angry and worried.")


def _one(extractor: OfflineExtractor, text: str) -> list[str]:
    return extractor.extract([text])[0]


@pytest.mark.parametrize("text, labels", [
    ("There is no sign of anger in his face.", []),
    ("She is not happy.", []),
    ("He answered without any fear.", []),
    ("She doesn't seem worried.", []),
    ("He seems sad rather than angry.", ["sad"]),
    ("He isn't angry; he is happy.", ["happy"]),  # the clause boundary ends the negation
    ("She shows no signs of nervousness or unease, and she smiles.", []),  # "or" stays in scope
    ("He is not only angry but also sad.", ["angry", "sad"]),  # "not only" does not negate
])
def test_negation(offline_extractor: OfflineExtractor, text: str, labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


@pytest.mark.parametrize("text, labels", [
    ("He may feel sad.", ["sad"]),  # hedged attributions are still attributions
    ("She is possibly a little nervous.", ["nervous"]),
    ("It is unclear whether she is angry.", []),  # not asserted at all
    ("We cannot determine whether he is happy or sad.", []),
])
def test_hedging(offline_extractor: OfflineExtractor, text: str, labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


def test_the_concluding_statement_wins(offline_extractor: OfflineExtractor) -> None:
    assert _one(offline_extractor, CONCLUSION) == ["angry", "worried"]


def test_without_emotions_in_the_conclusion_the_whole_text_counts(offline_extractor: OfflineExtractor) -> None:
    text = ("In the video, the man smiles and looks happy. In the audio, his voice is loud. "
            "Based on these clues, we cannot determine his emotional state.")
    assert _one(offline_extractor, text) == ["happy"]


def test_claims_over_evidence(offline_extractor: OfflineExtractor) -> None:
    text = "Based on his excited tone and tense posture, it can be inferred that he feels sad."
    assert _one(offline_extractor, text) == ["sad"]


@pytest.mark.parametrize("text, labels", [
    ("She feels ill at ease.", ["ill at ease"]),
    ("He was at a loss for words.", ["at a loss for words"]),  # longest form, not "at a loss"
])
def test_multi_word_forms(offline_extractor: OfflineExtractor, text: str, labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


def test_inflected_forms_come_back_as_vocabulary_forms(offline_extractor: OfflineExtractor, wheel_dir: Path) -> None:
    vocabulary = load_wheel_tables(wheel_dir).vocabulary
    assert "furiously" not in vocabulary and "tenser" not in vocabulary
    assert _one(offline_extractor, "She shouted furiously at him.") == ["furious"]  # adverb -> adjective
    assert _one(offline_extractor, "He is worried and speaks angrily.") == ["worried", "angrily"]


@pytest.mark.parametrize("text, labels", [
    ('The subtitle reads: "I am so angry with you, really!" She smiles cheerfully.', ["cheerfully"]),
    ('The character\'s emotion is "angry".', ["angry"]),  # a quoted term, not speech
    ("His emotional state is complex.", []),  # category words are not states
    ("She hopes to make the other person feel calm.", ["hopes"]),  # the other person's state
    ("His mouth is slightly open and his gaze is fixed on a certain place.", []),
    ("She displays a serious and thoughtful attitude.", ["serious", "thoughtful"]),
    ("There is a hint of teasing in her voice.", ["teasing"]),
    ("She is experiencing a tense situation.", []),
    ("The subtitle content is short.", []),
])
def test_only_states_of_the_person(offline_extractor: OfflineExtractor, text: str, labels: list[str]) -> None:
    assert _one(offline_extractor, text) == labels


@pytest.mark.parametrize("answer", ["[happy, relaxed, serious]", "happy, relaxed, serious",
                                    "Emotions: happy, relaxed and serious."])
def test_label_list_answers(offline_extractor: OfflineExtractor, answer: str) -> None:
    assert _one(offline_extractor, answer) == ["happy", "relaxed", "serious"]


def test_empty_texts_and_order(offline_extractor: OfflineExtractor) -> None:
    assert offline_extractor.extract(["", "   ", "He is happy.", "\n"]) == [[], [], ["happy"], []]
    assert offline_extractor.extract([]) == []


def test_every_label_is_a_vocabulary_form(offline_extractor: OfflineExtractor, wheel_dir: Path,
                                          emer_data_dir: Path) -> None:
    vocabulary = load_wheel_tables(wheel_dir).vocabulary
    with (emer_data_dir / "emer_fine_descriptions.csv").open(encoding="utf-8", newline="") as handle:
        texts = [row["english"] for row in csv.DictReader(handle)][:40]
    extracted = offline_extractor.extract(texts)
    # the reference descriptions name emotions, except one that only says the man "has encountered
    # something unpleasant" (a thing, not his state) and "is contemplating a solution"
    assert sum(1 for labels in extracted if not labels) <= 1
    assert {label for labels in extracted for label in labels} <= vocabulary


def test_registered_with_typed_args(offline_context: ScoringContext, wheel_dir: Path) -> None:
    assert EXTRACTORS.get("offline") is OfflineExtractor
    with pytest.raises(ValueError, match="extra"):
        OfflineExtractorArgs(resource_dir=str(wheel_dir))  # misspelt key rejected
    explicit = OfflineExtractor(OfflineExtractorArgs(resources_dir=wheel_dir), ScoringContext())
    assert explicit.resources().directory == wheel_dir.resolve()
    described = OfflineExtractor(OfflineExtractorArgs(), offline_context).describe()
    assert described["extractor"] == "offline" and described["resources_dir"] == str(wheel_dir.resolve())


def test_missing_resources_are_a_resource_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMER_BENCH_RESOURCES", raising=False)
    monkeypatch.setenv("EMER_BENCH_CACHE", str(tmp_path / "cache"))
    extractor = OfflineExtractor(OfflineExtractorArgs(), ScoringContext())
    with pytest.raises(ResourceError, match="emotion-wheel resources not found"):
        extractor.extract(["He is happy."])
    missing = tmp_path / "nowhere"
    with pytest.raises(ResourceError, match=str(missing)):
        OfflineExtractor(OfflineExtractorArgs(resources_dir=missing), ScoringContext()).extract(["x"])

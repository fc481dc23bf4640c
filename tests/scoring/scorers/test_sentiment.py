"""`sentiment`: MER-UniBench's rule for MOSI/MOSEI/SIMS/SIMSv2 (non-zero references, binary
weighted F1 / accuracy) with each mapper."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import ConfigError
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.sentiment import (
    SENTIMENT_PROMPT,
    SentimentArgs,
    SentimentScorer,
    binary_scores,
    sentiment_prompt,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripted_llm import scripted_llm, tool_context  # noqa: E402,F401 (fixtures)


def item(clip: str, answer: str | None, valence: float | None) -> ScoringItem:
    return ScoringItem(clip_id=clip, prediction=answer, reference=Reference(valence=valence), failed=answer is None)


def scorer(context: ScoringContext | None = None, **args) -> SentimentScorer:
    return SentimentScorer(SentimentArgs(**args), context or ScoringContext())


def test_binary_scores_equal_sklearn_on_random_data():
    rng = np.random.default_rng(0)
    refs = list(rng.choice([-3.0, -1.2, 0.4, 2.0], size=200))
    preds = list(rng.choice([-1, 0, 1], size=200))
    f1, acc = binary_scores(refs, preds)
    y_true, y_pred = np.array(refs) > 0, np.array(preds) > 0
    assert f1 == pytest.approx(f1_score(y_true, y_pred, average="weighted"), abs=1e-12)
    assert acc == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-12)


def test_answer_mapper_counts_only_non_zero_references_and_neutral_as_negative():
    items = [item("a", "The sentiment is positive.", 1.2), item("b", "negative", -0.4),
             item("c", "neutral", 2.0), item("d", "positive", 0.0), item("e", None, -1.0)]
    comps = scorer(mapper="answer").score_samples(items)
    assert comps[3] is None  # zero reference: not counted
    assert [c["pred"] for c in comps if c] == [1, -1, 0, 0]
    assert comps[4] == {"ref": -1, "pred": 0, "failed": True}
    metrics = scorer(mapper="answer").aggregate(comps)
    # refs +,-,+,- ; preds +,-,-,- -> accuracy 3/4
    assert metrics["accuracy"] == pytest.approx(0.75) and metrics["n_counted"] == 4
    assert metrics["neutral_rate"] == pytest.approx(0.5)


def test_lexicon_mapper_uses_the_valence_sign_of_extracted_labels(tmp_path):
    lexicon = tmp_path / "vad.tsv"
    lexicon.write_text("word\tvalence\tarousal\nhappy\t0.9\t0.6\nangry\t0.1\t0.8\nsad\t0.2\t0.3\n")
    items = [item("a", "She looks happy.", 1.0), item("b", "He is angry and sad.", -2.0),
             item("c", "She is happy.", -1.0)]
    comps = scorer(mapper="lexicon", extractor={"name": "lexicon"}, lexicon=str(lexicon)).score_samples(items)
    assert [c["pred"] for c in comps] == [1, -1, 1]
    assert comps[0]["labels"] == ["happy"] and comps[0]["n_mapped"] == 1


def test_wheel_mapper_votes_with_level1_polarity(wheel_dir):
    context = ScoringContext(resources_dir=wheel_dir)
    s = scorer(context, extractor={"name": "parse"})
    items = [item("a", "[joyful, relaxed]", 1.0), item("b", "[furious, lonely]", -1.0),
             item("c", "[happy, sad]", 1.0), item("d", "[astonished]", 1.0), item("e", "[qwerty]", -1.0)]
    comps = s.score_samples(items)
    # astonished: surprised (not polar) on wheel 1; surprised, scared, genius, scared -> vote -2 -> negative
    assert [c["pred"] for c in comps] == [1, -1, 0, -1, 0]
    # fear is scared on wheel 1 (happy/joyful on wheels 2, 3, 5 through rule 3's synonym order)
    assert [c["pred"] for c in s.score_samples([item("f", "[fear]", -1.0), item("g", "[terrified, nervous]", -1.0)])] \
        == [-1, -1]
    assert comps[0]["n_mapped"] == 2 and comps[4]["n_mapped"] == 0
    assert s.describe()["mapping"]["emotion_wheel"]["matches_pinned"] is True


def test_published_prompt_is_upstreams_fstring_text():
    assert SENTIMENT_PROMPT.startswith("Please act as an expert in the field of emotions.             We provide")
    assert sentiment_prompt(["happy", "relaxed"]).endswith("Input: [happy, relaxed]; Output: ")
    assert SENTIMENT_PROMPT.count("             ") == 6


def test_llm_mapper_asks_the_published_prompt_and_reads_exact_words(scripted_llm, tool_context):
    llm = {"model": "scripted-llm", "model_args": {"replies": {"[happy]": "Output: positive",
                                                               "[sad]": "negative", "[angry]": "very negative"}}}
    s = scorer(tool_context, mapper="llm", extractor={"name": "lexicon"}, llm=llm)
    comps = s.score_samples([item("a", "I feel happy", 1.0), item("b", "so sad", -1.0), item("c", "angry!", -1.0)])
    assert [c["pred"] for c in comps] == [1, -1, 0]  # "very negative" is not one of the three words: 0
    assert all(call.prompt.startswith("Please act as an expert") for call in scripted_llm.calls)
    assert s.describe()["mapping"]["prompt_sha256"]


def test_llm_mapper_needs_a_model():
    with pytest.raises(ConfigError, match="mapper 'llm' needs 'llm:"):
        scorer(mapper="llm", extractor={"name": "lexicon"}).score_samples([item("a", "happy", 1.0)])


def test_registered_with_its_catalog_description():
    cls = SCORERS.get("sentiment")
    assert cls is SentimentScorer and cls.needs == frozenset({"valence"})


def test_label_polarity_prefers_a_polar_wheel_1_word():
    from emer_bench.scoring.scorers.sentiment import label_polarity

    assert label_polarity(["scared", "happy", "joyful", "genius", "joyful"]) == -1
    assert label_polarity(["surprised", "surprised", "powerful", "genius", None]) == 1
    assert label_polarity([None, None, None, None, None]) == 0

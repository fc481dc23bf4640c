"""`bertscore` with the packaged MiniLM model as a local directory (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import ResourceError
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.similarity.bertscore import DEFAULT_NUM_LAYERS, BertScoreArgs, BertScoreScorer

REFERENCE = "The man frowns and raises his voice; he feels wronged, so he is angry."


@pytest.mark.slow  # builds a transformers model
def test_identical_near_one_close_above_unrelated() -> None:
    assert SCORERS.get("bertscore") is BertScoreScorer
    scorer = BertScoreScorer(BertScoreArgs(), ScoringContext())
    ref = Reference(explanation=REFERENCE)
    comps = scorer.score_samples([
        ScoringItem("same", REFERENCE, ref),
        ScoringItem("close", "He frowns and shouts because he feels wronged; he is angry.", ref),
        ScoringItem("far", "Quarterly revenue grew by four percent in Europe.", ref),
        ScoringItem("failed", None, ref, failed=True),
    ])
    assert comps[0]["fscore"] == pytest.approx(1.0, abs=1e-4)
    assert comps[0]["fscore"] > comps[1]["fscore"] > comps[2]["fscore"]
    assert set(comps[1]) == {"fscore", "precision", "recall"}
    assert comps[3] == {"fscore": 0.0, "precision": 0.0, "recall": 0.0, "failed": True}  # counted as empty
    assert set(scorer.aggregate(comps)) == {"fscore", "precision", "recall"}
    model = scorer.describe()["resources"]["bertscore_model"]
    assert model["num_layers"] == DEFAULT_NUM_LAYERS and model["rescale_with_baseline"] is False


def test_a_directory_without_a_model_is_a_resource_error(tmp_path: Path) -> None:
    scorer = BertScoreScorer(BertScoreArgs(model=str(tmp_path), num_layers=4), ScoringContext())
    with pytest.raises(ResourceError, match=r"bertscore needs a local Hugging Face model directory.*nothing is downloaded"):
        scorer.score_samples([ScoringItem("a", "x", Reference(explanation="y"))])


def test_a_hub_name_is_refused_rather_than_downloaded() -> None:
    scorer = BertScoreScorer(BertScoreArgs(model="roberta-large", num_layers=17), ScoringContext())
    with pytest.raises(ResourceError, match="'roberta-large' is not one"):
        scorer.score_samples([ScoringItem("a", "x", Reference(explanation="y"))])


def test_another_model_needs_an_explicit_layer() -> None:
    with pytest.raises(ValidationError, match="'num_layers' is required with model '/models/x'"):
        BertScoreArgs(model="/models/x")

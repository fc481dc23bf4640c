"""Rules shared by every similarity scorer (run through the cheap ROUGE-L and BLEU-4 scorers)."""

from __future__ import annotations

import math

import pytest

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import DataError
from emer_bench.scoring.scorers.similarity.base import SimilarityArgs
from emer_bench.scoring.scorers.similarity.ngram import Bleu4Scorer, RougeLScorer

REF = Reference(explanation="The man smiles and his voice is cheerful, so he feels happy.")


def batch() -> list[ScoringItem]:
    return [ScoringItem("a", "The man smiles and his voice is cheerful, so he feels happy.", REF),
            ScoringItem("b", None, REF, failed=True),
            ScoringItem("c", "", REF),
            ScoringItem("d", "A storm destroys the harbour at night.", REF)]


def test_failed_samples_count_as_empty_answers_by_default() -> None:
    scorer = RougeLScorer(SimilarityArgs(), ScoringContext())
    comps = scorer.score_samples(batch())
    assert comps[1] == {"fscore": 0.0, "failed": True}  # counted; the harness also reports it in n_failed
    assert comps[2] == {"fscore": 0.0, "empty_prediction": True}
    assert comps[0]["fscore"] == pytest.approx(1.0)
    assert scorer.aggregate(comps)["fscore"] == pytest.approx((1.0 + 0.0 + 0.0 + comps[3]["fscore"]) / 4)


def test_failed_as_zero_false_leaves_them_out_of_the_mean() -> None:
    scorer = Bleu4Scorer(SimilarityArgs(failed_as_zero=False), ScoringContext())
    comps = scorer.score_samples(batch())
    assert comps[1] is None
    assert scorer.aggregate(comps)["score"] == pytest.approx(sum(c["score"] for c in comps if c) / 3)


def test_no_scored_sample_gives_nan() -> None:
    scorer = Bleu4Scorer(SimilarityArgs(), ScoringContext())
    assert math.isnan(scorer.aggregate([None, None])["score"])


def test_missing_reference_explanation_names_the_clip() -> None:
    scorer = RougeLScorer(SimilarityArgs(), ScoringContext())
    with pytest.raises(DataError, match="clip 'x9' has no reference explanation; scorer 'rouge_l' needs one"):
        scorer.score_samples([ScoringItem("x9", "hello", Reference(openset=["happy"]))])


def test_describe_states_the_failed_sample_rule() -> None:
    described = Bleu4Scorer(SimilarityArgs(), ScoringContext()).describe()
    assert described["args"] == {"failed_as_zero": True}
    assert any("n_failed" in rule for rule in described["rules"])


def test_weighted_aggregate_equals_aggregate_on_resamples() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    samples = [None if i % 7 == 0 else {"fscore": float(v)} for i, v in enumerate(rng.random(60))]
    scorer = RougeLScorer(SimilarityArgs(), ScoringContext())
    indices = [rng.integers(0, len(samples), len(samples)) for _ in range(20)] + [np.zeros(5, dtype=int)]
    counts = np.stack([np.bincount(idx, minlength=len(samples)) for idx in indices]).astype(float)
    fast = scorer.aggregate_weighted(samples, counts)["fscore"]
    for r, idx in enumerate(indices):
        slow = scorer.aggregate([samples[i] for i in idx])["fscore"]
        assert (math.isnan(slow) and math.isnan(fast[r])) or fast[r] == pytest.approx(slow, abs=1e-12)

"""api/scorer.py: the shared context and the optional hooks' defaults."""

from __future__ import annotations

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import Scorer, ScorerArgs, ScoringContext, ScoringItem


class _CountArgs(ScorerArgs):
    scale: float = 1.0


class _CountScorer(Scorer[_CountArgs]):
    name = "test-count"
    needs = frozenset({"explanation"})

    def score_samples(self, items):
        return [None if i.prediction is None else {"n": len(i.prediction) * self.args.scale} for i in items]

    def aggregate(self, samples):
        values = [s["n"] for s in samples if s is not None]
        return {"mean": sum(values) / len(values)}


def test_shared_objects_are_created_once_per_context() -> None:
    context = ScoringContext()
    made: list[int] = []
    first = context.shared("table", lambda: made.append(1) or {"a": 1})
    again = context.shared("table", lambda: made.append(2) or {"b": 2})
    assert first is again and made == [1]
    assert ScoringContext().shared("table", lambda: "other") == "other"  # contexts do not share


def test_a_scorer_without_a_vectorised_aggregate_says_so() -> None:
    scorer = _CountScorer(_CountArgs(scale=2), ScoringContext())
    assert scorer.aggregate_weighted is None  # the bootstrap then re-runs aggregate per resample
    items = [ScoringItem("a", "abc", Reference(explanation="x")), ScoringItem("b", None, Reference(), failed=True)]
    samples = scorer.score_samples(items)
    assert samples == [{"n": 6.0}, None]
    assert scorer.aggregate(samples) == {"mean": 6.0}
    assert scorer.describe() == {"scorer": "test-count", "args": {"scale": 2.0}}


def test_answered_means_text_or_structured_and_not_failed() -> None:
    assert ScoringItem("a", "x", Reference()).answered
    assert not ScoringItem("a", None, Reference(), failed=True).answered

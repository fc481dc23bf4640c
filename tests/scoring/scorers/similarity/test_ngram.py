"""BLEU-4, METEOR and ROUGE-L on real explanation pairs."""

from __future__ import annotations

import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.similarity.base import SimilarityArgs
from emer_bench.scoring.scorers.similarity.ngram import Bleu4Scorer, MeteorScorer, RougeLScorer

REFERENCE = ("In the video, the man frowns and raises his voice while pointing at the other person; "
             "his words show he feels wronged, so he is angry and frustrated.")
CLOSE = ("The man frowns and raises his voice, pointing at the other person; he feels wronged, "
         "so he is angry and frustrated.")
UNRELATED = "A quiet beach at sunset with children building sandcastles."


def score(cls, predictions: list[str]) -> list[float]:
    scorer = cls(SimilarityArgs(), ScoringContext())
    items = [ScoringItem(f"c{i}", p, Reference(explanation=REFERENCE)) for i, p in enumerate(predictions)]
    return [c[cls.metrics[0]] for c in scorer.score_samples(items)]


@pytest.mark.parametrize("name, cls", [("bleu4", Bleu4Scorer), ("meteor", MeteorScorer), ("rouge_l", RougeLScorer)])
def test_identical_is_top_close_is_high_unrelated_is_low(name: str, cls) -> None:
    assert SCORERS.get(name) is cls
    identical, close, unrelated = score(cls, [REFERENCE, CLOSE, UNRELATED])
    assert identical == pytest.approx(1.0, abs=0.01)
    assert identical > close > unrelated
    assert close > 0.4 and unrelated < 0.1


def test_bleu_uses_sentence_bleu_with_method1_smoothing() -> None:
    (value,) = score(Bleu4Scorer, ["he is angry"])
    expected = sentence_bleu([REFERENCE.lower().replace(",", " ").replace(";", " ").replace(".", " ").split()],
                             ["he", "is", "angry"], smoothing_function=SmoothingFunction().method1)
    assert value == pytest.approx(expected)
    assert "method1" in Bleu4Scorer(SimilarityArgs(), ScoringContext()).describe()["method"]["smoothing"]
    assert "method1" in (Bleu4Scorer.__doc__ or "")


def test_meteor_matches_wordnet_synonyms() -> None:
    scorer = MeteorScorer(SimilarityArgs(), ScoringContext())
    ref = Reference(explanation="she shows fear")
    synonym, other = scorer.score_samples([ScoringItem("a", "she shows dread", ref), ScoringItem("b", "she shows joy", ref)])
    assert synonym["score"] > 0.95 > 0.7 > other["score"]


def test_chinese_explanations_are_compared_per_character() -> None:
    ctx = ScoringContext()
    ref = Reference(explanation="他皱着眉头，声音很大，看起来很生气。")
    items = [ScoringItem("a", "他皱着眉头，声音很大，很生气。", ref), ScoringItem("b", "她在海边开心地笑。", ref)]
    for cls in (Bleu4Scorer, RougeLScorer):
        close, far = (c[cls.metrics[0]] for c in cls(SimilarityArgs(), ctx).score_samples(items))
        assert close > 0.5 > far

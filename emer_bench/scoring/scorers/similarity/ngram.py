"""N-gram overlap of an answer with the reference explanation: BLEU-4, METEOR, ROUGE-L.

All three tokenise with `similarity.tokenize` (no downloads). Each pair is scored on its own
(sentence-level), and the dataset value is the mean over scored samples.
"""

from __future__ import annotations

from typing import Any, ClassVar

from emer_bench.api.scorer import ScoreReuse

from emer_bench.resources.nltk_lean import import_nltk
from emer_bench.scoring.scorers.similarity.base import ExplanationSimilarityScorer, SimilarityArgs
from emer_bench.scoring.scorers.similarity.lcs import rouge_l
from emer_bench.scoring.scorers.similarity.tokenize import CjkAwareRougeTokenizer, word_tokens

BLEU_WEIGHTS = (0.25, 0.25, 0.25, 0.25)


class Bleu4Scorer(ExplanationSimilarityScorer[SimilarityArgs]):
    """Sentence BLEU-4 (nltk `sentence_bleu`, uniform weights over 1-4-grams) with
    `SmoothingFunction().method1` (epsilon 0.1 added to zero n-gram counts, Chen & Cherry 2014),
    so a short answer with no matching 4-gram gets a small score rather than 0."""

    name: ClassVar[str] = "bleu4"
    score_reuse: ClassVar[ScoreReuse] = "per_sample"  # sentence-level: each pair scored on its own
    digest_libraries: ClassVar[tuple[str, ...]] = ("nltk",)
    metrics: ClassVar[tuple[str, ...]] = ("score",)
    headline: ClassVar[tuple[str, ...]] = ("score",)

    def warm_up(self) -> None:
        import_nltk()  # ~0.5 s CPU, off the critical path
        import nltk.translate.bleu_score  # noqa: F401,PLC0415

    def similarities(self, predictions: list[str], references: list[str]) -> list[dict[str, float]]:
        import_nltk()
        from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

        smoothing = SmoothingFunction().method1
        out: list[dict[str, float]] = []
        for prediction, reference in zip(predictions, references):
            hyp, ref = word_tokens(prediction), word_tokens(reference)
            value = sentence_bleu([ref], hyp, weights=BLEU_WEIGHTS, smoothing_function=smoothing) if hyp and ref else 0.0
            out.append({"score": float(value)})
        return out

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "method": {"implementation": "nltk.translate.bleu_score.sentence_bleu",
                                                 "weights": list(BLEU_WEIGHTS), "smoothing": "SmoothingFunction().method1",
                                                 "tokenizer": "emer_bench word_tokens (lower-cased, CJK per character)"}}


class MeteorScorer(ExplanationSimilarityScorer[SimilarityArgs]):
    """METEOR (nltk `meteor_score`, default alpha 0.9, beta 3, gamma 0.5, Porter stemmer and WordNet
    synonyms). WordNet comes from `emer_bench.resources.wordnet_setup.ensure_wordnet` (no download)."""

    name: ClassVar[str] = "meteor"
    score_reuse: ClassVar[ScoreReuse] = "per_sample"  # sentence-level: each pair scored on its own
    digest_libraries: ClassVar[tuple[str, ...]] = ("nltk",)
    metrics: ClassVar[tuple[str, ...]] = ("score",)
    headline: ClassVar[tuple[str, ...]] = ("score",)

    def warm_up(self) -> None:
        import_nltk()
        import nltk.translate.meteor_score  # noqa: F401,PLC0415 - see Bleu4Scorer.warm_up

        self.context.shared("nltk-wordnet", _load_wordnet)

    def similarities(self, predictions: list[str], references: list[str]) -> list[dict[str, float]]:
        import_nltk()
        from nltk.translate.meteor_score import meteor_score

        wordnet = self.context.shared("nltk-wordnet", _load_wordnet)
        out: list[dict[str, float]] = []
        for prediction, reference in zip(predictions, references):
            hyp, ref = word_tokens(prediction), word_tokens(reference)
            value = meteor_score([ref], hyp, wordnet=wordnet) if hyp and ref else 0.0
            out.append({"score": float(value)})
        return out

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "method": {"implementation": "nltk.translate.meteor_score.meteor_score",
                                                 "alpha": 0.9, "beta": 3.0, "gamma": 0.5, "synonyms": "WordNet 3.0",
                                                 "tokenizer": "emer_bench word_tokens (lower-cased, CJK per character)"}}


def _load_wordnet() -> Any:
    from emer_bench.resources.wordnet_setup import ensure_wordnet

    ensure_wordnet()
    from nltk.corpus import wordnet

    wordnet.ensure_loaded()
    return wordnet


class RougeLScorer(ExplanationSimilarityScorer[SimilarityArgs]):
    """ROUGE-L F-measure (rouge-score's tokenizer, Porter stemmer on), sentence-level. The LCS is
    computed bit-parallel (`similarity/lcs.py`): the same floats as rouge-score's `rougeL`."""

    name: ClassVar[str] = "rouge_l"
    score_reuse: ClassVar[ScoreReuse] = "per_sample"  # sentence-level: each pair scored on its own
    digest_libraries: ClassVar[tuple[str, ...]] = ("rouge-score", "nltk")
    metrics: ClassVar[tuple[str, ...]] = ("fscore",)
    headline: ClassVar[tuple[str, ...]] = ("fscore",)

    _tokenizer: CjkAwareRougeTokenizer | None = None  # built on first use (by the first chunk or the final pass)

    def warm_up(self) -> None:
        import_nltk()  # rouge-score imports nltk's Porter stemmer
        import rouge_score.tokenize  # noqa: F401,PLC0415 - off the critical path

        self._rouge_tokenizer()  # its stemmer, built once, off the first scoring call

    def similarities(self, predictions: list[str], references: list[str]) -> list[dict[str, float]]:
        tokenize = self._rouge_tokenizer().tokenize
        # rouge-score's argument order is (target, prediction); F is symmetric, P and R are not.
        return [{"fscore": float(rouge_l(tokenize(reference), tokenize(prediction))[2])}
                for prediction, reference in zip(predictions, references)]

    def _rouge_tokenizer(self) -> CjkAwareRougeTokenizer:
        """One tokenizer per instance: it remembers stems, so a run that scores in chunks while the
        model answers (runner/score_incremental.py) keeps them between chunks."""
        if self._tokenizer is None:
            import_nltk()
            self._tokenizer = CjkAwareRougeTokenizer(use_stemmer=True)
        return self._tokenizer

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "method": {"implementation": "rouge_score.rouge_scorer rougeL (its tokenizer "
                                                 "and arithmetic; LCS length bit-parallel, equal)", "measure": "F",
                                                 "stemmer": "porter",
                                                 "tokenizer": "rouge-score default; CJK per character"}}

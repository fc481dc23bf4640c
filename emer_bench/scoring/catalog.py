"""Built-in scorers and label extractors: name -> lazy target, with a one-line description.

The one place these facts live: `emer-bench list` shows them without importing the scorer
modules, and the classes carry no description of their own (tests/scoring/test_scoring_catalog.py
checks that every target imports, is registered under its class `name`, and has no copy)."""

from __future__ import annotations

from typing import Any

from emer_bench.registry import Registry

_S = "emer_bench.scoring"

BUILTIN_SCORERS: list[tuple[str, str, str]] = [
    # Open-vocabulary labels (exact reproduction of the published procedure; needs the EW resources)
    ("ew", f"{_S}.scorers.openvocab:EmotionWheelScorer",
     "Open-vocabulary EW metrics: form, synonym, wheel1-5 L1/L2 P/R/F, EW-L1, EW-L2, M-avg"),
    ("hit_rate", f"{_S}.scorers.openvocab:HitRateScorer",
     "Hit rate and m-score of open-vocabulary answers against single categorical labels"),
    # Resource-free label overlap (bundled demo)
    ("label_overlap", f"{_S}.scorers.label_overlap:LabelOverlapScorer",
     "Set P/R/F of normalised labels with exact matching (needs no external resources)"),
    # Explanation similarity
    ("embedding_similarity", f"{_S}.scorers.similarity.embedding:EmbeddingSimilarityScorer",
     "Cosine similarity of sentence-transformers embeddings (answer vs reference explanation)"),
    ("bleu4", f"{_S}.scorers.similarity.ngram:Bleu4Scorer", "Sentence BLEU-4 (nltk, smoothing method1) against the reference explanation"),
    ("meteor", f"{_S}.scorers.similarity.ngram:MeteorScorer", "METEOR (nltk + WordNet) against the reference explanation"),
    ("rouge_l", f"{_S}.scorers.similarity.ngram:RougeLScorer", "ROUGE-L F (rouge-score, stemmer on) against the reference explanation"),
    ("bertscore", f"{_S}.scorers.similarity.bertscore:BertScoreScorer", "BERTScore P/R/F1 with a local model (no idf, no rescaling)"),
    # LLM judges (EMER v1)
    ("judge_clue_overlap", f"{_S}.scorers.judge.scorers:ClueOverlapJudge", "0-10 overlap of emotional clues with the reference explanation, from a judge LLM"),
    ("judge_label_overlap", f"{_S}.scorers.judge.scorers:LabelOverlapJudge", "0-10 overlap of emotion labels with the reference explanation, from a judge LLM"),
    # Categorical / dimensional / affective space
    ("categorical", f"{_S}.scorers.categorical:CategoricalScorer", "Accuracy, macro-F1 and weighted-F1 of a categorical label parsed from the answer"),
    ("dimensional", f"{_S}.scorers.dimensional:DimensionalScorer", "CCC, MSE and Pearson of valence/arousal numbers stated in the answer"),
    ("mer2023_combined", f"{_S}.scorers.dimensional:Mer2023CombinedScorer", "MER2023: weighted-F1 - 0.25 x valence MSE"),
    ("affective_space", f"{_S}.scorers.affective_space:AffectiveSpaceScorer",
     "Distance of predicted and reference label sets in valence/arousal space; valence-sign agreement"),
    ("sentiment", f"{_S}.scorers.sentiment:SentimentScorer",
     "MER-UniBench sentiment rule: labels -> positive/negative, weighted F1 + accuracy on non-zero refs"),
    ("va_consistency", f"{_S}.scorers.affective_space:CategoryVAConsistencyScorer",
     "Agreement between a model's categorical answers and its own valence/arousal answers"),
]

BUILTIN_EXTRACTORS: list[tuple[str, str, str]] = [
    ("parse", f"{_S}.extractors.parse:ParseExtractor", "The answer is a label list; parse it with rule 1"),
    ("lexicon", f"{_S}.extractors.word_list:WordListExtractor",
     "Un-negated emotion words of the built-in word list, in order of appearance (no external resources)"),
    ("offline", f"{_S}.extractors.offline:OfflineExtractor",
     "EW vocabulary + WordNet lemmas with negation/hedging handling (no LLM)"),
    ("llm", f"{_S}.extractors.llm:LLMExtractor", "The published extraction prompt through any registered model"),
]


def register_builtin_scorers(registry: Registry[Any]) -> None:
    for name, target, description in BUILTIN_SCORERS:
        registry.add(name, target, description)


def register_builtin_extractors(registry: Registry[Any]) -> None:
    for name, target, description in BUILTIN_EXTRACTORS:
        registry.add(name, target, description)

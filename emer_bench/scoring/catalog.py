"""Built-in scorers and label extractors: name → lazy target, with a one-line description."""

from __future__ import annotations

from typing import Any

from emer_bench.registry import Registry

_S = "emer_bench.scoring"

BUILTIN_SCORERS: list[tuple[str, str, str]] = [
    # Open-vocabulary labels (exact reproduction of the published procedure; needs the EW resources)
    ("ew", f"{_S}.openvocab_scorer:EmotionWheelScorer",
     "Open-vocabulary EW metrics: form, synonym, wheel1-5 L1/L2 P/R/F, EW-L1, EW-L2, M-avg"),
    ("hit_rate", f"{_S}.openvocab_scorer:HitRateScorer",
     "Hit rate and m-score of open-vocabulary answers against single categorical labels"),
    # Resource-free label overlap (bundled demo)
    ("label_overlap", f"{_S}.label_overlap:LabelOverlapScorer",
     "Set P/R/F of normalised labels with exact matching (needs no external resources)"),
    # Explanation similarity
    ("embedding_similarity", f"{_S}.similarity.embedding:EmbeddingSimilarityScorer",
     "Cosine similarity of sentence-transformers embeddings (answer vs reference explanation)"),
    ("bleu4", f"{_S}.similarity.ngram:Bleu4Scorer", "Sentence BLEU-4 (nltk) against the reference explanation"),
    ("meteor", f"{_S}.similarity.ngram:MeteorScorer", "METEOR (nltk + WordNet) against the reference explanation"),
    ("rouge_l", f"{_S}.similarity.ngram:RougeLScorer", "ROUGE-L F (rouge-score) against the reference explanation"),
    ("bertscore", f"{_S}.similarity.bertscore:BertScoreScorer", "BERTScore F1 with a local model"),
    # LLM judges (EMER v1)
    ("judge_clue_overlap", f"{_S}.judge.scorers:ClueOverlapJudge", "0-10 clue overlap from a judge LLM"),
    ("judge_label_overlap", f"{_S}.judge.scorers:LabelOverlapJudge", "0-10 emotion-label overlap from a judge LLM"),
    # Categorical / dimensional / affective space
    ("categorical", f"{_S}.categorical:CategoricalScorer", "Accuracy, macro-F1 and weighted-F1 of a categorical label"),
    ("dimensional", f"{_S}.dimensional:DimensionalScorer", "CCC, MSE and Pearson of valence/arousal"),
    ("mer2023_combined", f"{_S}.dimensional:Mer2023CombinedScorer", "MER2023: weighted-F1 - 0.25 x valence MSE"),
    ("affective_space", f"{_S}.affective_space:AffectiveSpaceScorer",
     "Distance of predicted and reference label sets in valence/arousal space; valence-sign agreement"),
    ("sentiment", f"{_S}.sentiment:SentimentScorer",
     "MER-UniBench sentiment rule: labels -> positive/negative, weighted F1 + accuracy on non-zero refs"),
    ("va_consistency", f"{_S}.affective_space:CategoryVAConsistencyScorer",
     "Agreement between a model's categorical answers and its own valence/arousal answers"),
]

BUILTIN_EXTRACTORS: list[tuple[str, str, str]] = [
    ("parse", f"{_S}.extractors.parse:ParseExtractor", "The answer is a label list; parse it with rule 1"),
    ("lexicon", f"{_S}.extractors.lexicon:LexiconExtractor",
     "Emotion words from the built-in lexicon (needs no external resources)"),
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

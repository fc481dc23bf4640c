"""`sentiment`: MER-UniBench's rule for the sentiment datasets (CMU-MOSI, CMU-MOSEI, CH-SIMS,
CH-SIMS v2), after AffectGPT's `calculate_dimension_zeroshot` (evaluation.py):

1. the answer becomes open-vocabulary labels (the `extractor`, as for `ew` / `hit_rate`);
2. the labels become one sentiment, positive (+1), negative (-1) or neutral (0) (the `mapper`);
   anything else counts as 0;
3. only clips whose reference valence is non-zero count; reference and prediction are
   binarised as `value > 0`, so a neutral or unmapped prediction counts as negative;
4. accuracy and weighted F1 (scikit-learn `average='weighted'` over the two classes).

Mappers:
- `llm`: AffectGPT's prompt (`openset_to_sentiment_qwen`, quoted in SENTIMENT_PROMPT) through
  any registered model; the reply is cleaned like the extractor's and must be exactly
  `positive`, `negative` or `neutral`. This is the published procedure.
- `wheel` (default): each label's level-1 categories on the 5 emotion wheels (the EW resources
  of `ew` / `hit_rate`) with a fixed polarity (WHEEL_POLARITY: happy/joyful/peaceful/powerful
  +1; sad/mad/scared/disgusted/angry/bad/fearful -1; surprised and the rest 0): wheel 1's when
  polar, else the sign of the five wheels' vote (`label_polarity`); the labels' signs are summed
  and the sign of the sum is the sentiment. emer-bench's own,
  LLM-free approximation of step 2 (recorded as such in the results).
- `lexicon`: the mean valence of the labels found in a valence/arousal lexicon (the built-in
  circumplex table or a user NRC-VAD file), its sign with `neutral_band`. Needs no model; an
  approximation of step 2, recorded as such in the results.
- `answer`: the answer itself names the sentiment (the closed-set "positive, negative,
  neutral" prompt); no extraction.
A failed sample counts as a neutral prediction (hence negative), like upstream's unparsable replies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from emer_bench.api.scorer import SampleScore, Scorer, ScorerArgs, ScoringContext, ScoringItem
from emer_bench.errors import ConfigError, EmerBenchError
from emer_bench.metrics.classification import accuracy, class_counts, weighted_f1
from emer_bench.metrics.wheel_mapping import WheelTables
from emer_bench.resources.emotion_wheel import ResolvedResources, describe_resources, resolve_resources
from emer_bench.resources.va_lexicon import VALexicon, load_builtin, load_lexicon, map_labels, sign
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.scoring.extractors.outcome import extract_with_errors
from emer_bench.scoring.extractors.prompt import clean_extractor_reply
from emer_bench.scoring.extractors.spec import ExtractorSpec, build_extractor
from emer_bench.scoring.llm.tool import GREEDY, LLMTool, ToolModelSpec, sha256_text
from emer_bench.scoring.parsing.categories import LabelVocabulary

# AffectGPT toolkit/utils/qwen.py, openset_to_sentiment_qwen: an f-string whose lines end in a
# backslash, so each continuation keeps its 12 leading spaces.
SENTIMENT_PROMPT = ("Please act as an expert in the field of emotions.             We provide a few words to "
                    "describe the emotions of a character.             Please choose the most likely sentiment "
                    "from the given candidates: [positive, negative, neutral]             Please direct output "
                    "answer without analyzing process.             Input: [joyful]; Output: positive             "
                    "Input: []; Output: neutral             Input: {reason}; Output: ")
SENTIMENT_VALUES = {"positive": 1, "negative": -1, "neutral": 0}
# Polarity of the level-1 words of the five emotion wheels (mer2025/mer2026 resources); any other
# level-1 word (surprised, genius) is 0.
WHEEL_POLARITY = {**dict.fromkeys(["happy", "joyful", "joy", "peaceful", "powerful"], 1),
                  **dict.fromkeys(["sad", "mad", "scared", "disgusted", "angry", "bad", "fearful",
                                   "anger", "disgust", "fear"], -1)}


def label_polarity(level1: list[str | None]) -> int:
    """-1/0/+1 of one label from its level-1 words on wheels 1-5: wheel 1's when it is polar, else
    the sign of the vote of all five. (Rule 3 maps some words through an alphabetically first
    synonym, e.g. `fear` -> happy/joyful on wheels 2, 3, 5, so a plain vote would call fear positive.)"""
    first = WHEEL_POLARITY.get(level1[0] or "", 0)
    if first:
        return first
    votes = sum(WHEEL_POLARITY.get(word or "", 0) for word in level1)
    return (votes > 0) - (votes < 0)


class SentimentLLMArgs(ToolModelSpec):
    """The mapping model (a registered adapter), as for the `llm` extractor."""


class SentimentArgs(ScorerArgs):
    extractor: ExtractorSpec = ExtractorSpec(name="offline")  # answer -> labels (not used by mapper 'answer')
    mapper: Literal["wheel", "lexicon", "llm", "answer"] = "wheel"
    llm: SentimentLLMArgs | None = None  # mapper 'llm': {model: ..., model_args: {...}}
    lexicon: str | None = None  # mapper 'lexicon': an NRC-VAD-format file (default: the built-in table)
    lexicon_scale: Literal["unit", "signed"] = "unit"
    neutral_band: float = Field(default=0.0, ge=0.0)
    resource_version: str | None = None  # mapper 'wheel': default the run's (--resource-version)
    resources: str | None = None  # mapper 'wheel': emotion-wheel directory (default: --resources, env, cache)


def sentiment_prompt(labels: list[str]) -> str:
    """The mapping prompt for one label list, written as upstream's extractor replies are: `[a, b]`."""
    return SENTIMENT_PROMPT.replace("{reason}", "[" + ", ".join(labels) + "]")


def binary_scores(refs: list[float], preds: list[int]) -> tuple[float, float]:
    """(weighted F1, accuracy) of `pred > 0` against `ref > 0` (the caller keeps non-zero refs)."""
    y_true = (np.asarray(refs) > 0).astype(np.int64)
    y_pred = (np.asarray(preds) > 0).astype(np.int64)
    return weighted_f1(class_counts(y_true, y_pred, 2)), accuracy(y_true, y_pred)


class SentimentScorer(Scorer[SentimentArgs]):
    """Weighted F1 / accuracy of positive vs negative on non-zero references (MER-UniBench)."""

    name = "sentiment"
    needs = frozenset({"valence"})
    headline = ("weighted_f1", "accuracy")

    def __init__(self, args: SentimentArgs, context: ScoringContext) -> None:
        super().__init__(args, context)
        self._tool: LLMTool | None = None
        self._lexicon: VALexicon | None = None
        self._tables: WheelTables | None = None
        self._resolved: ResolvedResources | None = None

    def _mapping_tool(self) -> LLMTool:
        if self._tool is None:
            spec = self.args.llm
            if spec is None:
                raise ConfigError("scorer 'sentiment': mapper 'llm' needs 'llm: {model: ..., model_args: {...}}'")
            self._tool = LLMTool(spec, self.context, purpose="sentiment_llm",
                                 default_gen_kwargs={**GREEDY, "max_new_tokens": 16}, where="scorer 'sentiment'")
        return self._tool

    def _lexicon_table(self) -> VALexicon:
        if self._lexicon is None:
            a = self.args
            self._lexicon = load_builtin() if a.lexicon is None else load_lexicon(
                Path(a.lexicon).expanduser(), a.lexicon_scale)
        return self._lexicon

    def _wheel_tables(self) -> WheelTables:
        if self._tables is None:
            a = self.args
            self._resolved = resolve_resources(a.resources or self.context.resources_dir,
                                               a.resource_version or self.context.resource_version)
            directory = self._resolved.directory
            self._tables = self.context.shared(f"wheel_tables:{directory}", lambda: load_wheel_tables(directory))
        return self._tables

    def _wheel_sentiment(self, labels: list[str]) -> tuple[int, int]:
        """(sign of the summed label polarities, labels with a polarity) for one answer."""
        mapped = self._wheel_tables().mapped
        total, n_mapped = 0, 0
        for label in dict.fromkeys(labels):
            row = mapped.get(label)
            if row is None:
                continue
            polarity = label_polarity([row[2 + 2 * wheel] for wheel in range(5)])
            n_mapped += polarity != 0
            total += polarity
        return (total > 0) - (total < 0), n_mapped

    def _labels(self, answers: list[str]) -> tuple[list[list[str]], list[str | None]]:
        extracted = extract_with_errors(build_extractor(self.args.extractor, self.context), answers)
        return [list(e.labels) for e in extracted], [e.error for e in extracted]

    def _map(self, answers: list[str]) -> list[dict[str, Any]]:
        """Per answer: {'pred': -1/0/+1, ...what it came from}."""
        mapper = self.args.mapper
        if mapper == "answer":
            vocab = LabelVocabulary.build(list(SENTIMENT_VALUES))
            words = [vocab.parse(a) for a in answers]
            return [{"pred": SENTIMENT_VALUES.get(w or "", 0), "sentiment": w} for w in words]
        labels, errors = self._labels(answers)
        if mapper == "llm":
            replies = self._mapping_tool().generate([sentiment_prompt(ls) for ls in labels])
            out = []
            for ls, err, reply in zip(labels, errors, replies):
                word = clean_extractor_reply(reply.text or "") if reply.ok else None
                out.append({"pred": SENTIMENT_VALUES.get(word or "", 0), "sentiment": word, "labels": ls,
                            **({"extraction_error": err} if err else {}),
                            **({"mapping_error": reply.error} if not reply.ok else {})})
            return out
        if mapper == "wheel":
            out = []
            for ls, err in zip(labels, errors):
                pred, n_mapped = self._wheel_sentiment(ls)
                out.append({"pred": pred, "labels": ls, "n_mapped": n_mapped,
                            **({"extraction_error": err} if err else {})})
            return out
        lexicon, band = self._lexicon_table(), self.args.neutral_band
        out = []
        for ls, err in zip(labels, errors):
            points, _ = map_labels(lexicon, ls)
            value = float(np.mean([p[0] for p in points])) if points else 0.0
            out.append({"pred": sign(value, band), "labels": ls, "n_mapped": len(points),
                        **({"extraction_error": err} if err else {})})
        return out

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        counted = [i for i, item in enumerate(items) if item.reference.valence not in (None, 0)]
        answered = [i for i in counted if not items[i].failed and items[i].prediction is not None]
        mapped = dict(zip(answered, self._map([items[i].prediction or "" for i in answered])))
        scores: list[SampleScore] = [None] * len(items)
        for i in counted:
            component = mapped.get(i, {"pred": 0, "failed": True})
            scores[i] = {"ref": 1 if (items[i].reference.valence or 0) > 0 else -1, **component}
        return scores

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        kept = [s for s in samples if s is not None]
        if not kept:
            return {"weighted_f1": float("nan"), "accuracy": float("nan"), "n_counted": 0.0}
        f1, acc = binary_scores([s["ref"] for s in kept], [s["pred"] for s in kept])
        return {"weighted_f1": f1, "accuracy": acc, "n_counted": float(len(kept)),
                "neutral_rate": float(np.mean([s["pred"] == 0 for s in kept])),
                "n_extraction_errors": float(sum(1 for s in kept if s.get("extraction_error")))}

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        a = self.args
        if a.mapper == "llm":
            info["mapping"] = {"prompt_sha256": sha256_text(SENTIMENT_PROMPT), "model": self._mapping_tool().describe()}
        elif a.mapper == "wheel":
            try:
                tables = self._wheel_tables()
            except EmerBenchError as exc:  # describe() must not fail; the missing resource is reported
                info["mapping"] = {"emotion_wheel": {"error": str(exc)}}
            else:
                assert self._resolved is not None
                info["mapping"] = {"emotion_wheel": describe_resources(self._resolved, tables.sha256),
                                   "polarity": WHEEL_POLARITY,
                                   "note": "wheel level-1 polarity vote; an approximation of the published LLM mapping"}
        elif a.mapper == "lexicon":
            info["mapping"] = {"lexicon": self._lexicon_table().describe(),
                               "note": "valence sign of the labels; an approximation of the published LLM mapping"}
        return info

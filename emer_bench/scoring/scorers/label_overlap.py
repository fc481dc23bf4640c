"""`label_overlap`: set precision/recall/F of normalised labels with exact matching.

Needs nothing outside the installed package (the bundled demo uses it). Labels are lower-cased
and mapped through the built-in emotion word list (emer_bench/emotion_words) ("happiness" -> "happy"); averaging follows the EMER
convention: P and R are means over samples, F is computed from those means. A sample whose
reference is empty is skipped; a failed sample counts as an empty prediction (P = R = 0).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from emer_bench.api.requests import ReferenceField
from emer_bench.api.scorer import SampleScore, ScoreReuse, Scorer, ScorerArgs, ScoringItem
from emer_bench.emotion_words import normalise_label
from emer_bench.errors import EmerBenchError
from emer_bench.registries import EXTRACTORS
from emer_bench.scoring.extractors.spec import ExtractorSpec, build_extractor


class LabelOverlapArgs(ScorerArgs):
    extractor: ExtractorSpec = ExtractorSpec(name="lexicon")


def f_score(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


class LabelOverlapScorer(Scorer[LabelOverlapArgs]):
    name: ClassVar[str] = "label_overlap"
    needs: frozenset[ReferenceField] = frozenset({"openset"})
    headline: ClassVar[tuple[str, ...]] = ("fscore",)

    def reuse_mode(self) -> ScoreReuse:
        # Each sample's P/R depends on its own labels alone; an LLM extractor may fail and is retried.
        return "per_sample" if EXTRACTORS.get(self.args.extractor.name).per_text else "none"

    def warm_up(self) -> None:
        # The extractor's own one-off set-up (the word list's regex: ~5 ms), while the model works,
        # not in the first scoring call; only for extractors that offer a warm-up.
        warm_up = getattr(build_extractor(self.args.extractor, self.context), "warm_up", None)
        if callable(warm_up):
            warm_up()

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        extractor = build_extractor(self.args.extractor, self.context)
        texts = [i.prediction for i in items if i.prediction is not None]
        extracted = iter(extractor.extract(texts))
        out: list[SampleScore] = []
        for item in items:
            predicted = next(extracted) if item.prediction is not None else []
            gold = {normalise_label(x) for x in item.reference.openset or [] if x.strip()}
            pred = {normalise_label(x) for x in predicted if x.strip()}
            if not gold:
                out.append(None)
                continue
            hit = len(gold & pred)
            out.append({"precision": hit / len(pred) if pred else 0.0, "recall": hit / len(gold),
                        "predicted": sorted(pred)})
        return out

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        counted: list[dict[str, Any]] = [s for s in samples if s is not None]
        if not counted:
            return {"precision": 0.0, "recall": 0.0, "fscore": 0.0}
        p = sum(s["precision"] for s in counted) / len(counted)
        r = sum(s["recall"] for s in counted) / len(counted)
        return {"precision": p, "recall": r, "fscore": f_score(p, r)}

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        from emer_bench.metrics.weighted import f_from_pr_array, weighted_means

        values = np.zeros((len(samples), 2))
        mask = np.zeros((len(samples), 2), dtype=bool)
        for i, sample in enumerate(samples):
            if sample is not None:
                values[i], mask[i] = (sample["precision"], sample["recall"]), True
        means = np.nan_to_num(weighted_means(values, mask, counts), nan=0.0)  # no counted sample: 0, as `aggregate`
        return {"precision": means[:, 0], "recall": means[:, 1], "fscore": f_from_pr_array(means[:, 0], means[:, 1])}

    def describe(self) -> dict[str, Any]:
        # A per-text extractor's own describe() (its resources' hashes) decides whether components
        # may be reused; another is re-run anyway and is only named.
        named = {"extractor": self.args.extractor.name}
        if EXTRACTORS.get(self.args.extractor.name).per_text:
            try:
                return {**super().describe(), "extractor": build_extractor(self.args.extractor, self.context).describe()}
            except EmerBenchError as exc:  # describe() must not fail: scoring reports the missing resource
                return {**super().describe(), "extractor": {**named, "error": str(exc)}}
        return {**super().describe(), "extractor": named}

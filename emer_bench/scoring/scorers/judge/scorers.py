"""`judge_clue_overlap` and `judge_label_overlap`: EMER v1's two 0-10 judge scores (docs/openvocab-metrics.md §8).

Any registered adapter that takes text can judge (`judge: {model: openai, model_args: {...}}`),
at temperature 0 by default, through the shared `LLMTool` (batched, cached on disk).

Per sample: `{"score": 7.0, "reply": "...", "judge_error": None}`; a reply without a valid
score gives `score: None` and `judge_error`, so the sample is counted as a judge failure and
left out of the mean (never given a default score). A failed sample (no answer) is an empty
answer (docs/failures.md): it scores 0 without asking the judge, like an empty answer
(`failed_as_zero: false` leaves it out instead).
Aggregate: `score`, the mean over judged samples; `n_judged`; `n_judge_failures`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from emer_bench.api.requests import ReferenceField
from emer_bench.api.scorer import SampleScore, Scorer, ScorerArgs, ScoringContext, ScoringItem
from emer_bench.scoring.scorers.judge.parsing import parse_judge_score
from emer_bench.scoring.scorers.judge.prompts import CLUE_OVERLAP, LABEL_OVERLAP, JudgePrompt
from emer_bench.scoring.llm.tool import GREEDY, LLMTool, ToolModelSpec
from emer_bench.scoring.scorers.similarity.base import EMPTY_ANSWER_RULE, FAILED_SAMPLE_RULE, reference_explanation, value_matrix


class JudgeArgs(ScorerArgs):
    judge: ToolModelSpec  # the judge model: a registered adapter name and its model_args
    failed_as_zero: bool = True  # failed samples score 0 (the one rule); False leaves them out of the mean
    system_prompt: str | None = Field(default=None)  # optional system message for the judge


class _OverlapJudge(Scorer[JudgeArgs]):
    needs: frozenset[ReferenceField] = frozenset({"explanation"})
    headline: ClassVar[tuple[str, ...]] = ("score",)
    prompt: ClassVar[JudgePrompt]
    max_new_tokens: ClassVar[int]

    def __init__(self, args: JudgeArgs, context: ScoringContext) -> None:
        if context.judge is not None:  # --judge on the command line beats the task's judge (recorded as used)
            args = args.model_copy(update={"judge": args.judge.model_copy(update={
                "model": context.judge["model"], "model_args": dict(context.judge.get("model_args") or {})})})
        super().__init__(args, context)
        judge_args = args
        defaults = {**GREEDY, "max_new_tokens": self.max_new_tokens}
        self.tool = LLMTool(judge_args.judge, context, purpose=self.name, default_gen_kwargs=defaults,
                            where=f"scorer '{self.name}' arg 'judge'")

    def score_samples(self, items: list[ScoringItem]) -> list[SampleScore]:
        args = self.args
        references = [reference_explanation(item, self.name) for item in items]
        out: list[SampleScore] = [None] * len(items)
        to_judge: list[int] = []
        for i, item in enumerate(items):
            if item.prediction is None:
                if args.failed_as_zero:
                    out[i] = {"score": 0.0, "failed": True}
            elif not item.prediction.strip():
                out[i] = {"score": 0.0, "empty_prediction": True}
            else:
                to_judge.append(i)
        prompts = [self.prompt.render(references[i], items[i].prediction or "") for i in to_judge]
        replies = self.tool.generate(prompts, ids=[items[i].clip_id for i in to_judge], system_prompt=args.system_prompt)
        for i, reply in zip(to_judge, replies):
            if not reply.ok:
                out[i] = {"score": None, "reply": None, "judge_error": reply.error or "JudgeError: no reply"}
                continue
            parsed = parse_judge_score(reply.text)
            out[i] = {"score": parsed.score, "reply": reply.text, "judge_error": parsed.error}
        return out

    def aggregate(self, samples: list[SampleScore]) -> dict[str, float]:
        scores = [s["score"] for s in samples if s is not None and s.get("score") is not None]
        failures = sum(1 for s in samples if s is not None and s.get("judge_error"))
        mean = math.fsum(scores) / len(scores) if scores else math.nan
        return {"score": mean, "n_judged": float(len(scores)), "n_judge_failures": float(failures)}

    def aggregate_weighted(self, samples: list[SampleScore], counts: np.ndarray) -> dict[str, np.ndarray]:
        """`aggregate` of many bootstrap resamples at once (emer_bench.metrics.weighted)."""
        from emer_bench.metrics.weighted import weighted_means

        values, judged = value_matrix(samples, ("score",))
        failed = np.array([[s is not None and bool(s.get("judge_error"))] for s in samples], dtype=np.float64)
        return {"score": weighted_means(values, judged, counts)[:, 0], "n_judged": counts @ judged[:, 0].astype(np.float64),
                "n_judge_failures": counts @ failed[:, 0]}

    def describe(self) -> dict[str, Any]:
        args = self.args
        dumped = args.model_dump(mode="json")
        dumped["judge"] = args.judge.public()  # never record api keys
        judge = {**self.tool.describe(), "prompt": self.prompt.name, "prompt_sha256": self.prompt.sha256,
                 "system_prompt": args.system_prompt, "score_rule": "first number in the reply, must be in 0-10",
                 "model_calls": self.tool.model_calls, "cache_hits": self.tool.cache_hits}
        return {"scorer": self.name, "args": dumped, "judge": judge, "rules": [FAILED_SAMPLE_RULE, EMPTY_ANSWER_RULE]}


class ClueOverlapJudge(_OverlapJudge):
    name: ClassVar[str] = "judge_clue_overlap"
    prompt: ClassVar[JudgePrompt] = CLUE_OVERLAP
    max_new_tokens: ClassVar[int] = 32


class LabelOverlapJudge(_OverlapJudge):
    name: ClassVar[str] = "judge_label_overlap"
    prompt: ClassVar[JudgePrompt] = LABEL_OVERLAP
    max_new_tokens: ClassVar[int] = 160

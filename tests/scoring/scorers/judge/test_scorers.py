"""The EMER v1 judge scorers, judged by real adapters: the ScriptedLLMAdapter test stand-in
(through the registry) and the `openai` adapter against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import DataError, UnknownNameError
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.judge.prompts import CLUE_OVERLAP, LABEL_OVERLAP
from emer_bench.scoring.scorers.judge.scorers import ClueOverlapJudge, JudgeArgs, LabelOverlapJudge

TESTS = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(TESTS / "scoring"))
sys.path.insert(0, str(TESTS / "model_adapters"))
from scripted_llm import scripted_llm, tool_context  # noqa: E402,F401 (fixtures)
from openai_test_server import OpenAITestServer, Reply  # noqa: E402

REF = "He smiles broadly and his voice is bright; he is happy and relaxed."


def items() -> list[ScoringItem]:
    ref = Reference(explanation=REF)
    return [
        ScoringItem("c1", "He smiles and sounds cheerful, so he is happy.", ref),
        ScoringItem("c2", "She shouts and frowns: anger.", ref),
        ScoringItem("c3", "The speaker is hard to read.", ref),
        ScoringItem("c4", None, ref, failed=True),
        ScoringItem("c5", "   ", ref),
        ScoringItem("c6", "Timeout answer", ref),
    ]


SCRIPT = {"replies": {"cheerful": "Score: 8/10", "shouts": "2", "hard to read": "I cannot judge this."},
          "errors": {"Timeout": "timed out"}, "api_key": "sk-secret-judge"}


def judge(cls, context: ScoringContext, **extra) -> ClueOverlapJudge | LabelOverlapJudge:
    return cls(JudgeArgs(judge={"model": "scripted-llm", "model_args": SCRIPT}, **extra), context)


def test_both_are_registered() -> None:
    assert SCORERS.get("judge_clue_overlap") is ClueOverlapJudge
    assert SCORERS.get("judge_label_overlap") is LabelOverlapJudge


def test_scores_failures_and_mean(scripted_llm, tool_context) -> None:
    scorer = judge(ClueOverlapJudge, tool_context)
    comps = scorer.score_samples(items())
    assert comps[0] == {"score": 8.0, "reply": "Score: 8/10", "judge_error": None}
    assert comps[1]["score"] == 2.0
    assert comps[2]["score"] is None and comps[2]["reply"] == "I cannot judge this."
    assert comps[2]["judge_error"].startswith("JudgeParseError: no number")
    assert comps[3] == {"score": 0.0, "failed": True}  # failed sample: an empty answer, counted
    assert comps[4] == {"score": 0.0, "empty_prediction": True}
    assert comps[5] == {"score": None, "reply": None, "judge_error": "ScriptedError: timed out"}
    assert scorer.aggregate(comps) == {"score": pytest.approx(10 / 4), "n_judged": 4.0, "n_judge_failures": 2.0}
    # the judge saw the clue-overlap prompt with reference and prediction, once per judged sample
    prompts = [r.prompt for r in scripted_llm.calls]
    assert len(prompts) == 4 and prompts[0] == CLUE_OVERLAP.render(REF, items()[0].prediction)
    assert [r.clip_id for r in scripted_llm.calls] == ["c1", "c2", "c3", "c6"]
    assert all(r.gen_kwargs == {"do_sample": False, "temperature": 0.0, "max_new_tokens": 32}
               for r in scripted_llm.calls)


def test_failed_as_zero_false_leaves_failed_samples_out(scripted_llm, tool_context) -> None:
    comps = judge(ClueOverlapJudge, tool_context, failed_as_zero=False).score_samples(items())
    assert comps[3] is None


def test_label_overlap_uses_its_own_prompt(scripted_llm, tool_context) -> None:
    scorer = judge(LabelOverlapJudge, tool_context)
    comps = scorer.score_samples(items()[:2])
    assert [c["score"] for c in comps] == [8.0, 2.0]
    assert scripted_llm.calls[0].prompt == LABEL_OVERLAP.render(REF, items()[0].prediction)
    assert set(scorer.aggregate(comps)) == {"score", "n_judged", "n_judge_failures"}


def test_second_run_makes_no_judge_calls(scripted_llm, tmp_path: Path) -> None:
    first = judge(ClueOverlapJudge, ScoringContext(cache_dir=tmp_path))
    first_comps = first.score_samples(items())
    calls = len(scripted_llm.calls)
    second = judge(ClueOverlapJudge, ScoringContext(cache_dir=tmp_path))
    second_comps = second.score_samples(items())
    # only the failed call (not cached) is asked again
    assert len(scripted_llm.calls) == calls + 1 and scripted_llm.calls[-1].clip_id == "c6"
    assert second_comps == first_comps
    assert second.describe()["judge"]["cache_hits"] == 3


def test_judge_identity_is_recorded_without_secrets(scripted_llm, tool_context) -> None:
    scorer = judge(ClueOverlapJudge, tool_context)
    scorer.score_samples(items()[:1])
    described = scorer.describe()
    identity = described["judge"]
    assert identity["adapter"] == "scripted-llm"
    assert identity["model_id"] == "scripted-judge-v1"
    assert identity["prompt_sha256"] == CLUE_OVERLAP.sha256
    assert identity["gen_kwargs"]["temperature"] == 0.0
    assert identity["model_args"]["replies"] == SCRIPT["replies"]
    assert "sk-secret-judge" not in json.dumps(described)


def test_unknown_judge_model_fails_at_construction(tool_context) -> None:
    with pytest.raises(UnknownNameError, match="scorer 'judge_clue_overlap' arg 'judge': unknown model 'gpt-judge'"):
        ClueOverlapJudge(JudgeArgs(judge={"model": "gpt-judge"}), tool_context)


def test_missing_reference_explanation_is_a_data_error(scripted_llm, tool_context) -> None:
    with pytest.raises(DataError, match="clip 'x' has no reference explanation"):
        judge(ClueOverlapJudge, tool_context).score_samples([ScoringItem("x", "hi", Reference(openset=["happy"]))])


def test_all_judge_failures_give_nan_not_a_default(scripted_llm, tool_context) -> None:
    scorer = judge(ClueOverlapJudge, tool_context)
    comps = scorer.score_samples([items()[2]])
    result = scorer.aggregate(comps)
    assert math.isnan(result["score"]) and result["n_judge_failures"] == 1.0


def test_openai_adapter_as_judge_over_http(tool_context) -> None:
    with OpenAITestServer(default=Reply.ok("Score: 6")) as server:
        server.plan(Reply.ok("9"))
        args = JudgeArgs(judge={"model": "openai", "model_args": {"base_url": server.base_url, "model": "judge-llm",
                                                                  "api_key": "sk-local-test"}})
        scorer = ClueOverlapJudge(args, tool_context)
        comps = scorer.score_samples(items()[:2])
        bodies = [r.body for r in server.requests]
    assert sorted(c["score"] for c in comps) == [6.0, 9.0]
    assert all(b["temperature"] == 0.0 and b["model"] == "judge-llm" for b in bodies)
    assert {b["messages"][-1]["content"] if isinstance(b["messages"][-1]["content"], str)
            else b["messages"][-1]["content"][-1]["text"] for b in bodies} == \
        {CLUE_OVERLAP.render(REF, i.prediction) for i in items()[:2]}
    described = scorer.describe()
    assert described["judge"]["model_id"] == "judge-llm"
    assert "sk-local-test" not in json.dumps(described)


def test_weighted_aggregate_equals_aggregate_on_resamples(scripted_llm, tool_context) -> None:
    import numpy as np

    scorer = judge(ClueOverlapJudge, tool_context)
    samples = scorer.score_samples(items())
    rng = np.random.default_rng(5)
    indices = [rng.integers(0, len(samples), len(samples)) for _ in range(30)]
    counts = np.stack([np.bincount(idx, minlength=len(samples)) for idx in indices]).astype(float)
    fast = scorer.aggregate_weighted(samples, counts)
    for r, idx in enumerate(indices):
        slow = scorer.aggregate([samples[i] for i in idx])
        for metric, value in slow.items():
            assert (math.isnan(value) and math.isnan(fast[metric][r])) or fast[metric][r] == pytest.approx(value)

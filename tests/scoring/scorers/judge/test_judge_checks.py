"""Judge models are checked before the run's first request, and can be chosen on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from emer_bench.api.scorer import ScoringContext
from emer_bench.cli.main import main
from emer_bench.errors import ConfigError
from emer_bench.scoring.scorers.judge.scorers import ClueOverlapJudge, JudgeArgs

TESTS = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(TESTS / "scoring"))
from scripted_llm import scripted_llm  # noqa: E402,F401 (fixture, used by name)

UNCACHED = "emer-bench-test/never-downloaded-judge"
JUDGED = f"""include: emer-demo
task: demo-judged
scorers:
  - name: rouge_l
  - name: judge_clue_overlap
    args: {{judge: {{model: hf_text, model_args: {{pretrained: {UNCACHED}}}}}}}
main_metric: judge_clue_overlap.score
"""


def _run(tmp_path: Path, *extra: str) -> list[str]:
    (tmp_path / "tasks").mkdir(exist_ok=True)
    (tmp_path / "tasks" / "judged.yaml").write_text(JUDGED)
    return ["run", "--model", "lexicon-baseline", "--tasks", "demo-judged", "--include-path", str(tmp_path / "tasks"),
            "--output-dir", str(tmp_path / "out"), "--no-progress", *extra]


def test_an_unavailable_judge_fails_before_any_answer(tmp_path, capsys):
    assert main(_run(tmp_path)) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"scorer 'judge_clue_overlap' arg 'judge': model 'hf_text' cannot be used: model arg pretrained='{UNCACHED}'" \
        in err and "not in the Hugging Face cache" in err
    assert not list(tmp_path.rglob("samples_*"))


def test_judge_on_the_command_line_replaces_the_tasks(tmp_path, capsys):
    missing = tmp_path / "no-such-checkpoint"
    assert main(_run(tmp_path, "--judge", "hf_text", "--judge-args", f"pretrained={missing}")) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"model 'hf_text' cannot be used: model arg pretrained='{missing}': no such checkpoint directory" in err
    assert main(_run(tmp_path, "--judge-args", "pretrained=x")) == 2
    assert "--judge-args needs --judge MODEL" in capsys.readouterr().err


def test_a_local_checkpoint_without_config_is_refused(tmp_path, capsys):
    (tmp_path / "empty-ckpt").mkdir()
    assert main(_run(tmp_path, "--judge", "hf_text", "--judge-args", f"pretrained={tmp_path / 'empty-ckpt'}")) == 2
    assert "no config.json in that directory" in capsys.readouterr().err


@pytest.mark.usefixtures("scripted_llm")
def test_context_judge_is_the_one_used_and_recorded(tmp_path):
    context = ScoringContext(cache_dir=tmp_path / "cache",
                             judge={"model": "scripted-llm", "model_args": {"default_reply": "Score: 6/10"}})
    scorer = ClueOverlapJudge(JudgeArgs(judge={"model": "hf_text", "model_args": {"pretrained": UNCACHED}}), context)
    assert scorer.args.judge.model == "scripted-llm" and scorer.describe()["args"]["judge"]["model"] == "scripted-llm"
    with pytest.raises(ConfigError, match="model 'hf_text' cannot be used"):
        ClueOverlapJudge(JudgeArgs(judge={"model": "hf_text", "model_args": {"pretrained": UNCACHED}}),
                         ScoringContext(cache_dir=tmp_path / "cache"))


def test_llm_extractor_model_is_checked_when_built(tmp_path):
    from emer_bench.scoring.extractors.llm import LLMExtractor, LLMExtractorArgs

    with pytest.raises(ConfigError, match=r"extractor 'llm': model 'hf_text' cannot be used: .*not in the Hugging"):
        LLMExtractor(LLMExtractorArgs(model="hf_text", model_args={"pretrained": UNCACHED}),
                     ScoringContext(cache_dir=tmp_path / "cache"))


def test_an_unreachable_openai_judge_is_named_before_any_answer(tmp_path, capsys):
    # Port 9 on localhost refuses connections: the judge server is not running.
    assert main(_run(tmp_path, "--judge", "openai", "--judge-args", "base_url=http://127.0.0.1:9/v1,model=j")) == 4
    err = " ".join(capsys.readouterr().err.split())
    assert "scorer 'judge_clue_overlap' arg 'judge': model 'openai' cannot be used: cannot reach the model server " \
           "at http://127.0.0.1:9/v1" in err
    assert not list(tmp_path.rglob("samples_*"))


def test_score_takes_judge_on_the_command_line_too(tmp_path, capsys):
    samples = tmp_path / "samples_demo-judged_x.jsonl"
    samples.write_text('{"task": "demo-judged", "clip_id": "c", "index": 0, "prompt": "p", "response": "happy"}\n')
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "judged.yaml").write_text(JUDGED)
    code = main(["score", str(samples), "--include-path", str(tmp_path / "tasks"), "--judge", "hf_text",
                 "--judge-args", f"pretrained={tmp_path / 'no-such-checkpoint'}"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and f"cannot be used: model arg pretrained='{tmp_path / 'no-such-checkpoint'}'" in err


def test_a_judge_that_fails_is_shown_and_sets_the_exit_code(tmp_path, capsys):
    import json

    sys.path.insert(0, str(TESTS / "model_adapters"))
    from openai_test_server import OpenAITestServer, Reply

    with OpenAITestServer(default=Reply.error(500, "judge overloaded")) as server:
        code = main(_run(tmp_path, "--limit", "3", "--n-resamples", "0", "--judge", "openai", "--judge-args",
                         f"base_url={server.base_url},model=j,max_retries=0"))
    out, err = (" ".join(text.split()) for text in capsys.readouterr())
    assert code == 3  # every answer came, but the main metric's judge scored none of them
    assert "demo-judged: scorer 'judge_clue_overlap' could not score 3 of 3 samples; first: HTTP 500: judge " \
           "overloaded" in out
    assert "incomplete: demo-judged: scorer 'judge_clue_overlap' could not score 3 of 3 samples" in err
    (results,) = (tmp_path / "out").rglob("results_*.json")
    task = json.loads(results.read_text())["results"]["demo-judged"]
    assert task["n_failed"] == 0 and task["scoring_failures"]["judge_clue_overlap"]["count"] == 3
    assert "rouge_l" not in task["scoring_failures"]

"""hf_text on a tiny random-weight Qwen2 chat LM: batching, order, the LLM-tool path, a full demo run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.hf_text import HFTextAdapter, HFTextArgs
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.samples_file import read_samples
from emer_bench.scoring.llm.tool import LLMTool, ToolModelSpec

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import GenerateSpy  # noqa: E402
from tiny_models import build_tiny_text_lm  # noqa: E402

pytestmark = pytest.mark.slow


def text_request(index: int, prompt: str, **kw) -> PreparedRequest:
    return PreparedRequest(GenerationRequest(task="judge", index=index, clip_id=f"c{index}", prompt=prompt,
                                             modalities=(Modality.SUBTITLE,), **kw))


PROMPTS = [f"Please list the emotion labels in: {'she smiles ' * n}and her voice is bright." for n in (1, 9, 3, 14, 5)]


@pytest.fixture(scope="session")
def text_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_text_lm(tmp_path_factory.mktemp("hf_text") / "tiny-chat-lm")


@pytest.fixture(scope="module")
def hf_text(text_checkpoint: Path) -> HFTextAdapter:
    adapter = ADAPTERS.get("hf_text")(HFTextArgs(pretrained=str(text_checkpoint), max_new_tokens=5))
    yield adapter
    adapter.close()


def test_batch_goes_through_one_generate_call_with_the_chat_template(hf_text: HFTextAdapter):
    spy = GenerateSpy(hf_text)
    try:
        out = hf_text.generate([text_request(i, p, system_prompt="You judge emotions.") for i, p in enumerate(PROMPTS)])
    finally:
        spy.restore()
    assert [g.index for g in out] == list(range(5)) and all(g.ok for g in out), [g.error for g in out]
    assert len(spy.calls) == 1 and spy.calls[0]["input_ids"].shape[0] == 5  # default batch_size 8
    seen = spy.decoded_inputs()
    for prompt in PROMPTS:
        expected = f"<|im_start|>system\nYou judge emotions.<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
        assert expected in seen
    assert out[0].inputs["prompt"].endswith("<|im_start|>assistant\n")
    assert out[0].usage["completion_tokens"] <= 5 and out[0].usage["finish_reason"] in ("stop", "length")


def test_batched_answers_equal_one_by_one_answers(hf_text: HFTextAdapter):
    batch = [text_request(i, p) for i, p in enumerate(PROMPTS)]
    together = [g.text for g in hf_text.generate(batch)]
    assert together == [hf_text.generate([p])[0].text for p in batch]


def test_preprocess_templates_ahead_and_leaves_tokenizing_to_the_batch(hf_text: HFTextAdapter):
    batch = [text_request(i, p) for i, p in enumerate(PROMPTS)]
    ahead = [hf_text.preprocess(p) for p in batch]
    assert all(p.payload.encoded is None and p.payload.text.endswith("<|im_start|>assistant\n") for p in ahead)
    plain = hf_text.generate(batch)
    assert [(g.text, g.inputs) for g in hf_text.generate(ahead)] == [(g.text, g.inputs) for g in plain]


def test_stream_batches_by_length_and_keeps_request_order(text_checkpoint: Path):
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(text_checkpoint), max_new_tokens=2, batch_size=3,
                                       window_batches=2))
    spy = GenerateSpy(adapter)
    requests = [text_request(i, PROMPTS[i % 5] + f" #{i}") for i in range(14)]
    out = list(adapter.generate_stream(iter(requests)))
    assert [g.index for g in out] == list(range(14))
    assert [c["input_ids"].shape[0] for c in spy.calls] == [3, 3, 3, 3, 2]  # windows of 6, 6, 2
    widths = [c["input_ids"].shape[1] for c in spy.calls]
    assert widths[0] <= widths[1] and widths[2] <= widths[3]  # shortest prompts first inside a window


def test_generation_kwargs_precedence(text_checkpoint: Path, hf_text: HFTextAdapter):
    spy = GenerateSpy(hf_text)
    try:
        hf_text.generate([text_request(0, "hi", gen_kwargs={"max_tokens": 2, "temperature": 0})])
    finally:
        spy.restore()
    assert spy.calls[0]["max_new_tokens"] == 5  # set on the command line: beats the task's max_tokens
    assert spy.calls[0]["do_sample"] is False and "temperature" not in spy.calls[0]
    task_wins = HFTextAdapter(HFTextArgs(pretrained=str(text_checkpoint)))
    spy = GenerateSpy(task_wins)
    out = task_wins.generate([text_request(0, "hi", gen_kwargs={"max_tokens": 2})])
    assert spy.calls[0]["max_new_tokens"] == 2 and out[0].usage["completion_tokens"] <= 2


def test_unknown_gen_kwarg_fails_each_sample_clearly(hf_text: HFTextAdapter):
    out = hf_text.generate([text_request(0, "hi", gen_kwargs={"stop_sequence": "\n"})])
    assert out[0].error.startswith("ConfigError: task gen_kwargs {'stop_sequence': '\\n'} not usable")


def test_sampling_is_reproducible(text_checkpoint: Path):
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(text_checkpoint), max_new_tokens=6, temperature=1.0, seed=7))
    batch = [text_request(i, p) for i, p in enumerate(PROMPTS[:3])]
    first, second = adapter.generate(batch), adapter.generate(batch)
    assert first[0].inputs["gen_kwargs"]["do_sample"] is True
    assert [g.text for g in first] == [g.text for g in second]


def test_as_llm_tool_for_judges_and_extractors(text_checkpoint: Path, tmp_path: Path):
    spec = ToolModelSpec(model="hf_text", model_args={"pretrained": str(text_checkpoint), "max_new_tokens": 3})
    tool = LLMTool(spec, ScoringContext(cache_dir=tmp_path), purpose="judge_test")
    answers = tool.generate(PROMPTS + PROMPTS[:1], system_prompt="Score 0-10.")
    assert [a.index for a in answers] == list(range(6)) and all(a.ok for a in answers)
    assert answers[5].text == answers[0].text and tool.model_calls == 5  # duplicate prompt asked once
    assert tool.describe()["model_info"]["model_class"] == "Qwen2ForCausalLM"


def test_raw_prompt_mode_for_checkpoints_without_chat_template(tmp_path: Path):
    path = build_tiny_text_lm(tmp_path / "base-lm", chat_template=None)
    with pytest.raises(ConfigError, match="has no chat template; pass apply_chat_template=false"):
        HFTextAdapter(HFTextArgs(pretrained=str(path))).ensure_loaded()
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(path), apply_chat_template=False, max_new_tokens=2))
    out = adapter.generate([text_request(0, "The emotion is", system_prompt="Answer.")])
    assert out[0].ok and out[0].inputs["prompt"] == "Answer.\n\nThe emotion is"


def test_hub_id_not_in_the_offline_cache_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"pretrained='nobody/no-such-model': cannot load the config"):
        HFTextAdapter(HFTextArgs(pretrained="nobody/no-such-model")).ensure_loaded()


def test_full_demo_run_with_the_cli_spine(text_checkpoint: Path, tmp_path: Path):
    config = RunConfig(model="hf_text", tasks=["emer-demo"], limit=3, output_dir=tmp_path, n_resamples=20,
                       model_args={"pretrained": str(text_checkpoint), "max_new_tokens": 4, "batch_size": 2})
    results, path = run_evaluation(config)
    task = results["results"]["emer-demo"]
    assert task["n_total"] == 3
    samples = read_samples(path.parent / task["config"]["samples_file"])
    for record in samples.values():  # random weights may emit only special tokens: then an explicit error
        assert record.ok or record.error.startswith("EmptyAnswer:")
        assert record.inputs["modalities_not_taken"] == ["audio", "video"]
        assert "Subtitle content of this video" in record.inputs["prompt"]


def test_a_judge_whose_answers_are_all_cached_loads_nothing(text_checkpoint: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    spec = ToolModelSpec(model="hf_text", model_args={"pretrained": str(text_checkpoint), "max_new_tokens": 3})
    first = LLMTool(spec, ScoringContext(cache_dir=tmp_path), purpose="judge_test")
    answers = first.generate(PROMPTS[:2], system_prompt="Score 0-10.")
    assert first.model_calls == 2 and all(a.ok for a in answers)
    loads: list[str] = []
    monkeypatch.setattr(HFTextAdapter, "load_model", lambda self, path, kwargs: loads.append(path))
    again = LLMTool(spec, ScoringContext(cache_dir=tmp_path), purpose="judge_test")  # a re-score, a new process
    assert [a.text for a in again.generate(PROMPTS[:2], system_prompt="Score 0-10.")] == [a.text for a in answers]
    assert again.model_calls == 0 and again.cache_hits == 2 and loads == []

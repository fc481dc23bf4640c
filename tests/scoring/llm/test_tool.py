"""`LLMTool` through the real registry with the ScriptedLLMAdapter test stand-in."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, Iterator

import pytest

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.registries import ADAPTERS
from emer_bench.scoring.llm.tool import GREEDY, LLMTool, ToolModelSpec, strip_secrets

sys.path.insert(0, str(Path(__file__).parents[1]))
from scripted_llm import ScriptedLLMAdapter, scripted_llm, tool_context  # noqa: E402,F401 (fixtures)


def make_tool(context: ScoringContext, **model_args) -> LLMTool:
    spec = ToolModelSpec(model="scripted-llm", model_args={"default_reply": "fine", **model_args})
    return LLMTool(spec, context, purpose="unit")


def test_answers_come_back_in_input_order_with_text_only_greedy_requests(scripted_llm, tool_context) -> None:
    tool = make_tool(tool_context, replies={"one": "1", "two": "2", "three": "3"})
    out = tool.generate(["say three", "say one", "say two"], ids=["c3", "c1", "c2"])
    assert [g.text for g in out] == ["3", "1", "2"]
    assert [g.index for g in out] == [0, 1, 2]
    request = scripted_llm.calls[0]
    assert request.modalities == (Modality.SUBTITLE,)
    assert request.video_path is None and request.audio_path is None and request.subtitle is None
    assert request.gen_kwargs == GREEDY
    assert request.task == "unit" and request.clip_id == "c3"


def test_identical_prompts_are_asked_once(scripted_llm, tool_context) -> None:
    tool = make_tool(tool_context)
    out = tool.generate(["same", "other", "same", "same"])
    assert len(scripted_llm.calls) == 2
    assert [g.text for g in out] == ["fine"] * 4
    assert [g.index for g in out] == [0, 1, 2, 3]


def test_batches_follow_the_adapters_batch_size(scripted_llm, tool_context) -> None:
    tool = make_tool(tool_context, batch_size=3)
    tool.generate([f"prompt {i}" for i in range(7)])
    assert scripted_llm.batches == [3, 3, 1]


def test_second_run_is_served_from_the_disk_cache(scripted_llm, tmp_path: Path) -> None:
    first = make_tool(ScoringContext(cache_dir=tmp_path))
    first.generate(["a", "b"])
    assert first.model_calls == 2 and len(scripted_llm.calls) == 2
    second = make_tool(ScoringContext(cache_dir=tmp_path))  # a new process: fresh context, same cache dir
    out = second.generate(["b", "a", "c"])
    assert [g.text for g in out] == ["fine"] * 3
    assert second.model_calls == 1 and second.cache_hits == 2
    assert [r.prompt for r in scripted_llm.calls] == ["a", "b", "c"]
    assert out[0].inputs == {"cached": True}
    identity_files = list((tmp_path / "llm_tool").glob("*.identity.json"))
    assert len(identity_files) == 1
    assert json.loads(identity_files[0].read_text())["adapter"] == "scripted-llm"


def test_failed_answers_are_not_cached_and_are_asked_again(scripted_llm, tmp_path: Path) -> None:
    tool = make_tool(ScoringContext(cache_dir=tmp_path), errors={"flaky": "server down"})
    out = tool.generate(["flaky one", "good"])
    assert out[0].error == "ScriptedError: server down" and out[0].text is None
    assert out[1].text == "fine"
    again = make_tool(ScoringContext(cache_dir=tmp_path), errors={"flaky": "server down"})
    again.generate(["flaky one", "good"])
    assert again.model_calls == 1 and again.cache_hits == 1


def test_cache_off_always_asks(scripted_llm, tool_context) -> None:
    spec = ToolModelSpec(model="scripted-llm", model_args={"default_reply": "x"}, cache=False)
    LLMTool(spec, tool_context, purpose="unit").generate(["p"])
    LLMTool(spec, ScoringContext(cache_dir=tool_context.cache_dir), purpose="unit").generate(["p"])
    assert len(scripted_llm.calls) == 2
    assert not (tool_context.cache_dir / "llm_tool").exists()


def test_other_generation_settings_do_not_share_cached_answers(scripted_llm, tool_context) -> None:
    make_tool(tool_context).generate(["p"])
    spec = ToolModelSpec(model="scripted-llm", model_args={"default_reply": "fine"}, gen_kwargs={"max_new_tokens": 5})
    tool = LLMTool(spec, tool_context, purpose="unit")
    tool.generate(["p"])
    assert tool.model_calls == 1
    assert scripted_llm.calls[-1].gen_kwargs == {**GREEDY, "max_new_tokens": 5}


def test_one_adapter_instance_per_identity_per_process(scripted_llm, tool_context) -> None:
    a, b = make_tool(tool_context), make_tool(tool_context)
    assert a.adapter is b.adapter
    assert make_tool(tool_context, label="other").adapter is not a.adapter


def test_identity_and_describe_hold_no_secrets(scripted_llm, tool_context) -> None:
    tool = make_tool(tool_context, api_key="sk-very-secret")
    tool.generate(["p"])
    described = json.dumps(tool.describe())
    assert "sk-very-secret" not in described and "api_key" not in described
    assert tool.describe()["model_id"] == "scripted-judge-v1"
    cache_files = "".join(p.read_text() for p in (tool_context.cache_dir / "llm_tool").iterdir())
    assert "sk-very-secret" not in cache_files


def test_strip_secrets_drops_secret_keys_and_url_credentials() -> None:
    data = {"api_key": "k", "headers": {"Authorization": "Bearer k", "X-Trace": "1"}, "model": "m",
            "base_url": "https://user:pw@host:8000/v1", "hf_token": "t"}
    assert strip_secrets(data) == {"headers": {"X-Trace": "1"}, "model": "m", "base_url": "https://host:8000/v1"}


def test_unknown_model_fails_when_built(tool_context) -> None:
    with pytest.raises(UnknownNameError, match="unit: unknown model 'scripted-lm'"):
        LLMTool(ToolModelSpec(model="scripted-lm"), tool_context, purpose="unit")


def test_bad_model_args_name_the_key_when_the_tool_is_built(scripted_llm, tool_context) -> None:
    # Built with the task's scorers, i.e. before the run's model loads or is asked anything.
    with pytest.raises(ConfigError, match=r"model_args of 'scripted-llm': unknown key 'temprature'"):
        make_tool(tool_context, temprature=0)


class _VideoOnly(ScriptedLLMAdapter):
    name = "video-only-test"
    modalities = frozenset({Modality.VIDEO})


def test_a_model_that_takes_no_text_is_refused(tool_context) -> None:
    ADAPTERS.add("video-only-test", _VideoOnly, origin="runtime", replace=True)
    with pytest.raises(ConfigError, match="does not take text"):
        LLMTool(ToolModelSpec(model="video-only-test"), tool_context, purpose="unit")


class _ReversedStream(ScriptedLLMAdapter):
    """Answers out of order, like a concurrent API client."""

    name = "reversed-stream-test"

    def generate_stream(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
        yield from reversed(self.generate(list(requests)))


class _CrashingStream(ScriptedLLMAdapter):
    name = "crashing-stream-test"

    def generate_stream(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
        batch = list(requests)
        yield self.generate(batch[:1])[0]
        raise RuntimeError("connection lost")


def test_out_of_order_streams_are_put_back_in_order(scripted_llm, tool_context) -> None:
    ADAPTERS.add("reversed-stream-test", _ReversedStream, origin="runtime", replace=True)
    spec = ToolModelSpec(model="reversed-stream-test", model_args={"replies": {"a": "A", "b": "B", "c": "C"}})
    out = LLMTool(spec, tool_context, purpose="unit").generate(["a", "b", "c", "a"])
    assert [g.text for g in out] == ["A", "B", "C", "A"]


def test_a_crash_mid_stream_is_recorded_per_unanswered_prompt(scripted_llm, tool_context) -> None:
    ADAPTERS.add("crashing-stream-test", _CrashingStream, origin="runtime", replace=True)
    spec = ToolModelSpec(model="crashing-stream-test", model_args={"default_reply": "ok"})
    out = LLMTool(spec, tool_context, purpose="unit").generate(["a", "b", "c"])
    assert out[0].text == "ok"
    assert [g.error for g in out[1:]] == ["RuntimeError: connection lost"] * 2

"""The `llm` label extractor through the registry, with the ScriptedLLMAdapter test stand-in
and with the real `openai` adapter against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from emer_bench.api.scorer import LabelExtractor, ScorerArgs, ScoringContext
from emer_bench.errors import UnknownNameError
from emer_bench.registries import EXTRACTORS
from emer_bench.scoring.extractors.llm import LLMExtractor, LLMExtractorArgs
from emer_bench.scoring.extractors.outcome import ExtractedLabels, extract_with_errors
from emer_bench.scoring.extractors.prompt import PUBLISHED_EXTRACTION_PROMPT, extraction_prompt
from emer_bench.scoring.llm.tool import sha256_text

TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TESTS / "scoring"))
sys.path.insert(0, str(TESTS / "model_adapters"))
from scripted_llm import scripted_llm, tool_context  # noqa: E402,F401 (fixtures)
from openai_test_server import OpenAITestServer, Reply  # noqa: E402

SCRIPT = {"replies": {"grinning": "Output: [Happy, relaxed]", "weeps": "[sad]\n", "unclear": "[]"},
          "errors": {"overloaded": "503 from server"}, "api_key": "sk-extractor-secret"}


def extractor(context: ScoringContext, **extra) -> LLMExtractor:
    return LLMExtractor(LLMExtractorArgs(model="scripted-llm", model_args=SCRIPT, **extra), context)


def test_registered_as_llm() -> None:
    assert EXTRACTORS.get("llm") is LLMExtractor


def test_published_prompt_cleanup_and_rule_1(scripted_llm, tool_context) -> None:
    labels = extractor(tool_context).extract(["He is grinning.", "She weeps quietly.", "Expression unclear."])
    assert labels == [["happy", "relaxed"], ["sad"], []]
    assert scripted_llm.calls[0].prompt == extraction_prompt("He is grinning.")
    assert scripted_llm.calls[0].gen_kwargs == {"do_sample": False, "temperature": 0.0, "max_new_tokens": 256}


def test_a_failed_extraction_is_recorded_not_silent(scripted_llm, tool_context) -> None:
    ex = extractor(tool_context)
    detailed = ex.extract_detailed(["He is grinning.", "server overloaded text"])
    assert detailed[0] == ExtractedLabels(labels=["happy", "relaxed"], raw="Output: [Happy, relaxed]")
    assert detailed[1] == ExtractedLabels(labels=[], error="ScriptedError: 503 from server")
    assert ex.extract(["server overloaded text"]) == [[]]  # the contract's type; the failure is kept:
    assert [f.error for f in ex.failures] == ["ScriptedError: 503 from server"] * 2
    assert ex.failures[0].text_sha256 == sha256_text("server overloaded text")
    assert ex.describe()["n_failures"] == 2


def test_extract_with_errors_uses_detail_when_offered(scripted_llm, tool_context) -> None:
    out = extract_with_errors(extractor(tool_context), ["server overloaded text"])
    assert out[0].error == "ScriptedError: 503 from server"

    class Plain(LabelExtractor):
        name = "plain-test"

        def extract(self, texts: list[str]) -> list[list[str]]:
            return [["calm"] for _ in texts]

    assert extract_with_errors(Plain(ScorerArgs(), tool_context), ["x"]) == [ExtractedLabels(["calm"])]


def test_cached_second_run_asks_nothing(scripted_llm, tmp_path: Path) -> None:
    texts = ["He is grinning.", "She weeps quietly."]
    first = extractor(ScoringContext(cache_dir=tmp_path)).extract(texts)
    second_extractor = extractor(ScoringContext(cache_dir=tmp_path))
    assert second_extractor.extract(texts) == first
    assert len(scripted_llm.calls) == 2 and second_extractor.tool.model_calls == 0


def test_describe_records_model_settings_and_prompt_hash(scripted_llm, tool_context) -> None:
    ex = extractor(tool_context, gen_kwargs={"max_new_tokens": 64})
    ex.extract(["He is grinning."])
    described = ex.describe()
    assert described["extractor"] == "llm"
    assert described["prompt_sha256"] == sha256_text(PUBLISHED_EXTRACTION_PROMPT)
    assert described["decoding"] == {"do_sample": False, "temperature": 0.0, "max_new_tokens": 64}
    assert described["model"]["model_id"] == "scripted-judge-v1"
    assert "sk-extractor-secret" not in json.dumps(described)


def test_unknown_model_is_named(tool_context) -> None:
    with pytest.raises(UnknownNameError, match="extractor 'llm': unknown model 'qwen-7b'"):
        LLMExtractor(LLMExtractorArgs(model="qwen-7b"), tool_context)


def test_openai_adapter_as_extractor_over_http(tool_context) -> None:
    with OpenAITestServer(default=Reply.ok("Output: [Surprised, Curious]")) as server:
        ex = LLMExtractor(LLMExtractorArgs(model="openai", model_args={"base_url": server.base_url, "model": "qwen2.5-7b"}),
                          tool_context)
        assert ex.extract(["His eyebrows rise; he leans in."]) == [["surprised", "curious"]]
        body = server.requests[0].body
    assert body["temperature"] == 0.0 and body["max_tokens"] == 256
    content = body["messages"][-1]["content"]
    text = content if isinstance(content, str) else content[-1]["text"]
    assert text == extraction_prompt("His eyebrows rise; he leans in.")

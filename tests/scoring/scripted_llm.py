"""TEST STAND-IN: `ScriptedLLMAdapter`, a real ModelAdapter (registered at runtime as
"scripted-llm") that answers text prompts from a script instead of running a model. It lets
the judge and LLM-extractor tests run offline through the real registry / LLMTool path.

    replies: {"substring of the prompt": "reply", ...}   first matching rule wins
    errors:  {"substring": "message"}                      -> Generation(error="ScriptedError: message")
    default_reply: reply when no rule matches (None: an error Generation)

Every request it receives is appended to `ScriptedLLMAdapter.calls` (class-wide, reset by
the `scripted_llm` fixture), and every batch size to `ScriptedLLMAdapter.batches`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator

import pytest
from pydantic import Field, SecretStr

from emer_bench.api.adapter import AdapterArgs, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.registries import ADAPTERS

SCRIPTED_NAME = "scripted-llm"


class ScriptedLLMArgs(AdapterArgs):
    replies: dict[str, str] = Field(default_factory=dict)
    errors: dict[str, str] = Field(default_factory=dict)
    default_reply: str | None = None
    label: str = "scripted-judge-v1"  # the model_id
    api_key: SecretStr | None = Field(default=None, json_schema_extra={"secret": True})


class ScriptedLLMAdapter(ModelAdapter):
    name = SCRIPTED_NAME
    description = "TEST STAND-IN: answers prompts from a script"
    modalities = frozenset({Modality.SUBTITLE})
    Args = ScriptedLLMArgs

    calls: ClassVar[list[GenerationRequest]] = []
    batches: ClassVar[list[int]] = []

    @property
    def model_id(self) -> str:
        return self.args.label  # type: ignore[attr-defined]

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        args: ScriptedLLMArgs = self.args  # type: ignore[assignment]
        ScriptedLLMAdapter.batches.append(len(batch))
        out: list[Generation] = []
        for prepared in batch:
            request = prepared.request
            ScriptedLLMAdapter.calls.append(request)
            out.append(self._answer(args, request))
        return out

    @staticmethod
    def _answer(args: ScriptedLLMArgs, request: GenerationRequest) -> Generation:
        for needle, message in args.errors.items():
            if needle in request.prompt:
                return Generation(index=request.index, error=f"ScriptedError: {message}")
        for needle, reply in args.replies.items():
            if needle in request.prompt:
                return Generation(index=request.index, text=reply, inputs={"prompt": request.prompt})
        if args.default_reply is None:
            return Generation(index=request.index, error="ScriptedError: no scripted reply")
        return Generation(index=request.index, text=args.default_reply, inputs={"prompt": request.prompt})


@pytest.fixture
def scripted_llm() -> Iterator[type[ScriptedLLMAdapter]]:
    """Registers the stand-in as "scripted-llm" and clears its call log."""
    ADAPTERS.add(SCRIPTED_NAME, ScriptedLLMAdapter, "TEST STAND-IN", {"modalities": ["subtitle"]},
                 origin="runtime", replace=True)
    ScriptedLLMAdapter.calls.clear()
    ScriptedLLMAdapter.batches.clear()
    yield ScriptedLLMAdapter
    ScriptedLLMAdapter.calls.clear()
    ScriptedLLMAdapter.batches.clear()


@pytest.fixture
def tool_context(tmp_path: Path) -> ScoringContext:
    """A scoring context whose LLM-tool cache lives in the test's temporary directory."""
    return ScoringContext(cache_dir=tmp_path / "cache")

"""Any registered model adapter used as a text-in/text-out tool: LLM judges and the LLM label
extractor share this one implementation.

`LLMTool` builds the adapter named in a `ToolModelSpec` (args validated by the adapter's own
`Args`), keeps one instance per process (`ScoringContext.shared`), sends text-only requests
(modality SUBTITLE, no media) through `generate_stream` (so the adapter batches or runs them
concurrently as it does for a normal run), and returns one Generation per prompt in input
order. Answers are cached on disk keyed by the tool identity (adapter, public model args,
generation settings) and the sha256 of the prompt text, so re-scoring asks nothing twice.
Identical prompts inside one call are sent once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

from emer_bench.api.adapter import AdapterArgs, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import ConfigError, EmerBenchError, UnknownNameError
from emer_bench.redact import public_args, register_arg_secrets
from emer_bench.validation import validate
from emer_bench.registries import ADAPTERS
from emer_bench.scoring.llm.cache import JsonlAnswerCache
from emer_bench.results.writer import write_text_atomic

# Greedy decoding: adapters map do_sample=False to temperature 0 where the backend needs it.
GREEDY: dict[str, Any] = {"do_sample": False, "temperature": 0.0}


class ToolModelSpec(BaseModel):
    """Which model acts as the tool: `{model: openai, model_args: {...}, gen_kwargs: {...}}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)  # a registered adapter name (see `emer-bench list models`)
    model_args: dict[str, Any] = Field(default_factory=dict)  # validated by that adapter's Args
    gen_kwargs: dict[str, Any] = Field(default_factory=dict)  # merged over the tool's defaults
    cache: bool = True  # reuse answers from the on-disk cache

    def public(self) -> dict[str, Any]:
        """The spec as recorded in results: secret model args removed."""
        return {"model": self.model, "model_args": strip_secrets(self.model_args),
                "gen_kwargs": dict(self.gen_kwargs), "cache": self.cache}


def strip_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """Drop keys that name secrets (api_key, token, ...) at any depth; drop user:pass@ from URLs."""
    return public_args(data)


def _secret_fields(args_cls: type[AdapterArgs]) -> set[str]:
    """Fields an adapter declares secret (SecretStr or json_schema_extra={"secret": True})."""
    names: set[str] = set()
    for name, info in args_cls.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("secret") or "SecretStr" in repr(info.annotation):
            names.add(name)
    return names


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


def default_cache_root(context: ScoringContext) -> Path:
    return context.cache_dir if context.cache_dir is not None else Path(platformdirs.user_cache_dir("emer-bench"))


class LLMTool:
    """One model used as a tool. Cheap to construct: the adapter is built on first use."""

    def __init__(self, spec: ToolModelSpec, context: ScoringContext, purpose: str,
                 default_gen_kwargs: dict[str, Any] | None = None, where: str = "") -> None:
        self.spec = spec
        self.context = context
        self.purpose = purpose  # e.g. "judge_clue_overlap"; names the requests' task
        self.where = where or purpose  # names the YAML key in errors
        self.gen_kwargs: dict[str, Any] = {**(default_gen_kwargs or GREEDY), **spec.gen_kwargs}
        if spec.model not in ADAPTERS:  # a typo fails when the scorer is built, before any run
            raise UnknownNameError(f"{self.where}: {ADAPTERS.unknown_message(spec.model)}")
        self._adapter_cls: type[ModelAdapter[Any]] | None = None
        self._args: AdapterArgs | None = None
        self._adapter: ModelAdapter[Any] | None = None
        self._cache: JsonlAnswerCache | None = None
        self.model_calls = 0  # prompts sent to the model by this tool (cache misses)
        self.cache_hits = 0
        self.check()  # tools are built with the task's scorers: before any model loads or is asked

    # -- identity ---------------------------------------------------------------------------
    def _validated(self) -> tuple[type[ModelAdapter[Any]], AdapterArgs]:
        if self._adapter_cls is None or self._args is None:
            cls = ADAPTERS.get(self.spec.model)
            if Modality.SUBTITLE not in cls.modalities:
                raise ConfigError(f"{self.where}: model '{self.spec.model}' does not take text "
                                  f"(modalities {sorted(m.value for m in cls.modalities)})")
            register_arg_secrets(self.spec.model_args)  # before validation: its messages may echo a value
            args = validate(cls.Args, self.spec.model_args, f"{self.where}: model_args of '{self.spec.model}'")
            register_arg_secrets(dict(args))  # a judge's key is masked wherever a message echoes it
            self._adapter_cls, self._args = cls, args
        return self._adapter_cls, self._args

    def check(self) -> None:
        """Before the run's first request: the tool's args are valid and its model can be loaded or
        reached (`AdapterArgs.check_available`); else one error line naming this tool."""
        _, args = self._validated()
        try:
            args.check_available()
        except EmerBenchError as exc:  # same class, so the exit code says what kind of problem it is
            raise type(exc)(f"{self.where}: model '{self.spec.model}' cannot be used: {exc}") from None

    def public_model_args(self) -> dict[str, Any]:
        """The validated model args (defaults included) without secrets."""
        cls, args = self._validated()
        dumped = args.model_dump(mode="json", exclude=_secret_fields(cls.Args))
        return strip_secrets(dumped)

    def identity(self) -> dict[str, Any]:
        """What decides the answers: the cache key's first half, recorded in results."""
        return {"adapter": self.spec.model, "model_args": self.public_model_args(), "gen_kwargs": self.gen_kwargs}

    def identity_sha256(self) -> str:
        return sha256_text(_canonical(self.identity()))

    def describe(self) -> dict[str, Any]:
        out = self.identity()
        if self._adapter is not None:  # the model_id is known once the adapter was built
            out["model_id"] = self._adapter.model_id
            out["model_info"] = self._adapter.describe()
        out["cache"] = str(self._cache.path) if self._cache is not None else None
        return out

    # -- adapter and cache --------------------------------------------------------------------
    @property
    def adapter(self) -> ModelAdapter[Any]:
        if self._adapter is None:
            cls, args = self._validated()
            self._adapter = self.context.shared(f"llm-tool:{self.identity_sha256()}", lambda: cls(args))
        return self._adapter

    def cache(self) -> JsonlAnswerCache | None:
        if not self.spec.cache:
            return None
        if self._cache is None:
            folder = default_cache_root(self.context) / "llm_tool"
            sha = self.identity_sha256()
            identity_file = folder / f"{sha[:24]}.identity.json"
            if not identity_file.is_file():  # for humans auditing the cache
                folder.mkdir(parents=True, exist_ok=True)
                write_text_atomic(identity_file, json.dumps(self.identity(), indent=2, sort_keys=True, default=str))
            self._cache = JsonlAnswerCache(folder / f"{sha[:24]}.jsonl")
        return self._cache

    @staticmethod
    def prompt_key(prompt: str, system_prompt: str | None) -> str:
        return sha256_text(_canonical({"system": system_prompt, "prompt": prompt}))

    # -- generation -----------------------------------------------------------------------------
    def generate(self, prompts: list[str], ids: list[str] | None = None,
                 system_prompt: str | None = None) -> list[Generation]:
        """One Generation per prompt, in order (`index` = position). Errors are Generations too."""
        if ids is not None and len(ids) != len(prompts):
            raise ValueError(f"{len(ids)} ids for {len(prompts)} prompts")
        cache = self.cache()
        results: list[Generation | None] = [None] * len(prompts)
        pending: dict[str, list[int]] = {}  # prompt key -> positions asking it
        for i, prompt in enumerate(prompts):
            key = self.prompt_key(prompt, system_prompt)
            hit = cache.get(key) if cache is not None else None
            if hit is not None:
                self.cache_hits += 1
                results[i] = Generation(index=i, text=hit["text"], latency_s=hit.get("latency_s"),
                                        usage=hit.get("usage") or {}, inputs={"cached": True})
            else:
                pending.setdefault(key, []).append(i)
        if pending:
            self._ask(prompts, ids, system_prompt, pending, results, cache)
        return [g if g is not None else Generation(index=i, error=f"AdapterError: {self.spec.model} gave no answer")
                for i, g in enumerate(results)]

    def _ask(self, prompts: list[str], ids: list[str] | None, system_prompt: str | None,
             pending: dict[str, list[int]], results: list[Generation | None], cache: JsonlAnswerCache | None) -> None:
        keys = list(pending)
        requests = []
        for j, key in enumerate(keys):
            first = pending[key][0]
            requests.append(PreparedRequest(GenerationRequest(
                task=self.purpose, index=j, clip_id=ids[first] if ids is not None else f"{self.purpose}-{first}",
                prompt=prompts[first], modalities=(Modality.SUBTITLE,), system_prompt=system_prompt,
                gen_kwargs=dict(self.gen_kwargs))))
        adapter = self.adapter
        self.model_calls += len(requests)
        answered: set[int] = set()
        try:
            for generation in adapter.generate_stream(iter(requests)):
                j = generation.index
                if not 0 <= j < len(keys) or j in answered:
                    continue  # an adapter bug; the position stays unanswered and is reported below
                answered.add(j)
                if generation.ok and cache is not None:
                    cache.put(keys[j], {"text": generation.text, "latency_s": generation.latency_s,
                                        "usage": generation.usage})
                for i in pending[keys[j]]:
                    results[i] = replace(generation, index=i)
        except Exception as exc:  # noqa: BLE001 - recorded per prompt, like an adapter's own failures
            error = f"{type(exc).__name__}: {exc}"
            for j, key in enumerate(keys):
                if j not in answered:
                    for i in pending[key]:
                        results[i] = Generation(index=i, error=error)

"""Generation kwargs for the transformers adapters: task `gen_kwargs` → `model.generate` kwargs.

Precedence: arguments the user gave in `--model-args` beat the task's `gen_kwargs`, which beat
the adapter defaults. Decoding is greedy unless sampling is asked for (`do_sample` or a
temperature > 0), so scores are reproducible; the checkpoint's own generation_config does not
silently switch sampling on.
"""

from __future__ import annotations

from typing import Any

from emer_bench.api.generation import (
    API_ONLY,
    GEN_KWARG_ALIASES,
    GenerationSettings,
    SamplingArgs,
    parse_generation_settings,
)
from emer_bench.api.records import Generation
from emer_bench.errors import ConfigError
from .hf_inputs import ModelInput

__all__ = [
    "GENERATION_ARG_NAMES",
    "GEN_KWARG_ALIASES",
    "SamplingArgs",
    "completion_lengths",
    "normalise_task_kwargs",
    "resolve_generation_kwargs",
]

SAMPLING_ONLY = ("temperature", "top_p", "top_k")
GENERATION_ARG_NAMES = ("max_new_tokens", *SamplingArgs.model_fields)


def normalise_task_kwargs(task_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Map aliases and validate against the one schema (emer_bench.api.generation); a bad key or
    value, or a Chat-Completions-only setting, raises ConfigError naming it."""
    where = f"task gen_kwargs {task_kwargs!r} not usable by transformers adapters"
    checked: GenerationSettings = parse_generation_settings(task_kwargs, where)
    unusable = [key for key in API_ONLY if getattr(checked, key) is not None]
    if unusable:
        raise ConfigError(f"{where} ({', '.join(unusable)}: Chat Completions only; "
                          f"supported: {', '.join(GENERATION_ARG_NAMES)})")
    return checked.as_kwargs()


def resolve_generation_kwargs(defaults: dict[str, Any], task_kwargs: dict[str, Any],
                              explicit: dict[str, Any]) -> dict[str, Any]:
    """The kwargs passed to `model.generate` for one request."""
    merged = {**defaults, **normalise_task_kwargs(task_kwargs), **explicit}
    merged = {k: v for k, v in merged.items() if v is not None}
    temperature = merged.get("temperature")
    if "do_sample" not in merged:
        merged["do_sample"] = bool(temperature)
    elif merged["do_sample"] and temperature == 0:
        raise ConfigError("do_sample=true with temperature=0 is contradictory; drop one of them")
    if not merged["do_sample"]:
        for key in SAMPLING_ONLY:  # meaningless when greedy; transformers would warn
            merged.pop(key, None)
    return merged


def completion_lengths(new_tokens: Any, eos_ids: set[int]) -> list[tuple[int, bool]]:
    """Per row of generated ids: (tokens up to and including the first EOS, whether an EOS came)."""
    out: list[tuple[int, bool]] = []
    for row in new_tokens.tolist():
        stop = next((i for i, token in enumerate(row) if token in eos_ids), None)
        out.append((len(row), False) if stop is None else (stop + 1, True))
    return out


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """Every id that ends an answer: the model's generation config's and the tokenizer's."""
    ids: set[int] = set()
    for source in (getattr(model, "generation_config", None), tokenizer):
        value = getattr(source, "eos_token_id", None)
        ids.update(value if isinstance(value, (list, tuple)) else [value] if value is not None else [])
    return ids


def answers(items: list[ModelInput], texts: list[str], lengths: list[tuple[int, bool]], prompt_tokens: list[int],
            latency: float, gen_kwargs: dict[str, Any]) -> list[Generation]:
    """One Generation per row of a `generate` call: text, token usage and what reached the model."""
    generations = []
    for row, item in enumerate(items):
        n_new, stopped = lengths[row]
        usage = {"prompt_tokens": int(prompt_tokens[row]), "completion_tokens": n_new,
                 "finish_reason": "stop" if stopped else "length", "batch_size": len(items)}
        inputs = {"prompt": item.text, **item.media.audit, "gen_kwargs": gen_kwargs}
        text = texts[row].strip()
        # An answer with no text is recorded as a failure, never passed on as an empty answer.
        error = None if text else f"EmptyAnswer: the model produced no text ({n_new} new tokens)"
        generations.append(Generation(index=item.index, text=text or None, error=error, latency_s=latency,
                                      usage=usage, inputs=inputs))
    return generations

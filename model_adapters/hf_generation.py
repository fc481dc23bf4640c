"""Generation kwargs for the transformers adapters: task `gen_kwargs` → `model.generate` kwargs.

Precedence: arguments the user gave in `--model-args` beat the task's `gen_kwargs`, which beat
the adapter defaults. Decoding is greedy unless sampling is asked for (`do_sample` or a
temperature > 0), so scores are reproducible; the checkpoint's own generation_config does not
silently switch sampling on.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emer_bench.errors import ConfigError

# Names other harnesses / APIs use for the same thing.
GEN_KWARG_ALIASES = {"max_tokens": "max_new_tokens", "max_gen_toks": "max_new_tokens",
                     "max_completion_tokens": "max_new_tokens"}
SAMPLING_ONLY = ("temperature", "top_p", "top_k")


class SamplingArgs(BaseModel):
    """Decoding settings, one list for a task's `gen_kwargs` and the adapters' `--model-args`."""

    do_sample: bool | None = None
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    top_k: int | None = Field(None, ge=0)
    repetition_penalty: float | None = Field(None, gt=0)
    num_beams: int | None = Field(None, ge=1)


class GenerationKwargs(SamplingArgs):
    """The generation arguments a task may set; unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_new_tokens: int | None = Field(None, ge=1)


GENERATION_ARG_NAMES = ("max_new_tokens", *SamplingArgs.model_fields)


def normalise_task_kwargs(task_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Map aliases and validate; a bad key or value raises ConfigError naming it."""
    renamed = {GEN_KWARG_ALIASES.get(k, k): v for k, v in task_kwargs.items()}
    try:
        checked = GenerationKwargs.model_validate(renamed)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"task gen_kwargs {task_kwargs!r} not usable by transformers adapters ({problems}; "
                          f"supported: {', '.join(GENERATION_ARG_NAMES)})") from None
    return checked.model_dump(exclude_none=True)


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

"""Generation settings: one typed schema for a task's `generation:`, `--gen-kwargs` and the
requests built from them (`GenerationRequest.gen_kwargs` is `GenerationSettings.as_kwargs()`).

A wrong value (`temperature=hot`, `max_new_tokens=-5`) or an unknown key is refused where it
is written, with the key, the value and (for a typo) the closest known name, instead of being
forwarded to the model. Names other harnesses use for the output length (`max_tokens`,
`max_gen_toks`, `max_completion_tokens`) are accepted and stored as `max_new_tokens`.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emer_bench.errors import ConfigError
from emer_bench.validation import describe_problems

GEN_KWARG_ALIASES: dict[str, str] = {"max_tokens": "max_new_tokens", "max_gen_toks": "max_new_tokens",
                     "max_completion_tokens": "max_new_tokens"}


class SamplingArgs(BaseModel):
    """Decoding settings shared by tasks, `--gen-kwargs` and the transformers adapters' `--model-args`."""

    do_sample: bool | None = None
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    top_k: int | None = Field(None, ge=0)
    repetition_penalty: float | None = Field(None, gt=0)
    num_beams: int | None = Field(None, ge=1)


class GenerationSettings(SamplingArgs):
    """Everything a task or `--gen-kwargs` may set; None means "the adapter's default"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_new_tokens: int | None = Field(None, ge=1)
    # Chat Completions settings (the transformers adapters refuse them, see API_ONLY).
    seed: int | None = None
    stop: str | list[str] | None = None
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        for key, value in data.items():
            name = GEN_KWARG_ALIASES[key] if key in GEN_KWARG_ALIASES else key
            if name in out:  # two spellings of one setting in the same mapping
                raise ValueError(f"'{key}' and another spelling of '{name}' both set the output length; give one")
            out[name] = value
        return out

    def as_kwargs(self) -> dict[str, Any]:
        """The set values as a plain dict (what adapters receive)."""
        return self.model_dump(exclude_none=True)

    def merged(self, override: "GenerationSettings") -> "GenerationSettings":
        """These settings with `override`'s set values on top (the command line beats the task)."""
        return GenerationSettings.model_validate({**self.as_kwargs(), **override.as_kwargs()})


API_ONLY = ("seed", "stop", "presence_penalty", "frequency_penalty")
GENERATION_KEYS = tuple(GenerationSettings.model_fields)


def parse_generation_settings(data: Any, where: str) -> GenerationSettings:
    """`GenerationSettings`, or one ConfigError line naming `where`, the key, the value and a did-you-mean."""
    if isinstance(data, GenerationSettings):
        return data
    if data is None:
        return GenerationSettings()
    try:
        return GenerationSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {describe_generation_problems(exc)}") from None


def describe_generation_problems(exc: ValidationError) -> str:
    """describe_problems, with the closest known key for each unknown one."""
    text = describe_problems(exc)
    for err in exc.errors():
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            close = difflib.get_close_matches(key, [*GENERATION_KEYS, *GEN_KWARG_ALIASES], n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            text = text.replace(f"unknown key '{key}'", f"unknown key '{key}'{hint}", 1)
    return f"{text}; known keys: {', '.join(GENERATION_KEYS)}"

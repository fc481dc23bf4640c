"""Loading for the transformers adapters: the shared `--model-args` (`HFArgs`), checkpoint
resolution and the keyword arguments of `from_pretrained`. Every load failure becomes one
`ConfigError` line naming ``pretrained=...`` and what could not be loaded (see hf_common.py).
"""

from __future__ import annotations

import json
import os
import re
import sys
from importlib import metadata
from typing import Any, Callable, Literal

from pydantic import Field, field_validator, model_validator

from emer_bench.api.adapter import AdapterArgs
from emer_bench.errors import ConfigError
from .hf_generation import GENERATION_ARG_NAMES, SamplingArgs

DEVICE_PATTERN = r"^(cpu|mps|meta|(cuda|xpu|npu|hpu)(:\d+)?)$"
DEVICE_MAP_STRATEGIES = ("auto", "balanced", "balanced_low_0", "sequential")
TORCH_DTYPES = {"float32": "float32", "bfloat16": "bfloat16", "float16": "float16"}


class HFArgs(AdapterArgs, SamplingArgs):
    """`--model-args` shared by every transformers adapter."""

    pretrained: str = Field(min_length=1)  # local checkpoint directory or hub id
    revision: str | None = None  # hub branch/tag/commit (ignored for local directories)
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    device: str | None = Field(None, pattern=DEVICE_PATTERN)  # default: cuda if available, else cpu
    device_map: str | None = None  # accelerate placement: auto/balanced/sequential or a device
    attn_implementation: Literal["eager", "sdpa", "flash_attention_2", "flash_attention_3",
                                 "flex_attention"] | None = None
    trust_remote_code: bool = False
    seed: int = 1234
    system_prompt: str | None = None  # overrides the task's and the family's default
    # Generation defaults; a task's gen_kwargs override these unless given on the command line.
    max_new_tokens: int = Field(512, ge=1)  # the sampling settings come from `SamplingArgs`
    # Child processes preparing clips (decode + processor) beside the model; 0: the runner's
    # threads. Default: 2 on an accelerator, 0 on the CPU (hf_prepare.py says why). Changes
    # where the work runs, never what is answered: not part of the run key.
    prepare_processes: int | None = Field(None, ge=0, le=64, json_schema_extra={"transport": True})

    @field_validator("device_map")
    @classmethod
    def _check_device_map(cls, value: str | None) -> str | None:
        if value is None or value in DEVICE_MAP_STRATEGIES or re.match(DEVICE_PATTERN, value):
            return value
        raise ValueError(f"must be one of {', '.join(DEVICE_MAP_STRATEGIES)} or a device like cuda:0, got {value!r}")

    @model_validator(mode="after")
    def _one_placement(self) -> "HFArgs":
        if self.device is not None and self.device_map is not None:
            raise ValueError("give either device or device_map, not both")
        return self

    def check_available(self) -> None:
        check_checkpoint_available(self.pretrained, self.revision)

    def explicit_generation_kwargs(self) -> dict[str, Any]:
        """Generation arguments the user set on the command line (they beat the task's)."""
        return {k: getattr(self, k) for k in GENERATION_ARG_NAMES if k in self.model_fields_set}

    def default_generation_kwargs(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in GENERATION_ARG_NAMES if getattr(self, k) is not None}


def resolve_checkpoint(given: str) -> str:
    """A local checkpoint directory (absolute) or a hub id left to transformers."""
    path = os.path.expanduser(given)
    if os.path.isdir(path):
        return os.path.abspath(path)
    if os.path.exists(path):
        raise ConfigError(f"model arg pretrained={given!r} is a file; give the checkpoint directory")
    if given.startswith(("/", ".", "~")) or given.count("/") > 1:  # a path, not an "org/name" hub id
        raise ConfigError(f"model arg pretrained={given!r}: no such checkpoint directory")
    return given  # a hub id; transformers resolves it from the cache (or the hub when allowed)


def check_checkpoint_available(given: str, revision: str | None = None) -> None:
    """A local checkpoint directory with a config.json, or a hub id already in the local Hugging
    Face cache; checked before any model loads (an uncached id would cost minutes of hub retries
    offline, after the answers were generated, for a judge)."""
    resolved = resolve_checkpoint(given)
    if os.path.isdir(resolved):
        if not os.path.isfile(os.path.join(resolved, "config.json")):
            raise ConfigError(f"model arg pretrained={given!r}: no config.json in that directory")
        return
    from huggingface_hub import try_to_load_from_cache  # the hf extra, only here

    cached = try_to_load_from_cache(resolved, "config.json", revision=revision)
    if isinstance(cached, str) or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("0", "false", "no"):
        return  # cached, or the user says the hub is reachable (HF_HUB_OFFLINE=0): transformers downloads it
    raise ConfigError(f"model arg pretrained={given!r}: not a local directory and not in the Hugging Face cache; "
                      f"download it first (`hf download {given}`), give a checkpoint directory, or set "
                      "HF_HUB_OFFLINE=0 to let transformers download it")


def hub_kwargs(args: HFArgs) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"trust_remote_code": args.trust_remote_code}
    if args.revision is not None:
        kwargs["revision"] = args.revision
    return kwargs


def default_device() -> str:
    """cuda (this process's own GPU in a data-parallel run), else mps, else cpu."""
    import torch

    if torch.cuda.is_available():
        # `accelerate launch` / torchrun start one process per GPU and set LOCAL_RANK.
        local_rank = os.environ.get("LOCAL_RANK")
        return f"cuda:{int(local_rank)}" if local_rank is not None else "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def model_load_kwargs(args: HFArgs) -> dict[str, Any]:
    """dtype, placement and attention backend for `from_pretrained`."""
    import torch

    kwargs = hub_kwargs(args)
    kwargs["dtype"] = "auto" if args.dtype == "auto" else getattr(torch, TORCH_DTYPES[args.dtype])
    kwargs["device_map"] = args.device_map or args.device or default_device()
    if args.attn_implementation is not None:
        kwargs["attn_implementation"] = args.attn_implementation
    return kwargs


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def guarded_load(pretrained: str, what: str, load: Callable[[], Any]) -> Any:
    """Run `load`; any failure (missing file, corrupt weights, unavailable attention backend,
    out of memory) is the user's checkpoint or environment: one ConfigError line."""
    try:
        return load()
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(f"model arg pretrained={pretrained!r}: cannot load the {what} "
                          f"({type(exc).__name__}: {first_line(exc)})") from exc


def model_type_on_disk(checkpoint: str) -> str | None:
    """`model_type` from a local checkpoint's config.json, read without transformers (None for a
    hub id or a config.json that does not parse: loading the config reports on those)."""
    try:
        with open(os.path.join(checkpoint, "config.json"), encoding="utf-8") as handle:
            config = json.load(handle)
    except (OSError, ValueError):
        return None
    model_type = config.get("model_type") if isinstance(config, dict) else None
    return model_type if isinstance(model_type, str) else None


def loaded_model_facts(config: Any, model: Any) -> dict[str, Any]:
    """What only the loaded model knows, for `describe`."""
    return {
        "commit": getattr(config, "_commit_hash", None),  # hub snapshot, when from the cache
        "model_type": getattr(config, "model_type", None),
        "model_class": type(model).__name__,
        "dtype": str(model.dtype).removeprefix("torch."),
        "device": str(model.device),
        "device_map": {k: str(v) for k, v in (getattr(model, "hf_device_map", None) or {}).items()} or None,
        "attn_implementation": getattr(model.config, "_attn_implementation", None),
    }


def installed_version(module: str) -> str | None:
    """The imported module's version, else the installed distribution's (without importing it)."""
    loaded = sys.modules.get(module)
    if loaded is not None and isinstance(getattr(loaded, "__version__", None), str):
        return str(loaded.__version__)
    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return None


def left_padding_tokenizer(processor: Any) -> Any:
    """The processor's tokenizer (or the tokenizer itself), set up for batch generation."""
    tokenizer = getattr(processor, "tokenizer", processor)
    tokenizer.padding_side = "left"  # decoder-only batch generation needs left padding
    if tokenizer.pad_token is None:  # e.g. Llama: pad with EOS (masked anyway)
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


class LoadedPart:
    """An attribute that the adapter's `load` sets (as `_<name>`): read before, it loads the
    adapter first (`ensure_loaded`); None after `close`. `load` sets the parts in order, so what
    it reads itself (the config, in `load_model`) is set already."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = f"_{name}"

    def __get__(self, adapter: Any, owner: type | None = None) -> Any:
        if adapter is None:
            return self
        if getattr(adapter, self.attribute, None) is None and not adapter.loaded:
            adapter.ensure_loaded()
        return getattr(adapter, self.attribute, None)

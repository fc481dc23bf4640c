"""LoRA adapters a checkpoint ships beside its weights, for hf_auto.

Phi-4-multimodal keeps its vision and speech fine-tuning as PEFT adapters in ``vision-lora/`` and
``speech-lora/`` (transformers docs: ``model.load_adapter(path, adapter_name="vision",
adapter_kwargs={"subfolder": "vision-lora"})``); without them the model answers with its base
weights, far below its published quality. hf_auto loads every such adapter it finds and, per
request, activates the one for what it sends, as the reference Phi-4-multimodal code does:
``vision`` when frames are sent (with or without audio), ``speech`` for audio alone, none for text
alone. Adapters it cannot assign to a modality fail at load with one line.
"""

from __future__ import annotations

import os
from typing import Any

from emer_bench.errors import ConfigError

# adapter name (subfolder without "-lora") -> what it serves
ROLES = {"vision": "vision", "image": "vision", "speech": "audio", "audio": "audio"}
HUB_SUBFOLDERS = ("vision-lora", "speech-lora")  # the published layout; hub repos cannot be listed offline


def find_lora_subfolders(checkpoint: str, hub_kwargs: dict[str, Any]) -> dict[str, str]:
    """{adapter name: subfolder} of the PEFT adapters shipped with the checkpoint."""
    if os.path.isdir(checkpoint):
        return {_name(entry): entry for entry in sorted(os.listdir(checkpoint))
                if os.path.isfile(os.path.join(checkpoint, entry, "adapter_config.json"))}
    from transformers.utils import cached_file

    found = {}
    for sub in HUB_SUBFOLDERS:
        try:
            path = cached_file(checkpoint, "adapter_config.json", subfolder=sub,
                               _raise_exceptions_for_missing_entries=False, **hub_kwargs)
        except Exception:  # not in the repo / not reachable: the adapter is not there
            path = None
        if path:
            found[_name(sub)] = sub
    return found


def _name(subfolder: str) -> str:
    return subfolder.removesuffix("-lora").removesuffix("_lora")


def load_loras(model: Any, checkpoint: str, pretrained: str, hub_kwargs: dict[str, Any]) -> dict[str, str]:
    """Load the shipped adapters into `model`; {adapter name: role}."""
    found = find_lora_subfolders(checkpoint, {k: v for k, v in hub_kwargs.items() if k == "revision"})
    if not found:
        return {}
    unknown = sorted(name for name in found if name not in ROLES)
    if unknown:
        raise ConfigError(f"model arg pretrained={pretrained!r}: the checkpoint ships LoRA adapters "
                          f"{', '.join(found[n] for n in unknown)} that hf_auto cannot assign to a modality "
                          f"(it knows {', '.join(sorted(ROLES))}); pass lora=false to run the base weights")
    try:
        import peft  # noqa: F401
    except ImportError:
        raise ConfigError(f"model arg pretrained={pretrained!r}: the checkpoint ships LoRA adapters "
                          f"({', '.join(found.values())}); loading them needs peft: pip install 'emer-bench[hf]' "
                          f"(or lora=false to run the base weights)") from None
    for name, subfolder in found.items():
        model.load_adapter(checkpoint, adapter_name=name, adapter_kwargs={"subfolder": subfolder, **hub_kwargs})
    return {name: ROLES[name] for name in found}


def lora_for(loras: dict[str, str], sent: dict[str, str]) -> str | None:
    """The adapter for one request: vision when frames are sent, else audio's, else none."""
    for role, sent_key in (("vision", "video"), ("audio", "audio")):
        if sent_key in sent:
            return next((name for name, r in loras.items() if r == role), None)
    return None


def activate(model: Any, name: str | None, loras: dict[str, str]) -> None:
    """Make `name` the live adapter (None: base weights only). Done on peft's tuner layers, as
    transformers' own `set_adapter` / `disable_adapters` do; those wrappers demand a peft release
    newer than some package indexes have, while the layer calls are the same in every recent peft."""
    if not loras:
        return
    from peft.tuners.tuners_utils import BaseTunerLayer

    for module in model.modules():
        if isinstance(module, BaseTunerLayer):
            module.enable_adapters(name is not None)
            if name is not None:
                module.set_adapter(name)

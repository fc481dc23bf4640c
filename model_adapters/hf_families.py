"""The current audio-video families by name: hf_auto with the family's checkpoint type checked
and the modalities it must take stated, so `emer-bench list models` shows them and a wrong or
incomplete checkpoint fails at load with one line.

Each is exactly hf_auto (hf_auto.py) otherwise: the same model class, chat template and inputs.
How frames reach each one is what its processor takes:

- qwen3_omni: Qwen3-Omni (thinker): frames as a video with the clip's own audio interleaved;
- gemma3n: Gemma 3n: frames as images (its processor has no video processor) + audio;
- phi4_multimodal: Phi-4-multimodal: frames as images + audio (see README about its LoRA weights);
- internvl3: InternVL3 (-hf checkpoints): frames as a video ("Frame1: <img>...</img>" per frame);
- videollama3: VideoLLaMA3 (transformers-native conversions): frames as a video with a
  "Time t s:" stamp per frame from the clip's real frame times.
"""

from __future__ import annotations

from typing import Any, ClassVar

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError

from .hf_auto import HFAutoAdapter

AV = frozenset({Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE})
V = frozenset({Modality.VIDEO, Modality.SUBTITLE})


class _NamedFamily(HFAutoAdapter):
    def load(self) -> None:
        super().load()
        missing = sorted(m.value for m in self.modalities - self.caps.modalities)
        if missing:  # a named family that cannot take what it is listed with is a broken checkpoint
            raise ConfigError(f"model arg pretrained={self.hf_args.pretrained!r}: the {self.name} adapter sends "
                              f"{', '.join(sorted(m.value for m in self.modalities))} but the checkpoint's processor "
                              f"and chat template take no {', '.join(missing)}")

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "via": "hf_auto"}


class Qwen3OmniAdapter(_NamedFamily):
    name: ClassVar[str] = "qwen3_omni"
    modalities: ClassVar[frozenset[Modality]] = AV
    accepted_model_types: ClassVar[tuple[str, ...]] = ("qwen3_omni_moe", "qwen3_omni_moe_thinker")


class Gemma3nAdapter(_NamedFamily):
    name: ClassVar[str] = "gemma3n"
    modalities: ClassVar[frozenset[Modality]] = AV
    accepted_model_types: ClassVar[tuple[str, ...]] = ("gemma3n",)


class Phi4MultimodalAdapter(_NamedFamily):
    name: ClassVar[str] = "phi4_multimodal"
    modalities: ClassVar[frozenset[Modality]] = AV
    accepted_model_types: ClassVar[tuple[str, ...]] = ("phi4_multimodal",)


class InternVL3Adapter(_NamedFamily):
    name: ClassVar[str] = "internvl3"
    modalities: ClassVar[frozenset[Modality]] = V
    accepted_model_types: ClassVar[tuple[str, ...]] = ("internvl",)


class VideoLlama3Adapter(_NamedFamily):
    name: ClassVar[str] = "videollama3"
    modalities: ClassVar[frozenset[Modality]] = V
    accepted_model_types: ClassVar[tuple[str, ...]] = ("video_llama_3",)

"""Qwen2-Audio(-Instruct) via transformers: the clip's audio + the text prompt.

Media: DECODED (see hf_common): the harness hands 16 kHz mono audio, taken from the clip's own
track unless the task names a separate audio file. The processor's Whisper feature extractor
keeps the first 30 s of a clip (recorded as ``audio_truncated_to_s`` when it happens). Video is
not taken; on a video task the frames are not decoded and each sample records
``modalities_not_taken: ["video"]``.

Prompt layout: the audio item first, then the task prompt, through the checkpoint's own chat
template (Qwen2-Audio-Instruct: "Audio 1: <|audio_bos|><|AUDIO|><|audio_eos|>\\n<prompt>").
"""

from __future__ import annotations

from typing import Any, ClassVar

from emer_bench.api.requests import Modality
from .hf_common import AUDIO_RATE, HFAdapter, HFArgs, ModelInput


class Qwen2AudioArgs(HFArgs):
    """`--model-args` of qwen2_audio (the shared transformers arguments)."""


class Qwen2AudioAdapter(HFAdapter[Qwen2AudioArgs]):
    """Qwen2-Audio: audio + text."""

    name: ClassVar[str] = "qwen2_audio"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.AUDIO, Modality.SUBTITLE})
    accepted_model_types: ClassVar[tuple[str, ...]] = ("qwen2_audio",)
    default_system_prompt: ClassVar[str | None] = None  # the chat template supplies its default

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        from transformers import Qwen2AudioForConditionalGeneration

        return Qwen2AudioForConditionalGeneration.from_pretrained(path, **load_kwargs)

    def processor_kwargs(self, item: ModelInput) -> dict[str, Any]:
        return {"sampling_rate": AUDIO_RATE} if item.media.audios else {}

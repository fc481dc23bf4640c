"""LLaVA-OneVision and LLaVA-NeXT-Video via transformers: the clip's frames + the task prompt.

Media: DECODED (see hf_common / hf_video). The harness samples the frames (``num_frames`` or
``fps``; the model cards use 8-32 frames) and the processor resizes every frame to the vision
tower's fixed input (OneVision: 384x384 SigLIP; NeXT-Video: shortest edge 336 + centre crop),
so ``max_pixels`` only bounds what the harness decodes. The vision features of each frame are
pooled 2x2 (OneVision: bilinear, plus one newline token per video; NeXT-Video: average), and
one ``<video>`` placeholder in the chat template expands to that many tokens. Requests with the
same frame count are batched (left padding); their pixel tensors are [batch, T, 3, H, W].

Checkpoints: ``model_type`` ``llava_onevision`` (e.g. llava-hf/llava-onevision-qwen2-7b-ov-hf)
and ``llava_next_video`` (e.g. llava-hf/LLaVA-NeXT-Video-7B-hf). Checkpoints in the original
LLaVA-NeXT code-base layout (e.g. lmms-lab/LLaVA-Video-7B-Qwen2) are not transformers models;
convert them to one of these first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .hf_common import HFArgs
from .hf_video import HFVideoAdapter


class _LlavaVideoBase(HFVideoAdapter[HFArgs]):
    model_class_name: ClassVar[str]
    batch_needs_equal_frames: ClassVar[bool] = True

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        import transformers

        return getattr(transformers, self.model_class_name).from_pretrained(path, **load_kwargs)


class LlavaOneVisionAdapter(_LlavaVideoBase):
    """LLaVA-OneVision: video + text."""

    name: ClassVar[str] = "llava_onevision"
    accepted_model_types: ClassVar[tuple[str, ...]] = ("llava_onevision",)
    model_class_name: ClassVar[str] = "LlavaOnevisionForConditionalGeneration"


class LlavaVideoAdapter(_LlavaVideoBase):
    """LLaVA-NeXT-Video: video + text."""

    name: ClassVar[str] = "llava_video"
    accepted_model_types: ClassVar[tuple[str, ...]] = ("llava_next_video",)
    model_class_name: ClassVar[str] = "LlavaNextVideoForConditionalGeneration"

"""Qwen2.5-VL and Qwen3-VL via transformers: the clip's frames + the task prompt.

Media: DECODED (see hf_common / hf_video). The harness samples the frames (``num_frames`` or
``fps``) and scales them to at most ``max_pixels``; the processor then fits each frame to its
patch grid (multiples of 28 px for Qwen2.5-VL, 32 px for Qwen3-VL) between ``min_pixels`` and
``max_pixels`` per frame, with the reference (qwen-vl-utils) total-video pixel budget on by
default (``cap_pixels_per_frame``). Each clip's real frame times reach the model: Qwen2.5-VL as
temporal positions (``second_per_grid_ts`` from the sampling rate), Qwen3-VL as a
``<t seconds>`` text stamp before each frame. Requests are encoded one by one and collated
(left padding) into one batched ``generate`` call.

Checkpoints: ``model_type`` ``qwen2_5_vl`` (e.g. Qwen/Qwen2.5-VL-7B-Instruct) and ``qwen3_vl``
(e.g. Qwen/Qwen3-VL-8B-Instruct), each with its own processor and chat template.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

from pydantic import Field

from emer_bench.errors import ConfigError

from .hf_common import HFArgs, ModelInput
from .hf_video import HFVideoAdapter

QWEN3_VL_MIN_TRANSFORMERS = "4.57.0"  # the first release with Qwen3-VL


class QwenVLArgs(HFArgs):
    """`--model-args` of qwen2_5_vl and qwen3_vl (plus every HFArgs / AdapterArgs field)."""

    # Per-frame lower bound in pixels (default: the checkpoint's processor setting); smaller
    # frames are upscaled to it. Never above max_pixels.
    min_pixels: int | None = Field(None, ge=28 * 28)
    # The reference total-video pixel budget (qwen-vl-utils): long clips get smaller frames.
    cap_pixels_per_frame: bool = True


class _QwenVLAdapter(HFVideoAdapter[QwenVLArgs]):
    model_class_name: ClassVar[str]
    # Qwen3-VL's video processor reads `longest_edge` as the budget of the whole clip, Qwen2.5-VL
    # as that of one frame; for the user `max_pixels` / `min_pixels` are always per frame.
    size_is_whole_clip: ClassVar[bool] = False

    @property
    def qwen_args(self) -> QwenVLArgs:
        return self.args

    def load(self) -> None:
        super().load()
        video_processor = getattr(self.processor, "video_processor", None)
        if video_processor is None:
            raise ConfigError(f"model arg pretrained={self.hf_args.pretrained!r}: the checkpoint's processor "
                              f"({type(self.processor).__name__}) has no video processor")
        self.min_frames = int(getattr(video_processor, "temporal_patch_size", 2) or 2)

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        import transformers

        return getattr(transformers, self.model_class_name).from_pretrained(path, **load_kwargs)

    def video_kwargs(self, item: ModelInput) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"size": self._size(int(item.media.videos[0].shape[0]))}
        meta = self.video_metadata(item)
        if meta is not None:
            kwargs["video_metadata"] = [meta]
        valid = getattr(getattr(self.processor.video_processor, "valid_kwargs", None), "__annotations__", {})
        if "cap_pixels_per_frame" in valid:  # an option of transformers 5.x video processors
            kwargs["cap_pixels_per_frame"] = self.qwen_args.cap_pixels_per_frame
        item.media.audit["processor_size"] = kwargs["size"]
        return kwargs

    def _size(self, num_frames: int) -> dict[str, int]:
        return qwen_vl_size(self.processor.video_processor, num_frames, self.qwen_args.max_pixels,
                            self.qwen_args.min_pixels, self.size_is_whole_clip, self.min_frames)


def qwen_vl_size(video_processor: Any, num_frames: int, max_pixels: int | None, min_pixels: int | None,
                 whole_clip: bool, temporal_patch: int) -> dict[str, int]:
    """The Qwen-VL video processor's pixel bounds: the run's max_pixels per frame (times the frame
    count where the processor budgets the whole clip), min_pixels per frame and never above it.
    Without max_pixels the checkpoint's own bounds stay. Shared with hf_auto."""
    default = dict(getattr(video_processor, "size", None) or {})
    low = min_pixels or int(default.get("shortest_edge") or 0)
    if max_pixels is None:  # the checkpoint's own upper bound
        return {"shortest_edge": low, "longest_edge": int(default["longest_edge"])}
    frames = math.ceil(num_frames / temporal_patch) * temporal_patch if whole_clip else 1
    return {"shortest_edge": min(low, max_pixels), "longest_edge": max_pixels * frames}


class Qwen25VLAdapter(_QwenVLAdapter):
    """Qwen2.5-VL: video + text."""

    name: ClassVar[str] = "qwen2_5_vl"
    accepted_model_types: ClassVar[tuple[str, ...]] = ("qwen2_5_vl",)
    model_class_name: ClassVar[str] = "Qwen2_5_VLForConditionalGeneration"


class Qwen3VLAdapter(_QwenVLAdapter):
    """Qwen3-VL: video + text (frame times written into the prompt)."""

    name: ClassVar[str] = "qwen3_vl"
    accepted_model_types: ClassVar[tuple[str, ...]] = ("qwen3_vl",)
    model_class_name: ClassVar[str] = "Qwen3VLForConditionalGeneration"
    size_is_whole_clip: ClassVar[bool] = True

    def load(self) -> None:
        require_qwen3_vl_support()
        super().load()


def require_qwen3_vl_support() -> None:
    """Fail before any loading (`load`, at the first request) when transformers predates Qwen3-VL."""
    import transformers

    if _release(transformers.__version__) < _release(QWEN3_VL_MIN_TRANSFORMERS):
        raise ConfigError(f"model 'qwen3_vl' needs transformers>={QWEN3_VL_MIN_TRANSFORMERS} "
                          f"(installed: {transformers.__version__}); upgrade transformers")


def _release(version: str) -> tuple[int, ...]:
    """(major, minor, patch) of a version string; "4.57.0.dev0" counts as 4.57.0."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])

"""Qwen2.5-Omni (the thinker, i.e. the text-generating part) via transformers.

Media: DECODED (see hf_common). The clip's own audio track is handed to the processor as the
audio of its video (``load_audio_from_video`` with one audio per video slot), so the processor
interleaves audio and video tokens in 2-second chunks and the model gets matching time
positions, the layout Qwen2.5-Omni was trained with for ``use_audio_in_video=True``. Each clip
gets the frame rate it was actually sampled at (``video_second_per_grid``), which is why requests
are encoded one by one and collated (hf_media.collate_encodings).

Checkpoints: a full Qwen2.5-Omni checkpoint (``model_type: qwen2_5_omni``; only the thinker's
weights are loaded, the talker and vocoder are skipped) or a thinker-only one
(``qwen2_5_omni_thinker``). Speech output is not produced: the benchmark scores text.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError

from .hf_common import HFAdapter, HFArgs, ModelInput
from .hf_media import MediaParts, frames_to_tensor, sampling_fps

# The system prompt of the Qwen2.5-Omni model card; the model was tuned with it.
QWEN_OMNI_SYSTEM_PROMPT = ("You are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of "
                           "perceiving auditory and visual inputs, as well as generating text and speech.")
DEFAULT_FPS = 2.0  # the processor's own fallback when a clip's sampling rate is unknown
MIN_PIXELS = 128 * 28 * 28  # the processor's default lower bound per frame
SMALLEST_FRAME_PIXELS = 56 * 56  # 2x2 merged patches: the least a frame can be


class Qwen25OmniArgs(HFArgs):
    """`--model-args` of qwen2_5_omni."""

    # Interleave the clip's own audio track with its frames (the model's audio-visual layout).
    use_audio_in_video: bool = True
    # Speech output (talker + vocoder) is not supported: answers are scored as text.
    return_audio: Literal[False] = False
    min_pixels: int | None = Field(None, ge=28 * 28)  # per-frame lower bound (default: the processor's)


class Qwen25OmniAdapter(HFAdapter[Qwen25OmniArgs]):
    """Qwen2.5-Omni thinker: video + the clip's own audio + text."""

    name: ClassVar[str] = "qwen2_5_omni"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE})
    accepted_model_types: ClassVar[tuple[str, ...]] = ("qwen2_5_omni", "qwen2_5_omni_thinker")
    default_system_prompt: ClassVar[str | None] = QWEN_OMNI_SYSTEM_PROMPT

    def load(self) -> None:
        require_decoded_audio_in_video_support()
        super().load()

    @property
    def omni_args(self) -> Qwen25OmniArgs:
        return self.args

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        from transformers import Qwen2_5OmniThinkerForConditionalGeneration

        # A full checkpoint stores the thinker under "thinker."; transformers strips that prefix
        # when the thinker class is loaded with the thinker's own config.
        config = getattr(self.config, "thinker_config", self.config)
        return Qwen2_5OmniThinkerForConditionalGeneration.from_pretrained(path, config=config, **load_kwargs)

    def media_parts(self, prepared: PreparedRequest) -> MediaParts:
        wants = self.wanted_modalities(prepared)
        if not (self.omni_args.use_audio_in_video and {Modality.VIDEO, Modality.AUDIO} <= wants):
            return super().media_parts(prepared)
        frames = self.require_frames(prepared)
        parts = MediaParts(content=[{"type": "video"}])  # the audio rides inside the video slot
        parts.videos.append(frames_to_tensor(frames))
        parts.audios.append(self.audio_input(prepared, parts.audit))
        parts.audit.update(num_frames=int(frames.shape[0]), frame_size=list(frames.shape[1:3]),
                           audio_in_video=True)
        return parts

    def processor_kwargs(self, item: ModelInput) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if item.media.videos:
            media = item.prepared.media
            fps = (sampling_fps(media) if media is not None else None) or DEFAULT_FPS
            item.media.audit["video_fps"] = round(fps, 4)
            # The harness already sampled the frames: the processor must not sample again; `fps`
            # only tells it the clip's real rate (its time positions and audio/video chunking).
            kwargs["videos_kwargs"] = {"fps": fps, "do_sample_frames": False, **self._size_kwargs()}
        if item.media.audit.get("audio_in_video"):
            kwargs.update(load_audio_from_video=True, audio_from_video_indices=[0])
        return kwargs

    def _size_kwargs(self) -> dict[str, Any]:
        return omni_size_kwargs(self.processor, self.omni_args.max_pixels, self.omni_args.min_pixels)

    def group_key(self, item: ModelInput) -> tuple[Any, ...]:
        # use_audio_in_video switches the position-id layout for the whole generate call
        return (*super().group_key(item), bool(item.media.audit.get("audio_in_video")))

    def generate_extra_kwargs(self, items: list[ModelInput]) -> dict[str, Any]:
        return {"use_audio_in_video": bool(items[0].media.audit.get("audio_in_video"))}


def omni_size_kwargs(processor: Any, max_pixels: int | None, min_pixels: int | None) -> dict[str, Any]:
    """Per-frame pixel bounds of a Qwen-Omni processor: never above the run's max_pixels (the
    harness already downscaled). Shared with hf_auto."""
    # The processor's own video defaults (128*28*28 .. 768*28*28 per frame, as qwen-omni-utils),
    # not the image-oriented bounds some checkpoints store on the video processor.
    default = dict(getattr(type(processor), "videos_kwargs", {}).get("size") or {})
    low = min_pixels or default.get("shortest_edge") or MIN_PIXELS
    high = max_pixels or default.get("longest_edge")
    # A max below the floor wins (the resizer rounds up to reach a floor, which would overshoot it).
    size = {"shortest_edge": low if not high or low <= high else SMALLEST_FRAME_PIXELS, "longest_edge": high}
    kwargs: dict[str, Any] = {"size": {k: v for k, v in size.items() if v}}
    valid = getattr(getattr(processor.video_processor, "valid_kwargs", None), "__annotations__", {})
    if "cap_pixels_per_frame" in valid:
        kwargs["cap_pixels_per_frame"] = True  # the reference (qwen-vl-utils) total-pixel budget
    return kwargs


def require_decoded_audio_in_video_support() -> None:
    """Fail before loading when the installed processor cannot take an already-decoded audio
    track as a video's audio (`audio_from_video_indices`, transformers 5; tested on 5.23)."""
    import transformers
    from transformers import processing_utils

    if not hasattr(processing_utils, "OmniModalProcessorMixin"):
        raise ConfigError(f"model 'qwen2_5_omni' needs a transformers release whose processors take decoded "
                          f"audio per video (tested: 5.23; installed: {transformers.__version__}); upgrade transformers")

"""Shared part of the video-language transformers adapters (qwen_vl.py, llava_video.py).

Built on `hf_common.HFAdapter` (loading, chat template, batching, per-sample errors). What is
added here is what every video-language family needs on top:

- the clip's timing. The harness has already sampled the frames, so the processors must not
  sample again (``do_sample_frames=False``), but some still need to know WHEN each frame was
  taken: Qwen2.5-VL turns the sampling rate into temporal rotary positions
  (``second_per_grid_ts``), Qwen3-VL writes ``<t seconds>`` before each frame. The frames are
  described on a virtual millisecond clock (``fps=1000``, frame index = its time in ms), so the
  processors' ``frames_indices / fps`` is each frame's true time and
  ``len(frames) / total_num_frames * fps`` is the true sampling rate, whatever the source rate;
- contents as lists of typed blocks, always: the llava-hf chat templates read only
  ``{"type": "text"}`` blocks, so a plain-string system prompt or text-only user turn would be
  dropped without a word (the Qwen-VL templates take both forms);
- the number of video placeholder tokens each prompt expanded to, in ``Generation.inputs``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.media import DecodedMedia
from emer_bench.api.requests import Modality
from .hf_common import HFAdapter, HFArgs, ModelInput
from .hf_media import MediaParts

MS_CLOCK_FPS = 1000.0


def ms_clock_metadata(media: DecodedMedia | None, num_frames: int) -> dict[str, Any] | None:
    """`VideoMetadata` fields for `num_frames` frames on the millisecond clock.

    Frames beyond the decoded ones (padding to a temporal patch) repeat the last frame's time.
    None when the decoder recorded no frame times; the processor then uses its own defaults
    and the adapter notes that in the audit.
    """
    times = list(media.frame_times) if media is not None else []
    if not times or len(times) > num_frames:
        return None
    times += [times[-1]] * (num_frames - len(times))
    indices = [int(round(t * MS_CLOCK_FPS)) for t in times]
    duration = media.duration_s if media is not None and media.duration_s else None
    if duration is None:  # frames spread evenly: the clip ends one interval after the last
        duration = times[-1] + ((times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else 1.0)
    total = max(int(round(duration * MS_CLOCK_FPS)), indices[-1] + 1)
    return {"total_num_frames": total, "fps": MS_CLOCK_FPS, "duration": total / MS_CLOCK_FPS,
            "frames_indices": indices}


HVA = TypeVar("HVA", bound=HFArgs)


class HFVideoAdapter(HFAdapter[HVA]):
    """Video + text through a transformers video-language model (frames arrive decoded)."""

    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO, Modality.SUBTITLE})
    # Frames the vision tower folds into one temporal patch (Qwen: 2); shorter clips repeat
    # their last frame, as the reference Qwen video reader does.
    min_frames: int = 1  # an instance may read it from its processor (Qwen: temporal_patch_size)
    # Families whose pixel_values_videos are [batch, T, 3, H, W] can only batch equal T.
    batch_needs_equal_frames: ClassVar[bool] = False

    def media_parts(self, prepared: PreparedRequest) -> MediaParts:
        parts = super().media_parts(prepared)
        if parts.videos and parts.videos[0].shape[0] < self.min_frames:
            import torch

            video = parts.videos[0]
            pad = video[-1:].expand(self.min_frames - video.shape[0], -1, -1, -1)
            parts.videos[0] = torch.cat([video, pad], dim=0)
            parts.audit["frames_repeated"] = int(pad.shape[0])
        return parts

    def messages_for(self, prepared: PreparedRequest, parts: MediaParts) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        system = self.system_prompt_for(prepared)
        if system:
            messages.append({"role": "system", "content": [{"type": "text", "text": system}]})
        user = [*parts.content, {"type": "text", "text": prepared.request.prompt}]
        messages.append({"role": "user", "content": user})
        return messages

    def video_metadata(self, item: ModelInput) -> dict[str, Any] | None:
        """The clip's metadata for the processor, with the timing facts put in the audit."""
        num_frames = int(item.media.videos[0].shape[0])
        meta = ms_clock_metadata(item.prepared.media, num_frames)
        if meta is None:
            item.media.audit["video_timing"] = "unknown: no frame times from the decoder (processor default)"
            return None
        item.media.audit["frame_times_s"] = [i / MS_CLOCK_FPS for i in meta["frames_indices"]]
        item.media.audit["video_fps"] = round(num_frames / meta["duration"], 4)
        return meta

    def processor_kwargs(self, item: ModelInput) -> dict[str, Any]:
        if not item.media.videos:
            return {}
        return {"videos_kwargs": {"do_sample_frames": False, **self.video_kwargs(item)}}

    def video_kwargs(self, item: ModelInput) -> dict[str, Any]:
        """Family-specific video processor kwargs for one request (sizes, metadata)."""
        return {}

    def group_key(self, item: ModelInput) -> tuple[Any, ...]:
        key = super().group_key(item)
        if self.batch_needs_equal_frames:
            key = (*key, int(item.media.videos[0].shape[0]) if item.media.videos else 0)
        return key

    def encode(self, items: list[ModelInput]) -> Any:
        encoded = super().encode(items)
        video_token_id = getattr(self.processor, "video_token_id", None)
        if video_token_id is not None:  # rows follow `items`; left padding never adds video tokens
            counts = (encoded["input_ids"] == video_token_id).sum(dim=1).tolist()
            for item, count in zip(items, counts):
                item.media.audit["video_tokens"] = int(count)
        return encoded

"""Media and batching helpers shared by the transformers adapters (see hf_common.py).

The harness hands decoded arrays (`DecodedMedia`); these helpers turn them into what transformers
processors take, and collate per-request processor outputs into one left-padded batch. Encoding
each request on its own and collating afterwards lets per-clip settings that processors only
accept per call (e.g. the frame rate a clip was sampled at) stay per clip inside a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from emer_bench.api.media import DecodedMedia, MediaError

# Keys of a processor output that hold one value per prompt token (left-padded when collating).
# Token-aligned keys and their left-pad value (None: the tokenizer's pad id, given per call).
TOKEN_ALIGNED_PAD: dict[str, int | None] = {"input_ids": None, "attention_mask": 0, "token_type_ids": 0,
                                            "mm_token_type_ids": 0}


@dataclass
class MediaParts:
    """One request's media as chat-content items plus the arrays the processor gets."""

    content: list[dict[str, Any]] = field(default_factory=list)  # e.g. [{"type": "video"}]
    videos: list[Any] = field(default_factory=list)  # torch uint8 [T, 3, H, W]
    images: list[list[np.ndarray]] = field(default_factory=list)  # frames sent as images: uint8 [H, W, 3] each
    audios: list[np.ndarray] = field(default_factory=list)  # float32 mono at 16 kHz
    audit: dict[str, Any] = field(default_factory=dict)  # recorded in Generation.inputs


def frames_to_tensor(frames: np.ndarray) -> Any:
    """uint8 [T,H,W,3] → torch uint8 [T,3,H,W]; channels-first is unambiguous for every video processor."""
    import torch

    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or frames.shape[0] == 0:
        raise MediaError(None, f"frames must be uint8 [T>0,H,W,3], got {frames.dtype} {list(frames.shape)}")
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2)


def require_decoded(media: DecodedMedia | None, what: str, clip_id: str, audio_rate: int) -> DecodedMedia:
    """The decoded `what` ("frames" or "audio") of a clip the task granted it for; MediaError (that
    sample fails, the run goes on) when none arrived, or audio not at the rate the processors expect."""
    if media is None or getattr(media, what) is None:
        raise MediaError(None, f"the task grants {'video' if what == 'frames' else 'audio'} but no decoded "
                         f"{what} arrived for clip {clip_id}")
    if what == "audio" and media.audio_sample_rate != audio_rate:
        raise MediaError(None, f"audio must be {audio_rate} Hz mono, got {media.audio_sample_rate} Hz")
    return media


def audio_array(media: DecodedMedia) -> np.ndarray:
    audio = np.asarray(media.audio, dtype=np.float32)
    if audio.ndim != 1 or audio.size == 0:
        raise MediaError(None, f"audio must be a non-empty mono waveform, got shape {list(audio.shape)}")
    return audio


def sampling_fps(media: DecodedMedia) -> float | None:
    """The rate the harness sampled frames at (models with temporal position ids need it)."""
    times = media.frame_times
    if len(times) >= 2 and times[-1] > times[0]:
        return (len(times) - 1) / (times[-1] - times[0])
    n = 0 if media.frames is None else len(media.frames)
    if media.duration_s and n:
        return n / media.duration_s
    return None


def collate_encodings(encodings: list[Any], pad_token_id: int) -> Any:
    """Per-request processor outputs (batch of 1 each) → one batch, token keys left-padded.

    Every other tensor is concatenated along dim 0: flattened vision patches with their grids
    (Qwen), per-video metadata, audio features and their masks (padded to a fixed length by
    the feature extractors), so the result is what one batched processor call would give.
    """
    import torch
    from transformers import BatchFeature

    if len(encodings) == 1:
        return encodings[0]
    width = max(int(e["input_ids"].shape[1]) for e in encodings)
    merged: dict[str, Any] = {}
    for key in encodings[0].keys():
        values = [e[key] for e in encodings]
        if not all(isinstance(v, torch.Tensor) for v in values):
            merged[key] = [x for v in values for x in (v if isinstance(v, list) else [v])]
        elif key in TOKEN_ALIGNED_PAD:
            pad = TOKEN_ALIGNED_PAD[key]
            fill = pad_token_id if pad is None else pad
            merged[key] = torch.cat([_left_pad(v, width, fill) for v in values], dim=0)
        else:
            merged[key] = torch.cat(values, dim=0)
    return BatchFeature(merged)


def _left_pad(tensor: Any, width: int, fill: int) -> Any:
    import torch

    missing = width - tensor.shape[1]
    if missing == 0:
        return tensor
    pad = torch.full((tensor.shape[0], missing, *tensor.shape[2:]), fill, dtype=tensor.dtype)
    return torch.cat([pad, tensor], dim=1)

"""What one request becomes on its way into a transformers model: `ModelInput` (templated prompt,
media, generation kwargs, processor output once encoded) and the audit of what reached the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emer_bench.api.adapter import PreparedRequest
from .hf_media import MediaParts


@dataclass
class ModelInput:
    """One request ready for the processor: the templated prompt and its media."""

    prepared: PreparedRequest
    text: str  # prompt after the chat template (media placeholders not yet expanded)
    media: MediaParts
    gen_kwargs: dict[str, Any]
    encoded: Any = None  # this request's processor output (batch of 1), when made ahead by `preprocess`

    @property
    def index(self) -> int:
        return self.prepared.request.index


def encoded_audit(encoded: Any) -> dict[str, Any]:
    """What reached the model for one request, from its processor output (kept small)."""
    audit: dict[str, Any] = {"input_tokens": int(encoded["input_ids"].shape[1])}
    if "video_grid_thw" in encoded:
        audit["video_grid_thw"] = encoded["video_grid_thw"].tolist()
    if "pixel_values_videos" in encoded:
        audit["pixel_values_videos_shape"] = list(encoded["pixel_values_videos"].shape)
    if "feature_attention_mask" in encoded:
        audit["audio_feature_frames"] = int(encoded["feature_attention_mask"].sum())
    return audit

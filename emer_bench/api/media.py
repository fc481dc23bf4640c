"""Decoded media handed to adapters that want arrays instead of file paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class MediaOptions:
    """How the harness samples a clip; settable per run via --model-args / task YAML."""

    num_frames: int | None = 8  # frames sampled uniformly over the clip (None: use fps)
    fps: float | None = None  # sample at this rate instead of a fixed count
    max_pixels: int | None = 448 * 448  # frames larger than this are downscaled (aspect kept)
    audio_sample_rate: int = 16_000  # audio is always mono at this rate


@dataclass
class DecodedMedia:
    """What a decoder produced for one clip."""

    frames: np.ndarray | None = None  # uint8 [T, H, W, 3] RGB
    frame_times: list[float] = field(default_factory=list)  # seconds of each frame
    audio: np.ndarray | None = None  # float32 [N] mono in [-1, 1]
    audio_sample_rate: int = 16_000
    duration_s: float | None = None
    info: dict[str, Any] = field(default_factory=dict)  # codec, source size, ... for provenance

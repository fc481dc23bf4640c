"""Decoded media handed to adapters that want arrays instead of file paths, and `MediaError`,
the one error for a clip that cannot give what the request needs."""

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


class MediaError(Exception):
    """A media file is missing, unreadable, or lacks a stream the request needs.

    The one media error of the project: the media layer (decoding, probing) and adapters (a
    granted channel that arrived empty or malformed) raise it alike. It is a per-sample failure:
    the runner records it on that sample's record as `f"{type(e).__name__}: {e}"` (e.g.
    "MediaError: /data/a.mp4: no audio track ...") and goes on with the next clip.
    `path` is the file or clip the failure belongs to; None when the raiser cannot name one
    (the message is then the reason alone).
    """

    def __init__(self, path: str | None, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(reason if path is None else f"{path}: {reason}")

    def __reduce__(self) -> tuple[type[MediaError], tuple[str | None, str]]:
        # Keeps the two fields when the error crosses a process boundary (data-parallel runs).
        return (type(self), (self.path, self.reason))

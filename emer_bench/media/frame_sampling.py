"""Which frames of a clip to keep, and at what size (pure functions, no decoding).

Three sampling modes, chosen from `MediaOptions`:
- fps set: the frame on screen at 0, 1/fps, 2/fps, ... (never the same frame twice, so a rate
  above the clip's own gives its native frames);
- else num_frames N: N frames evenly spread over the frame indices, first and last included
  (`round(linspace(0, n-1, N))`); a clip with fewer than N frames repeats frames so that
  every clip gives exactly N;
- neither: every frame.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from emer_bench.api.media import MediaOptions


def sampling_mode(options: MediaOptions) -> str:
    if options.fps is not None:
        return "fps"
    if options.num_frames is not None:
        return "uniform"
    return "all"


def uniform_indices(total: int, count: int) -> list[int]:
    """`count` frame indices spread evenly over `total` frames, in order, both ends included."""
    if total <= 0 or count <= 0:
        return []
    if count == 1:
        return [(total - 1) // 2]
    return [int(i) for i in np.round(np.linspace(0, total - 1, count)).astype(int)]


def rate_target_times(duration_s: float, fps: float) -> list[float]:
    """Instants 0, 1/fps, ... strictly before the end of the clip."""
    step = 1.0 / fps
    return [k * step for k in range(max(1, math.ceil(duration_s * fps - 1e-9)))]


def scaled_size(width: int, height: int, max_pixels: int | None) -> tuple[int, int]:
    """The largest size with the same aspect and at most `max_pixels` pixels (even sides,
    which chroma-subsampled sources scale to cleanly, and never below 2 px); unchanged when
    already small enough."""
    if not max_pixels or width * height <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (width * height))
    new_w = max(2, int(width * scale) // 2 * 2)
    new_h = max(2, int(height * scale) // 2 * 2)
    return new_w, new_h


class UniformPicker:
    """Keeps frame number k as many times as it occurs in the uniform index plan."""

    def __init__(self, total: int, count: int) -> None:
        self.plan = uniform_indices(total, count)
        self.copies = Counter(self.plan)
        self.last_planned = self.plan[-1] if self.plan else -1

    def copies_of(self, index: int) -> int:
        return self.copies.get(index, 0)

    def done(self, index: int) -> bool:
        """True once every planned frame up to `index` has been seen."""
        return index >= self.last_planned

    def missing_after(self, decoded: int) -> int:
        """Planned frames beyond what the decoder produced (a stream shorter than its header)."""
        return sum(n for k, n in self.copies.items() if k >= decoded)


@dataclass
class RatePicker:
    """Picks the frame on screen at each instant k/fps, as the decoded frames stream past.

    A frame is shown from its own time until the next frame's, so the choice for an instant
    is only known once the following frame arrives: `feed` returns the previous frame's number
    when it covered one or more instants."""

    fps: float
    next_target: float = 0.0
    last_kept: int = -1

    def feed(self, prev_index: int, next_time: float) -> bool:
        """The frame `prev_index` was on screen until `next_time`: keep it?"""
        keep = False
        while self.next_target < next_time - 1e-9:
            keep = True
            self.next_target += 1.0 / self.fps
        if keep and prev_index != self.last_kept:
            self.last_kept = prev_index
            return True
        return False

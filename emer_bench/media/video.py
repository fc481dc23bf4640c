"""Video frame sampling with PyAV: frames are decoded once, and only the kept ones are
scaled and converted to RGB (one swscale call each, straight to the output size).

Two ways through a file: `VideoSink` takes the frames of a single sequential pass (short clips
such as EMER's few seconds, where nearly every frame must be decoded anyway; audio can share
the pass), and `sample_by_seeking` jumps to the keyframe before each sampled instant (long
clips whose sampled frames are far apart, see `seek_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.reformatter import VideoReformatter
from av.video.stream import VideoStream

from emer_bench.api.media import MediaOptions
from emer_bench.media.container import ffmpeg_reason, open_input, video_stream
from emer_bench.api.media import MediaError
from emer_bench.media.frame_sampling import (RatePicker, UniformPicker, rate_target_times,
                                             sampling_mode, scaled_size, uniform_indices)

# Seeking pays once sampled frames are this far apart: keyframe intervals are usually shorter,
# so each seek skips whole GOPs of decoding; below it one pass is cheaper.
SEEK_MIN_GAP_S = 4.0
INTERPOLATION = "AREA"  # averaging filter: clean downscales without aliasing


@dataclass
class SampledFrames:
    frames: np.ndarray  # uint8 [T, H, W, 3]
    times: list[float]  # seconds from the start of the stream
    info: dict[str, Any] = field(default_factory=dict)


class NoTimestamps(Exception):
    """The stream's frames carry no pts, so seeking by time cannot work (use one pass)."""


class _Converter:
    """Turns kept frames into RGB arrays of one fixed output size.

    One reformatter per clip: it caches the swscale context, which costs ~10x a small
    frame's conversion to set up (`frame.to_ndarray(width=...)` would build one per frame)."""

    def __init__(self, stream: VideoStream, start_s: float, options: MediaOptions) -> None:
        ctx = stream.codec_context
        self.reformatter = VideoReformatter()
        self.size = scaled_size(ctx.width, ctx.height, options.max_pixels)
        self.start_s = start_s
        self.arrays: list[np.ndarray] = []
        self.times: list[float] = []

    def time_of(self, frame: VideoFrame, index: int, fps: float | None) -> float:
        if frame.pts is not None and frame.time_base is not None:
            return float(frame.pts * frame.time_base) - self.start_s
        return index / fps if fps else 0.0

    def keep(self, frame: VideoFrame, time_s: float, copies: int = 1) -> None:
        width, height = self.size
        rgb = self.reformatter.reformat(frame, width=width, height=height, format="rgb24",
                                        interpolation=INTERPOLATION).to_ndarray()
        for _ in range(copies):
            self.arrays.append(rgb)
            self.times.append(round(time_s, 6))

    def result(self, path: str, info: dict[str, Any]) -> SampledFrames:
        if not self.arrays:
            raise MediaError(path, "the video stream has no decodable frame")
        return SampledFrames(np.stack(self.arrays), self.times, info)


def count_frames(path: str) -> int:
    """Counts video packets without decoding (mkv/webm headers store no frame count)."""
    with open_input(path) as container:
        stream = video_stream(container, path)
        try:
            return sum(1 for p in container.demux(stream) if p.size > 0)
        except av.FFmpegError as exc:
            raise MediaError(path, f"cannot read the video packets ({ffmpeg_reason(exc)})") from exc


class VideoSink:
    """Receives the frames of one sequential pass in display order; keeps the sampled ones.

    `total` (frames in the stream) is needed for uniform sampling only."""

    def __init__(self, stream: VideoStream, options: MediaOptions, start_s: float,
                 fps: float | None, total: int | None) -> None:
        self.conv = _Converter(stream, start_s, options)
        self.mode = sampling_mode(options)
        self.fps = fps
        self.uniform = UniformPicker(total or 0, options.num_frames or 0) \
            if self.mode == "uniform" else None
        self.rate = RatePicker(float(options.fps or 0.0)) if self.mode == "fps" else None  # fps mode: fps is set
        self.prev: tuple[VideoFrame, int, float] | None = None  # last frame seen, unconverted
        self.decoded = 0
        self.done = False  # True once no later frame can be kept

    def add(self, frame: VideoFrame) -> None:
        index = self.decoded
        self.decoded += 1
        time_s = self.conv.time_of(frame, index, self.fps)
        if self.mode == "all":
            self.conv.keep(frame, time_s)
        elif self.uniform is not None:
            if copies := self.uniform.copies_of(index):
                self.conv.keep(frame, time_s, copies)
            self.done = self.uniform.done(index)
        elif self.rate is not None and self.prev is not None:
            if self.rate.feed(self.prev[1], time_s):
                self.conv.keep(self.prev[0], self.prev[2])
        self.prev = (frame, index, time_s)

    def finish(self, path: str) -> SampledFrames:
        prev = self.prev
        if self.rate is not None and prev is not None:
            screen_s = 1.0 / (self.fps or self.rate.fps)  # the last frame's time on screen
            if self.rate.feed(prev[1], prev[2] + screen_s):
                self.conv.keep(prev[0], prev[2])
        if self.uniform is not None and prev is not None:
            if missing := self.uniform.missing_after(self.decoded):
                # The header promised more frames than the stream holds: repeat the last one.
                self.conv.keep(prev[0], prev[2], missing)
        return self.conv.result(path, {"sampling": self.mode, "frames_decoded": self.decoded})


def seek_targets(options: MediaOptions, duration_s: float | None, fps: float | None,
                 total: int | None) -> list[float] | None:
    """The instants to seek to, or None when one sequential pass is the better way."""
    if duration_s is None or not fps or duration_s <= 0:
        return None
    mode = sampling_mode(options)
    if mode == "uniform":
        n = total or int(round(duration_s * fps))
        targets = [i / fps for i in uniform_indices(n, int(options.num_frames or 0))]
    elif mode == "fps":
        targets = rate_target_times(duration_s, float(options.fps or 0.0))  # fps mode: fps is set
    else:
        return None
    if not targets or duration_s / len(targets) < SEEK_MIN_GAP_S:
        return None
    return targets


def sample_by_seeking(container: InputContainer, stream: VideoStream, options: MediaOptions,
                      path: str, start_s: float, fps: float, targets: list[float]) -> SampledFrames:
    """For each instant: seek to the keyframe before it, decode up to the frame on screen."""
    conv = _Converter(stream, start_s, options)
    dedupe = sampling_mode(options) == "fps"  # fps mode never repeats a frame
    tolerance = 0.5 / fps
    for target in targets:
        chosen = _frame_at(container, stream, conv, path, target, tolerance)
        if chosen is None:
            continue
        if dedupe and conv.times and conv.times[-1] == round(chosen[1], 6):
            continue
        conv.keep(*chosen)
    return conv.result(path, {"sampling": sampling_mode(options), "seeks": len(targets)})


def _frame_at(container: InputContainer, stream: VideoStream, conv: _Converter, path: str,
              target: float, tolerance: float) -> tuple[VideoFrame, float] | None:
    if stream.time_base is None:
        raise MediaError(path, "the video stream has no time base")
    pts = int((target + conv.start_s) / stream.time_base)
    try:
        container.seek(pts, stream=stream, backward=True, any_frame=False)
        chosen: tuple[VideoFrame, float] | None = None
        for frame in container.decode(stream):
            if frame.pts is None:
                raise NoTimestamps(path)
            time_s = conv.time_of(frame, 0, None)
            if chosen is not None and time_s > target + tolerance:
                break
            chosen = (frame, time_s)
        return chosen
    except av.FFmpegError as exc:
        raise MediaError(path, f"video decoding failed near {target:.2f}s "
                               f"({ffmpeg_reason(exc)})") from exc

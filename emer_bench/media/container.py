"""Opening media files with PyAV and finding their streams, every failure as a `MediaError`."""

from __future__ import annotations

import os
from fractions import Fraction

import av
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.stream import VideoStream

from emer_bench.api.media import MediaError

NO_VIDEO = "no video stream (the task gives video to a model that takes video)"
NO_AUDIO = "no audio track (the task gives audio to a model that takes audio)"


def ffmpeg_reason(exc: BaseException) -> str:
    """FFmpeg's own words without PyAV's "[Errno N] ...: 'path'" wrapping."""
    if isinstance(exc, av.FFmpegError) and exc.strerror:
        return str(exc.strerror)
    return f"{type(exc).__name__}: {exc}"


# PyAV < 19 decodes container metadata strictly unless told to ignore bad bytes; PyAV 19 dropped
# the `metadata_errors` keyword (a TypeError) and no longer fails on such metadata.
_METADATA_ERRORS_KWARG = [True]


def _open(path: str) -> InputContainer:
    if _METADATA_ERRORS_KWARG[0]:
        try:
            return av.open(path, mode="r", metadata_errors="ignore")
        except TypeError as exc:
            if "metadata_errors" not in str(exc):
                raise
            _METADATA_ERRORS_KWARG[0] = False
    return av.open(path, mode="r")


def open_input(path: str | None) -> InputContainer:
    """Opens a media file for reading (header only: no frame is decoded here)."""
    if not path:
        raise MediaError("<no path>", "no media file given for this clip")
    if not os.path.exists(path):
        raise MediaError(path, "file not found")
    if os.path.isdir(path):
        raise MediaError(path, "is a directory, not a media file")
    try:
        return _open(path)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(path, f"not a readable media file ({ffmpeg_reason(exc)})") from exc


def video_stream(container: InputContainer, path: str) -> VideoStream:
    """The first video stream that is a real video (not an embedded cover picture)."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    raise MediaError(path, NO_VIDEO)


def audio_stream(container: InputContainer, path: str) -> AudioStream:
    if not container.streams.audio:
        raise MediaError(path, NO_AUDIO)
    return container.streams.audio[0]


def stream_start_s(stream: av.stream.Stream) -> float:
    if stream.start_time is None or stream.time_base is None:
        return 0.0
    return float(stream.start_time * stream.time_base)


def stream_duration_s(container: InputContainer, stream: av.stream.Stream) -> float | None:
    """The stream's duration, else the container's (mkv/webm often only have the latter)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def frame_rate(stream: VideoStream) -> Fraction | None:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return Fraction(rate) if rate else None

"""Cheap checks for adapters whose own processor reads the files (`MediaInput.PATHS`).

Only the container header is read (no frame is decoded): the file exists, opens, and has the
streams the request needs. A clip that fails here fails exactly as it would in `decode_clip`,
with the same `MediaError`, before the model spends time on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from av.container import InputContainer

from emer_bench.media.container import (audio_stream, frame_rate, open_input, stream_duration_s,
                                        video_stream)


@dataclass(frozen=True)
class ProbeInfo:
    """What the headers say (for provenance); None where a stream was not asked for."""

    video_codec: str | None = None
    video_size: tuple[int, int] | None = None
    video_fps: float | None = None
    audio_codec: str | None = None
    audio_rate: int | None = None
    duration_s: float | None = None


def probe_clip(video_path: str | None, audio_path: str | None, want_video: bool,
               want_audio: bool) -> ProbeInfo:
    """Checks that the files exist and hold the wanted streams; raises `MediaError` if not.

    Audio comes from `audio_path` when given, else from the video file's own track (the same
    rule as `decode_clip`)."""
    fields: dict[str, object] = {}
    if want_video or (want_audio and not audio_path):
        with open_input(video_path) as container:
            path = str(video_path)
            if want_video:
                stream = video_stream(container, path)
                rate = frame_rate(stream)
                fields.update(video_codec=stream.codec_context.name,
                              video_size=(stream.codec_context.width, stream.codec_context.height),
                              video_fps=float(rate) if rate else None,
                              duration_s=stream_duration_s(container, stream))
            if want_audio and not audio_path:
                _audio_fields(container, path, fields)
    if want_audio and audio_path:
        with open_input(audio_path) as container:
            _audio_fields(container, audio_path, fields)
    return ProbeInfo(**fields)  # type: ignore[arg-type]


def _audio_fields(container: InputContainer, path: str, fields: dict[str, object]) -> None:
    stream = audio_stream(container, path)
    fields.update(audio_codec=stream.codec_context.name, audio_rate=stream.codec_context.sample_rate)
    if "duration_s" not in fields:
        fields["duration_s"] = stream_duration_s(container, stream)

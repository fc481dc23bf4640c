"""`decode_clip`: one clip's sampled RGB frames and 16 kHz mono audio, for DECODED adapters.

Every input is checked cheaply (files open, streams present) before any decoding, so a clip
that cannot give what the request needs fails fast with a `MediaError`. Video and the audio
of the same file come out of ONE demux pass. A separate audio file (`audio_path`, e.g. a
wav), audio-only requests, and long clips sampled by seeking decode the audio in a pass of
its own from a freshly opened file (a decoder restarted by a seek would not reproduce the
first pass's samples exactly).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.stream import VideoStream

from emer_bench.api.media import DecodedMedia, MediaOptions
from emer_bench.media.audio import AudioSink
from emer_bench.media.container import (audio_stream, ffmpeg_reason, frame_rate, open_input,
                                        stream_duration_s, stream_start_s, video_stream)
from emer_bench.api.media import MediaError
from emer_bench.media.frame_sampling import sampling_mode
from emer_bench.media.video import (NoTimestamps, SampledFrames, VideoSink, count_frames,
                                    sample_by_seeking, seek_targets)


def decode_clip(video_path: str | None, audio_path: str | None, options: MediaOptions,
                want_video: bool, want_audio: bool) -> DecodedMedia:
    """Decodes what the request needs from one clip.

    - video (`want_video`): frames of `video_path` sampled per `options` (see
      `frame_sampling`), scaled to at most `options.max_pixels` with the aspect kept, as
      uint8 RGB [T, H, W, 3], with each frame's time in seconds from the stream start;
    - audio (`want_audio`): the track of `audio_path` when given, else of `video_path`, as
      float32 mono in [-1, 1] at `options.audio_sample_rate`.
    Raises `MediaError(path, reason)`: missing or unreadable file, no video stream when video
    is wanted, no audio track when audio is wanted, nothing decodable.
    """
    media = DecodedMedia(audio_sample_rate=options.audio_sample_rate)
    audio_file = (audio_path or video_path) if want_audio else None
    shared = want_video and audio_file is not None and audio_file == video_path
    with ExitStack() as stack:
        # Check everything first: a missing track fails before any decoding is spent.
        video_in: tuple[InputContainer, VideoStream] | None = None
        audio_in: tuple[InputContainer, AudioStream] | None = None
        if want_video:
            container = stack.enter_context(open_input(video_path))
            video_in = (container, video_stream(container, str(video_path)))
        if audio_file is not None:
            container = video_in[0] if shared and video_in else stack.enter_context(
                open_input(audio_file))
            audio_in = (container, audio_stream(container, audio_file))
        if video_in is not None:
            media.info["video_path"] = video_path
            audio_sink = _audio_sink(audio_in, options, media.info) if shared else None
            sampled, audio_fed = _sample_video(str(video_path), *video_in, audio_sink, options,
                                               media.info)
            media.frames, media.frame_times = sampled.frames, sampled.times
            media.info.update(sampled.info)
            media.duration_s = stream_duration_s(*video_in)
            if audio_sink is not None and audio_fed:  # the audio shared the video's pass
                media.audio = audio_sink.finish(str(video_path))
        if audio_in is not None and audio_file is not None and media.audio is None:
            if shared:  # the video pass did not take the audio along: start afresh
                fresh = stack.enter_context(open_input(audio_file))
                audio_in = (fresh, audio_stream(fresh, audio_file))
            media.audio = _decode_audio(*audio_in, audio_file, options, media.info)
        if audio_path and media.audio is not None:
            media.info["audio_path"] = audio_path
    if media.duration_s is None and media.audio is not None:
        media.duration_s = len(media.audio) / options.audio_sample_rate
    return media


def _audio_sink(audio_in: tuple[InputContainer, AudioStream] | None, options: MediaOptions,
                info: dict[str, Any]) -> AudioSink:
    assert audio_in is not None
    sink = AudioSink(audio_in[1], options.audio_sample_rate)
    info.update(sink.info)
    return sink


def _decode_audio(container: InputContainer, stream: AudioStream, path: str,
                  options: MediaOptions, info: dict[str, Any]) -> np.ndarray:
    sink = _audio_sink((container, stream), options, info)
    _one_pass(container, path, [stream], None, sink)
    return sink.finish(path)


def _sample_video(path: str, container: InputContainer, vstream: VideoStream,
                  audio_sink: AudioSink | None, options: MediaOptions,
                  info: dict[str, Any]) -> tuple[SampledFrames, bool]:
    """Seeks for long sparsely sampled clips; otherwise one pass, shared with the audio sink
    when there is one. Returns the frames and whether the audio sink was fed."""
    ctx = vstream.codec_context
    rate = frame_rate(vstream)
    fps = float(rate) if rate else None
    start_s = stream_start_s(vstream)
    info.update(video_codec=ctx.name, source_size=[ctx.width, ctx.height], source_fps=fps)
    targets = seek_targets(options, stream_duration_s(container, vstream), fps,
                           vstream.frames or None)
    if targets is not None and fps:
        try:
            return sample_by_seeking(container, vstream, options, path, start_s, fps,
                                     targets), False
        except NoTimestamps:
            pass  # frames without pts: fall back to one pass from a fresh start
        with open_input(path) as fresh:
            return _sample_video_one_pass(path, fresh, video_stream(fresh, path), None, options,
                                          start_s, fps), False
    sampled = _sample_video_one_pass(path, container, vstream, audio_sink, options, start_s, fps)
    return sampled, audio_sink is not None


def _sample_video_one_pass(path: str, container: InputContainer, vstream: VideoStream,
                           audio_sink: AudioSink | None, options: MediaOptions, start_s: float,
                           fps: float | None) -> SampledFrames:
    total = None
    if sampling_mode(options) == "uniform":
        total = vstream.frames or count_frames(path)
    sink = VideoSink(vstream, options, start_s, fps, total)
    streams: list[Any] = [vstream]
    if audio_sink is not None:
        streams.append(audio_sink.stream)
    _one_pass(container, path, streams, sink, audio_sink)
    return sink.finish(path)


def _one_pass(container: InputContainer, path: str, streams: list[Any],
              video_sink: VideoSink | None, audio_sink: AudioSink | None) -> None:
    """Demuxes the given streams once, routing decoded frames to their sinks. Stops early when
    only video is wanted and the sampler needs no later frame."""
    try:
        for packet in container.demux(*streams):
            is_video = packet.stream.type == "video"
            for frame in packet.decode():
                if is_video and video_sink is not None:
                    video_sink.add(frame)
                elif not is_video and audio_sink is not None:
                    audio_sink.add(frame)
            if video_sink is not None and video_sink.done and audio_sink is None:
                break
    except av.FFmpegError as exc:
        kind = "video/audio" if video_sink and audio_sink else ("video" if video_sink else "audio")
        raise MediaError(path, f"{kind} decoding failed ({ffmpeg_reason(exc)})") from exc

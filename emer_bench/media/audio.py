"""Audio decoding with PyAV: any track → mono float32 at the requested rate (libswresample)."""

from __future__ import annotations

from typing import Any

import numpy as np
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream

from emer_bench.media.errors import MediaError


class AudioSink:
    """Receives the decoded frames of one audio stream and resamples them as they come."""

    def __init__(self, stream: AudioStream, rate: int) -> None:
        self.stream = stream
        self.rate = rate
        self.resampler = AudioResampler(format="flt", layout="mono", rate=rate)
        self.chunks: list[np.ndarray] = []
        ctx = stream.codec_context
        self.info: dict[str, Any] = {"audio_codec": ctx.name, "audio_source_rate": ctx.sample_rate,
                                     "audio_source_channels": ctx.channels}

    def add(self, frame: AudioFrame) -> None:
        self._collect(self.resampler.resample(frame))

    def _collect(self, frames: list[AudioFrame]) -> None:
        for out in frames:
            self.chunks.append(out.to_ndarray().reshape(-1))  # packed mono: shape (1, n)

    def finish(self, path: str) -> np.ndarray:
        self._collect(self.resampler.resample(None))  # flush the resampler's delay line
        if not self.chunks:
            raise MediaError(path, "the audio track has no decodable samples")
        audio = np.concatenate(self.chunks).astype(np.float32, copy=False)
        # Downmixing loud, correlated channels can exceed full scale; the contract is [-1, 1].
        np.clip(audio, -1.0, 1.0, out=audio)
        return audio

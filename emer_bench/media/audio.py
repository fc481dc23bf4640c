"""Audio decoding with PyAV: any track → mono float32 at the requested rate (libswresample)."""

from __future__ import annotations

from typing import Any

import numpy as np
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream

from emer_bench.api.media import MediaError

# Decoded frames are small (1024 samples for AAC) and every resampler call has a fixed cost
# (a filter-graph push and pull), so samples are gathered into chunks of about this length
# first; a chunk bounds the extra memory for long tracks. The resampler keeps its state
# across chunks, so the output is identical to frame-by-frame resampling.
CHUNK_SECONDS = 10.0


class AudioSink:
    """Receives the decoded frames of one audio stream and resamples them in chunks."""

    def __init__(self, stream: AudioStream, rate: int) -> None:
        self.stream = stream
        self.rate = rate
        self.resampler = AudioResampler(format="flt", layout="mono", rate=rate)
        self.out: list[np.ndarray] = []
        self.pending: list[np.ndarray] = []  # decoded samples, [channels or 1, n] each
        self.pending_samples = 0
        self.pending_kind: tuple[str, str, int] | None = None  # (format, layout, rate)
        ctx = stream.codec_context
        self.info: dict[str, Any] = {"audio_codec": ctx.name, "audio_source_rate": ctx.sample_rate,
                                     "audio_source_channels": ctx.channels}

    def add(self, frame: AudioFrame) -> None:
        kind = (frame.format.name, frame.layout.name, frame.sample_rate)
        if kind != self.pending_kind:  # a format change mid-stream: resample what we have
            self._resample_pending()
            self.pending_kind = kind
        self.pending.append(frame.to_ndarray())
        self.pending_samples += frame.samples
        if self.pending_samples >= CHUNK_SECONDS * frame.sample_rate:
            self._resample_pending()

    def _resample_pending(self) -> None:
        if not self.pending or self.pending_kind is None:
            return
        fmt, layout, rate = self.pending_kind
        data = self.pending[0] if len(self.pending) == 1 else np.concatenate(self.pending, axis=1)
        chunk = AudioFrame.from_ndarray(data, format=fmt, layout=layout)
        chunk.sample_rate = rate
        self._collect(self.resampler.resample(chunk))
        self.pending, self.pending_samples = [], 0

    def _collect(self, frames: list[AudioFrame]) -> None:
        for out in frames:
            self.out.append(out.to_ndarray().reshape(-1))  # packed mono: shape (1, n)

    def finish(self, path: str) -> np.ndarray:
        self._resample_pending()
        self._collect(self.resampler.resample(None))  # flush the resampler's delay line
        if not self.out:
            raise MediaError(path, "the audio track has no decodable samples")
        audio = np.concatenate(self.out).astype(np.float32, copy=False)
        # Downmixing loud, correlated channels can exceed full scale; the contract is [-1, 1].
        np.clip(audio, -1.0, 1.0, out=audio)
        return audio

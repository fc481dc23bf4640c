"""AudioSink: any rate and layout → mono float32 at the asked rate, within [-1, 1]."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from emer_bench.media.audio import AudioSink
from emer_bench.api.media import MediaError


def decode_with_sink(path: Path, rate: int) -> tuple[np.ndarray, dict]:
    with av.open(str(path)) as container:
        sink = AudioSink(container.streams.audio[0], rate)
        for frame in container.decode(audio=0):
            sink.add(frame)
        return sink.finish(str(path)), sink.info


def make_wav(path: Path, channels: int, rate: int, volume: float, seconds: float = 1.0) -> Path:
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}:sample_rate={rate}",
                    "-af", f"volume={volume}", "-ac", str(channels), "-c:a", "pcm_s16le",
                    str(path)], check=True)
    return path


@pytest.mark.parametrize("rate", [16_000, 8_000, 24_000])
def test_stereo_44k_becomes_mono_at_the_asked_rate(tmp_path: Path, rate: int) -> None:
    audio, info = decode_with_sink(make_wav(tmp_path / "s.wav", 2, 44_100, 1.0), rate)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - rate) <= 2  # one second
    assert info == {"audio_codec": "pcm_s16le", "audio_source_rate": 44_100,
                    "audio_source_channels": 2}
    # lavfi's sine has amplitude 1/8; the downmix of two equal channels keeps it.
    assert float(np.abs(audio).max()) == pytest.approx(0.125, abs=0.01)
    # 440 Hz survives resampling: the spectrum peaks there.
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.argmax(spectrum) * rate / len(audio) - 440) < 3


def test_output_never_exceeds_full_scale(tmp_path: Path) -> None:
    audio, _ = decode_with_sink(make_wav(tmp_path / "loud.wav", 2, 16_000, 8.0), 16_000)
    assert float(np.abs(audio).max()) <= 1.0


def test_a_track_with_no_samples_is_a_media_error(tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "one.wav", 1, 16_000, 1.0)
    with av.open(str(wav)) as container:
        sink = AudioSink(container.streams.audio[0], 16_000)
        with pytest.raises(MediaError, match="no decodable samples"):
            sink.finish(str(wav))


def test_chunked_resampling_equals_frame_by_frame(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    wav = make_wav(tmp_path / "long.wav", 2, 44_100, 1.0, seconds=3.0)
    with av.open(str(wav)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=16_000)
        pieces = [out.to_ndarray().reshape(-1) for frame in container.decode(audio=0)
                  for out in resampler.resample(frame)]
        pieces += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    frame_by_frame = np.concatenate(pieces)
    monkeypatch.setattr("emer_bench.media.audio.CHUNK_SECONDS", 0.25)  # many chunks
    chunked, _ = decode_with_sink(wav, 16_000)
    assert np.array_equal(chunked, frame_by_frame)

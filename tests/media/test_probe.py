"""probe_clip: header-only checks for adapters that read the files themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.api.media import MediaError
from emer_bench.media.probe import probe_clip


def test_probe_reads_headers_of_a_demo_clip(demo_clip: Path) -> None:
    info = probe_clip(str(demo_clip), None, True, True)
    assert info.video_codec == "h264" and info.video_size == (256, 192)
    assert info.video_fps == 12.0 and info.audio_codec == "aac" and info.audio_rate == 22_050
    assert info.duration_s == pytest.approx(3.0)


def test_probe_takes_audio_from_the_separate_file(media_dir: dict[str, Path]) -> None:
    info = probe_clip(str(media_dir["video_only"]), str(media_dir["wav"]), True, True)
    assert info.audio_codec == "pcm_s16le" and info.audio_rate == 44_100
    audio_only = probe_clip(None, str(media_dir["wav"]), False, True)
    assert audio_only.video_codec is None and audio_only.audio_rate == 44_100


@pytest.mark.parametrize(("kind", "want_video", "want_audio", "reason"), [
    ("audio_only", True, False, "no video stream"),
    ("video_only", False, True, "no audio track"),
    ("garbage", True, False, "not a readable media file"),
    ("empty", False, True, "not a readable media file"),
])
def test_probe_fails_like_decode(media_dir: dict[str, Path], kind: str, want_video: bool,
                                 want_audio: bool, reason: str) -> None:
    with pytest.raises(MediaError) as info:
        probe_clip(str(media_dir[kind]), None, want_video, want_audio)
    assert info.value.path == str(media_dir[kind]) and info.value.reason.startswith(reason)


def test_probe_missing_file(tmp_path: Path, demo_clip: Path) -> None:
    with pytest.raises(MediaError, match="nope.mp4: file not found"):
        probe_clip(str(tmp_path / "nope.mp4"), None, True, False)
    with pytest.raises(MediaError, match="nope.wav: file not found"):
        probe_clip(str(demo_clip), str(tmp_path / "nope.wav"), True, True)


def test_probe_of_nothing_wanted_touches_no_file() -> None:
    assert probe_clip("/nonexistent.mp4", None, False, False).video_codec is None

"""Media files for the media tests, made once per session with ffmpeg in a tmp dir.

Derived from the committed demo clip demo_01 (3.0 s, 36 frames at 12 fps, 256x192, speech
from 0.35 s) or synthesised (lavfi test sources) where a property of its own is needed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *args], check=True)


@pytest.fixture(scope="session")
def demo_clip(demo_clips: list[Path]) -> Path:
    clip = demo_clips[0]
    assert clip.name == "demo_01.mp4"
    return clip


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory, demo_clip: Path) -> dict[str, Path]:
    """name → file: the same clip in other containers/codecs, split tracks, broken files."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is needed to make the media test files (apt-get install ffmpeg)")
    out = tmp_path_factory.mktemp("media")
    src = str(demo_clip)
    files = {
        "avi": out / "clip.avi", "mkv": out / "clip.mkv", "webm": out / "clip.webm",
        "wav": out / "speech.wav", "audio_only": out / "audio_only.m4a",
        "video_only": out / "video_only.mp4", "long": out / "long.mp4",
        "garbage": out / "garbage.mp4", "truncated": out / "truncated.mp4",
        "empty": out / "empty.mp4",
    }
    ffmpeg("-i", src, "-c:v", "mpeg4", "-q:v", "5", "-c:a", "pcm_s16le", str(files["avi"]))
    # With mp3, ffmpeg's A/V sync leaves a gap at frame 1: the header counts 37 frames, 36 decode.
    files["avi_gap"] = out / "clip_gap.avi"
    ffmpeg("-i", src, "-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame", str(files["avi_gap"]))
    ffmpeg("-i", src, "-c", "copy", str(files["mkv"]))  # mkv stores no frame count
    ffmpeg("-i", src, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k",
           "-c:a", "libopus", "-b:a", "32k", str(files["webm"]))
    # Separate track: stereo at 44.1 kHz, so downmix and resampling are both exercised.
    ffmpeg("-i", src, "-vn", "-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", str(files["wav"]))
    ffmpeg("-i", src, "-vn", "-c:a", "aac", "-b:a", "32k", str(files["audio_only"]))
    ffmpeg("-i", src, "-an", "-c:v", "copy", str(files["video_only"]))
    # 40 s at 10 fps with a keyframe every second: sparse sampling takes the seeking path.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10:duration=40",
           "-f", "lavfi", "-i", "sine=frequency=300:duration=40",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "32k", "-shortest", str(files["long"]))
    # An mp3 whose only "video" is its cover picture: no video for a model.
    files["cover_art"] = out / "cover_art.mp3"
    cover = out / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "color=red:size=32x32", "-frames:v", "1", str(cover))
    ffmpeg("-i", src, "-i", str(cover), "-map", "0:a", "-map", "1", "-c:a", "libmp3lame",
           "-c:v", "copy", "-disposition:v", "attached_pic", str(files["cover_art"]))
    files["garbage"].write_bytes(b"\x00\x01garbage, not a video" * 64)
    data = demo_clip.read_bytes()
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["empty"].write_bytes(b"")
    return files

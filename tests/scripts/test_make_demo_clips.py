"""The demo-clip generator and the committed emer-demo files it made."""

from __future__ import annotations

import ast
import csv
import sys
from pathlib import Path

import av
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import make_demo_clips  # noqa: E402
from demo_clip_specs import CLIPS  # noqa: E402

DEMO_DIR = ROOT / "tasks" / "emer_demo"
LABELS = {"happy", "sad", "angry", "surprise", "worried", "fear", "disgust", "neutral"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_committed_annotations_are_what_the_specs_say(tmp_path: Path) -> None:
    fresh = tmp_path / "annotations.csv"
    make_demo_clips.write_annotations(fresh, CLIPS)
    assert fresh.read_bytes() == (DEMO_DIR / "annotations.csv").read_bytes()


def test_annotations_are_well_formed() -> None:
    rows = read_rows(DEMO_DIR / "annotations.csv")
    assert [r["name"] for r in rows] == [f"demo_{i:02d}" for i in range(1, 11)]
    assert list(rows[0]) == make_demo_clips.CSV_COLUMNS
    for row in rows:
        labels = ast.literal_eval(row["openset"])
        assert isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)
        assert row["label"] in LABELS
        assert -1.0 <= float(row["valence"]) <= 1.0 and -1.0 <= float(row["arousal"]) <= 1.0
        assert row["subtitle"].rstrip(".!?") in row["explanation"]  # quoted in the reasoning
        assert "Therefore, it can be inferred that" in row["explanation"]
        assert (DEMO_DIR / "clips" / f"{row['name']}.mp4").is_file()


def test_committed_clips_are_small_and_in_the_promised_format() -> None:
    clips = sorted((DEMO_DIR / "clips").glob("*.mp4"))
    assert len(clips) == 10
    assert sum(c.stat().st_size for c in clips) < 2 * 1024 * 1024
    for clip in clips:
        with av.open(str(clip)) as container:
            video, audio = container.streams.video[0], container.streams.audio[0]
            assert video.codec_context.name == "h264" and video.codec_context.pix_fmt == "yuv420p"
            assert (video.codec_context.width, video.codec_context.height) == (256, 192)
            assert video.average_rate == make_demo_clips.FPS
            assert audio.codec_context.name == "aac" and audio.codec_context.channels == 1
            assert 2.0 <= container.duration / av.time_base <= 4.1


@pytest.mark.slow
def test_regenerating_gives_the_same_clips(tmp_path: Path) -> None:
    assert make_demo_clips.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "annotations.csv").read_bytes() == (DEMO_DIR / "annotations.csv").read_bytes()
    for spec in CLIPS:
        made, committed = tmp_path / "clips" / f"{spec.clip_id}.mp4", DEMO_DIR / "clips" / f"{spec.clip_id}.mp4"
        with av.open(str(made)) as a, av.open(str(committed)) as b:
            # Same length to the frame; bytes may differ only across espeak-ng/ffmpeg builds.
            assert a.streams.video[0].frames == b.streams.video[0].frames, spec.clip_id
            assert a.duration == pytest.approx(b.duration, abs=av.time_base // 10), spec.clip_id

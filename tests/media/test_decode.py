"""decode_clip on the committed demo clips and on ffmpeg-made variants of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emer_bench.api.media import MediaOptions
from emer_bench.media.decode import decode_clip
from emer_bench.api.media import MediaError

# demo_01's known geometry (see scripts/demo_clip_specs.py and make_demo_clips.py).
DEMO_FRAMES, DEMO_FPS, DEMO_DURATION_S = 36, 12.0, 3.0
SPEECH_START_S = 0.35  # make_demo_clips.LEAD_S: silence before the speech


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_every_demo_clip_decodes_to_frames_and_speech(demo_clips: list[Path]) -> None:
    assert len(demo_clips) == 10
    for clip in demo_clips:
        media = decode_clip(str(clip), None, MediaOptions(), True, True)
        assert media.frames is not None and media.audio is not None
        assert media.frames.dtype == np.uint8 and media.frames.shape == (8, 192, 256, 3)
        assert media.frame_times[0] == 0.0
        assert media.frame_times == sorted(media.frame_times)
        assert media.duration_s is not None and 2.0 <= media.duration_s <= 4.0
        assert media.frame_times[-1] <= media.duration_s
        assert media.audio.dtype == np.float32 and media.audio.ndim == 1
        assert media.audio_sample_rate == 16_000
        # The AAC track covers the clip (the encoder pads at most a frame or so at the end).
        assert abs(len(media.audio) / 16_000 - media.duration_s) < 0.05, clip.name
        assert float(np.abs(media.audio).max()) <= 1.0
        assert rms(media.audio) > 0.02, f"{clip.name}: speech track is silent"
        assert media.info["video_codec"] == "h264" and media.info["audio_codec"] == "aac"


def test_uniform_sampling_takes_evenly_spaced_frames_of_the_full_decode(demo_clip: Path) -> None:
    every = decode_clip(str(demo_clip), None, MediaOptions(num_frames=None), True, False)
    assert every.frames is not None and every.frames.shape[0] == DEMO_FRAMES
    assert every.frame_times == pytest.approx([i / DEMO_FPS for i in range(DEMO_FRAMES)], abs=1e-4)
    eight = decode_clip(str(demo_clip), None, MediaOptions(num_frames=8), True, False)
    expected = np.round(np.linspace(0, DEMO_FRAMES - 1, 8)).astype(int)
    assert eight.frames is not None
    assert np.array_equal(eight.frames, every.frames[expected])
    assert eight.frame_times == [every.frame_times[i] for i in expected]
    assert eight.frame_times[-1] == pytest.approx((DEMO_FRAMES - 1) / DEMO_FPS, abs=1e-4)


def test_more_frames_than_the_clip_has_repeats_frames_in_order(demo_clip: Path) -> None:
    media = decode_clip(str(demo_clip), None, MediaOptions(num_frames=50), True, False)
    assert media.frames is not None and media.frames.shape[0] == 50
    assert media.frame_times == sorted(media.frame_times)
    assert len(set(media.frame_times)) == DEMO_FRAMES


def test_fps_sampling_takes_the_frame_on_screen_at_each_instant(demo_clip: Path) -> None:
    media = decode_clip(str(demo_clip), None, MediaOptions(num_frames=8, fps=2.0), True, False)
    assert media.frame_times == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], abs=1e-4)
    assert media.info["sampling"] == "fps"
    # Above the clip's own rate: its native frames, each once.
    fast = decode_clip(str(demo_clip), None, MediaOptions(fps=100.0), True, False)
    assert fast.frames is not None and fast.frames.shape[0] == DEMO_FRAMES
    assert len(set(fast.frame_times)) == DEMO_FRAMES


def test_large_frames_are_downscaled_keeping_the_aspect(demo_clip: Path) -> None:
    media = decode_clip(str(demo_clip), None, MediaOptions(max_pixels=64 * 48), True, False)
    assert media.frames is not None and media.frames.shape == (8, 48, 64, 3)
    full = decode_clip(str(demo_clip), None, MediaOptions(max_pixels=None), True, False)
    assert full.frames is not None and full.frames.shape == (8, 192, 256, 3)
    assert media.info["source_size"] == [256, 192]
    # Same picture, smaller: mean colour is kept by the area filter.
    assert abs(float(media.frames.mean()) - float(full.frames.mean())) < 3.0


def test_audio_is_aligned_with_the_clip(demo_clip: Path) -> None:
    media = decode_clip(str(demo_clip), None, MediaOptions(), False, True)
    assert media.frames is None and media.audio is not None
    lead = media.audio[: int(0.25 * 16_000)]
    speech = media.audio[int(SPEECH_START_S * 16_000): int(2.0 * 16_000)]
    assert rms(lead) < 0.01 < rms(speech)
    assert media.duration_s == pytest.approx(len(media.audio) / 16_000)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["avi", "mkv", "webm"])
def test_other_containers_give_the_same_sampling(media_dir: dict[str, Path], kind: str) -> None:
    media = decode_clip(str(media_dir[kind]), None, MediaOptions(), True, True)
    assert media.frames is not None and media.frames.shape == (8, 192, 256, 3)
    expected = np.round(np.linspace(0, DEMO_FRAMES - 1, 8)) / DEMO_FPS
    assert media.frame_times == pytest.approx(list(expected), abs=0.01)
    assert media.audio is not None and rms(media.audio) > 0.02
    assert abs(len(media.audio) / 16_000 - DEMO_DURATION_S) < 0.1


@pytest.mark.slow
def test_header_promising_more_frames_than_decode_still_gives_num_frames(
        media_dir: dict[str, Path]) -> None:
    media = decode_clip(str(media_dir["avi_gap"]), None, MediaOptions(num_frames=8), True, False)
    assert media.frames is not None and media.frames.shape[0] == 8
    assert media.info["frames_decoded"] == DEMO_FRAMES  # the header said 37
    assert media.frame_times == sorted(media.frame_times)
    assert media.frame_times[-1] == pytest.approx(DEMO_DURATION_S, abs=0.01)


@pytest.mark.slow
def test_separate_audio_file_replaces_the_video_track(media_dir: dict[str, Path]) -> None:
    media = decode_clip(str(media_dir["video_only"]), str(media_dir["wav"]), MediaOptions(),
                        True, True)
    assert media.frames is not None and media.audio is not None
    assert media.info["audio_path"] == str(media_dir["wav"])
    assert media.info["audio_source_rate"] == 44_100 and media.info["audio_source_channels"] == 2
    assert abs(len(media.audio) / 16_000 - DEMO_DURATION_S) < 0.05
    assert rms(media.audio) > 0.02
    only_audio = decode_clip(None, str(media_dir["wav"]), MediaOptions(), False, True)
    assert only_audio.frames is None and np.array_equal(only_audio.audio, media.audio)


@pytest.mark.slow
def test_long_sparse_sampling_seeks_and_matches_one_pass(media_dir: dict[str, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(media_dir["long"])
    for options in (MediaOptions(num_frames=8), MediaOptions(fps=0.2)):
        seeking = decode_clip(path, None, options, True, True)
        assert "seeks" in seeking.info
        monkeypatch.setattr("emer_bench.media.video.SEEK_MIN_GAP_S", float("inf"))
        one_pass = decode_clip(path, None, options, True, True)
        monkeypatch.undo()
        assert "seeks" not in one_pass.info
        assert seeking.frame_times == one_pass.frame_times
        assert seeking.frames is not None and one_pass.frames is not None
        assert np.array_equal(seeking.frames, one_pass.frames)
        assert seeking.audio is not None and one_pass.audio is not None
        assert np.array_equal(seeking.audio, one_pass.audio)
    assert seeking.frame_times == pytest.approx([5.0 * k for k in range(8)])


def test_nothing_wanted_decodes_nothing() -> None:
    media = decode_clip("/nonexistent.mp4", None, MediaOptions(), False, False)
    assert media.frames is None and media.audio is None


@pytest.mark.parametrize(("kind", "reason"), [
    ("garbage", "not a readable media file"),
    ("empty", "not a readable media file"),
    ("truncated", "decoding failed"),
])
def test_broken_files_raise_media_error(media_dir: dict[str, Path], kind: str, reason: str) -> None:
    with pytest.raises(MediaError) as info:
        decode_clip(str(media_dir[kind]), None, MediaOptions(), True, True)
    assert info.value.path == str(media_dir[kind])
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{media_dir[kind]}: ")


def test_missing_file_raises_media_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    with pytest.raises(MediaError, match="nope.mp4: file not found"):
        decode_clip(str(missing), None, MediaOptions(), True, False)
    with pytest.raises(MediaError, match="is a directory"):
        decode_clip(str(tmp_path), None, MediaOptions(), True, False)


def test_missing_separate_audio_file_is_named(demo_clip: Path, tmp_path: Path) -> None:
    wav = tmp_path / "speech.wav"
    with pytest.raises(MediaError) as info:
        decode_clip(str(demo_clip), str(wav), MediaOptions(), True, True)
    assert info.value.path == str(wav) and info.value.reason == "file not found"


def test_audio_only_file_when_video_is_wanted(media_dir: dict[str, Path]) -> None:
    with pytest.raises(MediaError) as info:
        decode_clip(str(media_dir["audio_only"]), None, MediaOptions(), True, True)
    assert info.value.path == str(media_dir["audio_only"])
    assert info.value.reason.startswith("no video stream")
    # The audio alone is fine.
    media = decode_clip(str(media_dir["audio_only"]), None, MediaOptions(), False, True)
    assert media.audio is not None and rms(media.audio) > 0.02


def test_video_without_audio_when_audio_is_wanted(media_dir: dict[str, Path]) -> None:
    path = str(media_dir["video_only"])
    with pytest.raises(MediaError) as info:
        decode_clip(path, None, MediaOptions(), True, True)
    assert str(info.value) == (f"{path}: no audio track (the task gives audio to a model "
                               "that takes audio)")
    media = decode_clip(path, None, MediaOptions(), True, False)
    assert media.frames is not None and media.audio is None


@pytest.mark.slow
def test_frames_without_timestamps_fall_back_to_one_pass(media_dir: dict[str, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from emer_bench.media.video import NoTimestamps

    def no_pts(*args: object, **kwargs: object) -> None:
        raise NoTimestamps("clip")

    path = str(media_dir["long"])
    reference = decode_clip(path, None, MediaOptions(num_frames=8), True, True)
    monkeypatch.setattr("emer_bench.media.decode.sample_by_seeking", no_pts)
    fallback = decode_clip(path, None, MediaOptions(num_frames=8), True, True)
    assert "seeks" not in fallback.info and fallback.frame_times == reference.frame_times
    assert fallback.audio is not None and reference.audio is not None
    assert np.array_equal(fallback.audio, reference.audio)

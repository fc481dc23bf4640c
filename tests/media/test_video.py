"""Video sampling internals: when to seek, counting frames without decoding."""

from __future__ import annotations

from pathlib import Path

from emer_bench.api.media import MediaOptions
from emer_bench.media.video import SEEK_MIN_GAP_S, count_frames, seek_targets


def test_short_clips_take_one_pass() -> None:
    assert seek_targets(MediaOptions(num_frames=8), 3.0, 12.0, 36) is None
    assert seek_targets(MediaOptions(fps=1.0), 30.0, 25.0, None) is None  # frames 1 s apart


def test_long_sparse_sampling_seeks_to_planned_instants() -> None:
    targets = seek_targets(MediaOptions(num_frames=8), 60.0, 10.0, 600)
    assert targets is not None and len(targets) == 8
    assert targets[0] == 0.0 and targets[-1] == 59.9
    assert min(b - a for a, b in zip(targets, targets[1:])) >= SEEK_MIN_GAP_S
    assert seek_targets(MediaOptions(fps=0.2), 60.0, 10.0, 600) == [5.0 * k for k in range(12)]


def test_unknown_duration_or_rate_or_all_frames_never_seek() -> None:
    assert seek_targets(MediaOptions(num_frames=2), None, 10.0, None) is None
    assert seek_targets(MediaOptions(num_frames=2), 60.0, None, None) is None
    assert seek_targets(MediaOptions(num_frames=None), 600.0, 10.0, 6000) is None


def test_count_frames_reads_packets_only(media_dir: dict[str, Path], demo_clip: Path) -> None:
    assert count_frames(str(media_dir["mkv"])) == 36  # mkv headers carry no frame count
    assert count_frames(str(demo_clip)) == 36

"""The millisecond clock that tells transformers video processors when each decoded frame was taken."""

from __future__ import annotations

import numpy as np
import pytest
from transformers.video_utils import VideoMetadata

from emer_bench.api.media import DecodedMedia
from emer_bench.model_adapters.hf_video import MS_CLOCK_FPS, ms_clock_metadata


def media(times: list[float], duration: float | None) -> DecodedMedia:
    frames = np.zeros((len(times), 4, 4, 3), dtype=np.uint8)
    return DecodedMedia(frames=frames, frame_times=times, duration_s=duration)


def test_frame_times_and_sampling_rate_survive_the_processor_metadata():
    times = [0.0, 0.417, 0.833, 1.25, 1.667, 2.083, 2.5, 2.917]  # 8 frames of a 3 s clip
    meta = ms_clock_metadata(media(times, 3.0), 8)
    assert meta == {"total_num_frames": 3000, "fps": MS_CLOCK_FPS, "duration": 3.0,
                    "frames_indices": [0, 417, 833, 1250, 1667, 2083, 2500, 2917]}
    parsed = VideoMetadata(**meta)  # what the processors build from it
    assert parsed.timestamps == pytest.approx(times)  # Qwen3-VL's "<t seconds>" stamps
    assert parsed.sampled_fps == pytest.approx(8 / 3.0)  # Qwen2.5-VL's second_per_grid_ts = 2 / this


def test_padding_frames_repeat_the_last_time():
    meta = ms_clock_metadata(media([1.5], 3.0), 2)
    assert meta is not None and meta["frames_indices"] == [1500, 1500]


def test_without_a_duration_the_clip_ends_one_interval_after_the_last_frame():
    meta = ms_clock_metadata(media([0.0, 0.5, 1.0], None), 3)
    assert meta is not None and meta["total_num_frames"] == 1500 and meta["duration"] == 1.5
    single = ms_clock_metadata(media([0.2], None), 1)
    assert single is not None and single["total_num_frames"] == 1200


def test_a_duration_shorter_than_the_last_frame_time_still_covers_every_index():
    meta = ms_clock_metadata(media([0.0, 1.0, 2.0], 1.5), 3)
    assert meta is not None and meta["total_num_frames"] == 2001


@pytest.mark.parametrize("given", [None, media([], 2.0)])
def test_unknown_timing_gives_no_metadata(given: DecodedMedia | None):
    assert ms_clock_metadata(given, 4) is None

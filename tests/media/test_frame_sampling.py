"""Which frames are kept, and at what size (pure planning, no decoding)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emer_bench.api.media import MediaOptions
from emer_bench.media.frame_sampling import (RatePicker, UniformPicker, rate_target_times,
                                             sampling_mode, scaled_size, uniform_indices)


def test_mode_follows_the_options() -> None:
    assert sampling_mode(MediaOptions(num_frames=8, fps=None)) == "uniform"
    assert sampling_mode(MediaOptions(num_frames=8, fps=2.0)) == "fps"  # fps set: it wins
    assert sampling_mode(MediaOptions(num_frames=None, fps=None)) == "all"


def test_uniform_indices_include_both_ends() -> None:
    assert uniform_indices(36, 8) == [0, 5, 10, 15, 20, 25, 30, 35]
    assert uniform_indices(5, 1) == [2]
    assert uniform_indices(3, 5) == [0, 0, 1, 2, 2]
    assert uniform_indices(0, 8) == [] and uniform_indices(10, 0) == []


@given(st.integers(1, 5000), st.integers(1, 64))
def test_uniform_indices_are_sorted_in_range_and_exactly_count(total: int, count: int) -> None:
    plan = uniform_indices(total, count)
    assert len(plan) == count and plan == sorted(plan)
    assert 0 <= plan[0] and plan[-1] <= total - 1
    if count >= 2:
        assert plan[0] == 0 and plan[-1] == total - 1
    if count <= total:
        assert len(set(plan)) == count  # no frame twice while there are enough


def test_uniform_picker_stops_after_the_last_planned_frame() -> None:
    picker = UniformPicker(total=10, count=3)
    assert picker.plan == [0, 4, 9]  # linspace(0, 9, 3) = [0, 4.5, 9], half rounds to even
    assert not picker.done(8) and picker.done(9)
    assert picker.missing_after(decoded=10) == 0
    assert picker.missing_after(decoded=9) == 1  # frame 9 never arrived


def test_rate_targets_stop_before_the_end() -> None:
    assert rate_target_times(3.0, 2.0) == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    assert rate_target_times(0.1, 1.0) == [0.0]


def test_rate_picker_keeps_the_frame_on_screen_once() -> None:
    picker = RatePicker(fps=2.0)  # instants 0, 0.5, 1.0 ...
    times = [0.0, 0.3, 0.6, 0.9, 1.2]  # frames every 0.3 s
    kept = [i for i in range(len(times) - 1) if picker.feed(i, times[i + 1])]
    # 0 -> frame 0 (0.0-0.3); 0.5 -> frame 1 (0.3-0.6); 1.0 -> frame 3 (0.9-1.2)
    assert kept == [0, 1, 3]
    fast = RatePicker(fps=100.0)
    assert [fast.feed(i, (i + 1) * 0.1) for i in range(3)] == [True, True, True]


def test_scaled_size_keeps_aspect_under_the_budget() -> None:
    assert scaled_size(256, 192, None) == (256, 192)
    assert scaled_size(256, 192, 256 * 192) == (256, 192)
    assert scaled_size(1920, 1080, 448 * 448) == (596, 336)
    assert scaled_size(256, 192, 64 * 48) == (64, 48)


@given(st.integers(2, 4000), st.integers(2, 4000), st.integers(4, 4_000_000))
def test_scaled_size_never_exceeds_the_budget(width: int, height: int, budget: int) -> None:
    new_w, new_h = scaled_size(width, height, budget)
    if width * height <= budget:
        assert (new_w, new_h) == (width, height)
    else:
        assert new_w * new_h <= budget or min(new_w, new_h) == 2  # 2 px: the smallest side
        assert new_w % 2 == 0 and new_h % 2 == 0
        if min(new_w, new_h) > 20:  # aspect kept up to rounding to even sides
            assert abs(new_w / new_h - width / height) / (width / height) < 0.15

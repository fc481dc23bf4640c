"""The prefetch pool (order, bounded look-ahead, per-item errors, early close) and
prepare_request (what gets decoded or probed for which adapter)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from emer_bench.api.adapter import MediaInput
from emer_bench.api.media import MediaOptions
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.errors import ConfigError
from emer_bench.api.media import MediaError
from emer_bench.media.prefetch import PrefetchResult, prefetch, prepare_request

WAIT_S = 10.0  # generous bound on waiting for worker threads (never reached when working)


class Tracker:
    """Counts items prepared but not yet handed to the consumer, and input pulls."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outstanding: set[int] = set()
        self.max_outstanding = 0
        self.pulled = 0
        self.prepared: list[int] = []

    def items(self, n: int) -> Iterator[int]:
        for i in range(n):
            with self.lock:
                self.pulled += 1
            yield i

    def prepare(self, item: int) -> int:
        with self.lock:
            self.outstanding.add(item)
            self.max_outstanding = max(self.max_outstanding, len(self.outstanding))
        time.sleep(0.001 * (item % 3))  # uneven work so completion order differs from input order
        with self.lock:
            self.prepared.append(item)
        return item * 10

    def consumed(self, item: int) -> None:
        with self.lock:
            self.outstanding.discard(item)


def emer_media_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("emer-media")]


@pytest.mark.parametrize(("workers", "max_ahead"), [(1, 1), (2, 3), (4, 8), (8, 2)])
def test_results_come_in_input_order_with_bounded_look_ahead(workers: int, max_ahead: int) -> None:
    tracker = Tracker()
    seen = []
    for count, result in enumerate(prefetch(tracker.items(40), tracker.prepare, workers, max_ahead),
                                   start=1):
        tracker.consumed(result.item)
        assert result.ok and result.value == result.item * 10 and result.prepare_s >= 0
        # Lazy input: never more than max_ahead pulled beyond what was consumed.
        assert tracker.pulled <= count + max_ahead
        seen.append(result.item)
    assert seen == list(range(40))
    # Prepared but not yet taken by the consumer: the pool's max_ahead, plus the one being
    # handed over (the pool refills its slot just before handing the item out).
    assert tracker.max_outstanding <= max_ahead + 1


@pytest.mark.parametrize(("workers", "max_ahead"), [(1, 1), (2, 3), (3, 8)])
def test_the_pool_runs_exactly_max_ahead_items_ahead_and_no_more(workers: int,
                                                                 max_ahead: int) -> None:
    tracker = Tracker()
    total = 12
    results = prefetch(tracker.items(total), tracker.prepare, workers, max_ahead)
    for count in range(1, total + 1):
        assert next(results).item == count - 1
        expected = min(count + max_ahead, total)  # the pool refills to max_ahead, then waits
        deadline = time.monotonic() + WAIT_S
        while len(tracker.prepared) < expected and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(0.01)  # room for a (wrong) extra prepare to show up
        assert tracker.pulled == expected and len(tracker.prepared) == expected
    assert next(results, None) is None


def test_workers_run_ahead_while_the_consumer_holds_an_item() -> None:
    third_prepared = threading.Event()

    def prepare(item: int) -> int:
        if item == 3:
            third_prepared.set()
        return item

    results = prefetch(range(10), prepare, workers=2, max_ahead=4)
    first = next(results)
    # While the consumer "runs the model" on item 0, items 1..3 are prepared in the background.
    assert first.item == 0 and third_prepared.wait(WAIT_S)
    assert [r.item for r in results] == list(range(1, 10))


def test_the_first_item_is_prepared_alone() -> None:
    tracker = Tracker()
    pulled_while_first_prepared: list[int] = []

    def prepare(item: int) -> int:
        if item == 0:
            pulled_while_first_prepared.append(tracker.pulled)
        return tracker.prepare(item)

    results = prefetch(tracker.items(10), prepare, workers=4, max_ahead=6)
    assert tracker.pulled == 0  # nothing happens before the consumer asks
    assert next(results).item == 0
    assert pulled_while_first_prepared == [1]
    results.close()


def test_errors_are_captured_per_item_and_the_run_goes_on() -> None:
    def prepare(item: int) -> str:
        if item % 3 == 1:
            raise MediaError(f"/clips/{item}.mp4", "file not found")
        if item == 5:
            raise ValueError("a bug in prepare")
        return f"ok{item}"

    results = list(prefetch(range(9), prepare, workers=3, max_ahead=4))
    assert [r.item for r in results] == list(range(9))
    for r in results:
        if r.item % 3 == 1:
            assert isinstance(r.error, MediaError) and r.error.path == f"/clips/{r.item}.mp4"
            assert r.value is None and not r.ok
        elif r.item == 5:
            assert isinstance(r.error, ValueError)
        else:
            assert r.ok and r.value == f"ok{r.item}"


def test_early_close_stops_pulling_and_leaves_no_thread() -> None:
    tracker = Tracker()
    results = prefetch(tracker.items(1000), tracker.prepare, workers=3, max_ahead=5)
    taken = [next(results).item for _ in range(3)]
    results.close()  # the consumer stops early (break / exception)
    assert taken == [0, 1, 2]
    assert tracker.pulled <= 3 + 5
    assert len(tracker.prepared) <= 3 + 5
    assert not [t for t in emer_media_threads() if t.is_alive()]


def test_breaking_out_of_a_for_loop_also_shuts_down() -> None:
    gate = threading.Event()

    def slow_prepare(item: int) -> int:
        gate.wait(WAIT_S) if item > 0 else None
        return item

    for result in prefetch(range(100), slow_prepare, workers=2, max_ahead=6):
        assert result.item == 0
        gate.set()  # release the running workers so the shutdown wait is short
        break
    deadline = time.monotonic() + WAIT_S
    while any(t.is_alive() for t in emer_media_threads()) and time.monotonic() < deadline:
        time.sleep(0.01)  # the generator's finally runs when it is garbage-collected
    assert not [t for t in emer_media_threads() if t.is_alive()]


def test_a_failing_input_iterator_raises_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 0
        yield 1
        raise RuntimeError("request list broken")

    got: list[PrefetchResult[int, int]] = []
    with pytest.raises(RuntimeError, match="request list broken"):
        for result in prefetch(items(), lambda i: i, workers=2, max_ahead=4):
            got.append(result)
    assert [r.item for r in got] == [0, 1]


def test_zero_workers_prepare_lazily_in_the_consumer_thread() -> None:
    threads: list[str] = []
    results = prefetch(range(3), lambda i: threads.append(threading.current_thread().name) or i,
                       workers=0)
    assert threads == []  # nothing prepared before it is asked for
    assert [r.value for r in results] == [0, 1, 2]
    assert threads == [threading.current_thread().name] * 3


@pytest.mark.parametrize(("workers", "max_ahead", "bad"), [(-1, 4, "workers"), (2, 0, "max_ahead")])
def test_bad_pool_settings_are_config_errors(workers: int, max_ahead: int, bad: str) -> None:
    with pytest.raises(ConfigError, match=bad):
        prefetch(range(3), lambda i: i, workers=workers, max_ahead=max_ahead)


# ---- prepare_request -------------------------------------------------------------------

ALL = (Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE)
AV_ADAPTER = frozenset({Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE})


def request(video: str | None, audio: str | None = None,
            modalities: tuple[Modality, ...] = ALL) -> GenerationRequest:
    return GenerationRequest(task="emer-demo", index=0, clip_id="demo_01", prompt="p",
                             modalities=modalities, video_path=video, audio_path=audio,
                             subtitle="I got the job!")


def test_decoded_adapter_gets_frames_and_audio(demo_clip: Path) -> None:
    prepared = prepare_request(request(str(demo_clip)), AV_ADAPTER, MediaInput.DECODED,
                               MediaOptions(num_frames=4))
    assert prepared.request.clip_id == "demo_01"
    assert prepared.media is not None and prepared.media.frames is not None
    assert prepared.media.frames.shape[0] == 4 and prepared.media.audio is not None


def test_only_what_task_and_adapter_share_is_decoded(demo_clip: Path) -> None:
    audio_adapter = frozenset({Modality.AUDIO, Modality.SUBTITLE})
    prepared = prepare_request(request(str(demo_clip)), audio_adapter, MediaInput.DECODED,
                               MediaOptions())
    assert prepared.media is not None
    assert prepared.media.frames is None and prepared.media.audio is not None
    video_task = request(str(demo_clip), modalities=(Modality.VIDEO, Modality.SUBTITLE))
    prepared = prepare_request(video_task, AV_ADAPTER, MediaInput.DECODED, MediaOptions())
    assert prepared.media is not None
    assert prepared.media.frames is not None and prepared.media.audio is None


def test_subtitle_only_touches_no_media_file() -> None:
    text_task = request("/nonexistent/clip.mp4", modalities=(Modality.SUBTITLE,))
    prepared = prepare_request(text_task, AV_ADAPTER, MediaInput.DECODED, MediaOptions())
    assert prepared.media is None
    text_adapter = frozenset({Modality.SUBTITLE})
    prepared = prepare_request(request("/nonexistent/clip.mp4"), text_adapter,
                               MediaInput.DECODED, MediaOptions())
    assert prepared.media is None


def test_paths_adapter_is_probed_not_decoded(demo_clip: Path, tmp_path: Path) -> None:
    prepared = prepare_request(request(str(demo_clip)), AV_ADAPTER, MediaInput.PATHS,
                               MediaOptions())
    assert prepared.media is None and prepared.request.video_path == str(demo_clip)
    with pytest.raises(MediaError, match="gone.mp4: file not found"):
        prepare_request(request(str(tmp_path / "gone.mp4")), AV_ADAPTER, MediaInput.PATHS,
                        MediaOptions())


def test_video_only_clip_for_an_audio_task_fails_for_that_sample(media_dir: dict[str, Path]) -> None:
    with pytest.raises(MediaError) as info:
        prepare_request(request(str(media_dir["video_only"])), AV_ADAPTER, MediaInput.DECODED,
                        MediaOptions())
    assert f"{type(info.value).__name__}: {info.value}" == (
        f"MediaError: {media_dir['video_only']}: no audio track (the task gives audio to a "
        "model that takes audio)")


def test_request_without_a_video_file_names_the_clip() -> None:
    with pytest.raises(MediaError) as info:
        prepare_request(request(None), AV_ADAPTER, MediaInput.DECODED, MediaOptions())
    assert info.value.path == "emer-demo/demo_01" and "no video file given" in info.value.reason


def test_the_runner_pipeline_records_bad_clips_and_goes_on(demo_clips: list[Path],
                                                           tmp_path: Path) -> None:
    clips = [str(demo_clips[0]), str(tmp_path / "missing.mp4"), str(demo_clips[1])]
    requests = [GenerationRequest(task="emer-demo", index=i, clip_id=f"c{i}", prompt="p",
                                  modalities=ALL, video_path=path) for i, path in enumerate(clips)]
    options = MediaOptions(num_frames=2)
    results = list(prefetch(
        requests, lambda r: prepare_request(r, AV_ADAPTER, MediaInput.DECODED, options)))
    assert [r.item.index for r in results] == [0, 1, 2]
    assert results[0].ok and results[2].ok
    assert isinstance(results[1].error, MediaError) and results[1].error.reason == "file not found"

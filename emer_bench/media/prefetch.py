"""The bounded prefetch pool: media is prepared AHEAD of the model, with memory bounded.

    for result in prefetch(requests, prepare, workers=2, max_ahead=8):
        if result.error is not None: record the failure for result.item and go on
        else: hand result.value to the model

Worker threads run `prepare` (PyAV decodes with the GIL released, so threads overlap with the
model's own work). Results come back in input order. At most `max_ahead` items are in the pool
at any time (submitted, running, or prepared and waiting), so at most `max_ahead` decoded clips
plus the one the consumer holds are in memory. The input is pulled lazily, one item per slot
freed; the very first item is prepared alone, so the model's first wait is no longer than a
sequential decode. A failing `prepare` never raises here: its exception is put on that item's result.
Closing the generator early (break, exception in the consumer) cancels queued work and waits
for the running calls, so no thread outlives the loop.

`prepare_request` is the `prepare` the runner uses: it decodes (DECODED adapters) or probes
(PATHS adapters) exactly the media that both the task grants and the adapter takes.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

from emer_bench.api.adapter import MediaInput, PreparedRequest
from emer_bench.api.media import MediaOptions
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.errors import ConfigError
from emer_bench.media.container import NO_AUDIO, NO_VIDEO
from emer_bench.media.decode import decode_clip
from emer_bench.api.media import MediaError
from emer_bench.media.probe import probe_clip

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class PrefetchResult(Generic[T, R]):
    """One input item and what preparing it gave: a value, or the exception it raised."""

    item: T
    value: R | None = None
    error: Exception | None = None  # MediaError for bad media; any other exception is a bug
    prepare_s: float = 0.0  # wall time spent in `prepare` (on a worker thread)

    @property
    def ok(self) -> bool:
        return self.error is None


def _run(prepare: Callable[[T], R], item: T) -> PrefetchResult[T, R]:
    start = time.perf_counter()
    try:
        value = prepare(item)
    except Exception as exc:  # recorded on the item; one bad clip never stops the run
        return PrefetchResult(item, None, exc, time.perf_counter() - start)
    return PrefetchResult(item, value, None, time.perf_counter() - start)


def prefetch(items: Iterable[T], prepare: Callable[[T], R], workers: int = 2,
             max_ahead: int = 8) -> Iterator[PrefetchResult[T, R]]:
    """Yields `PrefetchResult`s in input order while `workers` threads prepare up to
    `max_ahead` items ahead of the consumer. `workers=0` prepares in the consumer's thread
    (no look-ahead: the sequential baseline, and easier debugging)."""
    if workers < 0:
        raise ConfigError(f"prefetch workers must be >= 0, got {workers}")
    if max_ahead < 1:
        raise ConfigError(f"prefetch max_ahead must be >= 1, got {max_ahead}")
    if workers == 0:
        return (_run(prepare, item) for item in items)
    return _prefetch_threads(iter(items), prepare, min(workers, max_ahead), max_ahead)


def _prefetch_threads(items: Iterator[T], prepare: Callable[[T], R], workers: int,
                      max_ahead: int) -> Iterator[PrefetchResult[T, R]]:
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="emer-media")
    window: deque[Future[PrefetchResult[T, R]]] = deque()
    input_error: Exception | None = None
    exhausted = False

    def refill(limit: int) -> None:
        nonlocal exhausted, input_error
        while not exhausted and len(window) < limit:
            try:
                item = next(items)
            except StopIteration:
                exhausted = True
            except Exception as exc:  # the caller's iterator failed: finish what we have first
                input_error, exhausted = exc, True
            else:
                window.append(pool.submit(_run, prepare, item))

    try:
        # The first item is prepared alone: the model is idle until it is ready, and a second
        # decode running beside it would only slow it down.
        refill(1)
        while window:
            result = window.popleft().result()  # _run never raises
            refill(max_ahead)  # freed slots are refilled before the consumer gets to work
            yield result
        if input_error is not None:
            raise input_error
    finally:
        for future in window:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def prepare_request(request: GenerationRequest, adapter_modalities: frozenset[Modality],
                    media_input: MediaInput, options: MediaOptions) -> PreparedRequest:
    """Prepares one request's media for an adapter.

    The media handled is what the task grants (`request.modalities`) AND the adapter takes
    (`adapter_modalities`); the subtitle is prompt text, not media. DECODED adapters get
    `PreparedRequest.media` filled by `decode_clip`; PATHS adapters get `media=None` after
    `probe_clip` checked the files. Raises `MediaError` when the clip cannot give that media.
    """
    wanted = set(request.modalities) & set(adapter_modalities)
    want_video = Modality.VIDEO in wanted
    want_audio = Modality.AUDIO in wanted
    if not (want_video or want_audio):
        return PreparedRequest(request=request, media=None)
    where = f"{request.task}/{request.clip_id}"
    if want_video and not request.video_path:
        raise MediaError(where, f"no video file given; {NO_VIDEO}")
    if want_audio and not (request.audio_path or request.video_path):
        raise MediaError(where, f"no audio or video file given; {NO_AUDIO}")
    if media_input == MediaInput.PATHS:
        probe_clip(request.video_path, request.audio_path, want_video, want_audio)
        return PreparedRequest(request=request, media=None)
    media = decode_clip(request.video_path, request.audio_path, options, want_video, want_audio)
    return PreparedRequest(request=request, media=media)


def media_info(request: GenerationRequest, prepared: PreparedRequest | None) -> dict[str, Any]:
    """The small summary of a clip's decoded media kept in its record (not the arrays)."""
    info: dict[str, Any] = {"video_path": request.video_path, "audio_path": request.audio_path}
    media = prepared.media if prepared is not None else None
    if media is not None:
        if media.frames is not None:
            info["frames"] = int(media.frames.shape[0])
            info["frame_size"] = [int(media.frames.shape[2]), int(media.frames.shape[1])]
        if media.audio is not None:
            info["audio_s"] = round(len(media.audio) / media.audio_sample_rate, 3)
        info.update(media.info)
    return info

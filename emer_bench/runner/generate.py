"""The generation loop of one task: requests → media prefetch → adapter → samples file.

Each outcome (answer, model error, media error) becomes a SampleRecord appended to the
samples file as soon as it exists; nothing is held only in memory.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Iterator, Protocol

from emer_bench.api.adapter import ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Reference
from emer_bench.media.prefetch import prefetch, prepare_request
from emer_bench.runner.samples_file import SamplesWriter


class ProgressSink(Protocol):
    def advance(self, failed: bool) -> None: ...


class NullProgress:
    def advance(self, failed: bool) -> None:  # noqa: D102 - nothing to show
        pass


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _media_info(request: GenerationRequest, prepared: PreparedRequest | None) -> dict:
    info: dict = {"video_path": request.video_path, "audio_path": request.audio_path}
    media = prepared.media if prepared is not None else None
    if media is not None:
        if media.frames is not None:
            info["frames"] = int(media.frames.shape[0])
            info["frame_size"] = [int(media.frames.shape[2]), int(media.frames.shape[1])]
        if media.audio is not None:
            info["audio_s"] = round(len(media.audio) / media.audio_sample_rate, 3)
        info.update(media.info)
    return info


def generate_task(
    adapter: ModelAdapter,
    requests: list[GenerationRequest],
    references: dict[str, Reference],
    writer: SamplesWriter,
    progress: ProgressSink | None = None,
    prefetch_workers: int = 2,
    prefetch_ahead: int = 8,
    rank: int = 0,
) -> int:
    """Answer every request, appending one record per request. Returns the number that failed."""
    progress = progress or NullProgress()
    by_index = {r.index: r for r in requests}
    # Only the small media summary is kept until the answer arrives, not the decoded arrays.
    media_by_index: dict[int, dict] = {}
    answered: set[int] = set()
    failures = 0
    lock = threading.Lock()

    def record(request: GenerationRequest, generation: Generation, media: dict) -> None:
        nonlocal failures
        rec = SampleRecord.from_request(request, references[request.clip_id], generation, utc_now(), media, rank)
        writer.append(rec)
        with lock:
            answered.add(request.index)
            failures += 0 if rec.ok else 1
        progress.advance(failed=not rec.ok)

    def prepare(request: GenerationRequest) -> tuple[PreparedRequest, dict]:
        # On a prefetch thread: decode, note what was decoded, then the adapter's own
        # preprocessing (which may drop the decoded arrays).
        prepared = prepare_request(request, adapter.active_modalities, adapter.media_input, adapter.media_options)
        info = _media_info(request, prepared)
        return adapter.preprocess(prepared), info

    def prepared_stream() -> Iterator[PreparedRequest]:
        # Runs in whatever thread the adapter consumes from; media errors never reach the model.
        results = prefetch(requests, prepare, workers=prefetch_workers, max_ahead=prefetch_ahead)
        for result in results:
            if result.error is not None:
                err = result.error
                record(result.item, Generation(index=result.item.index, error=f"{type(err).__name__}: {err}"),
                       _media_info(result.item, None))
                continue
            assert result.value is not None  # no error: prepare returned
            prepared, info = result.value
            with lock:
                media_by_index[result.item.index] = info
            yield prepared

    for generation in adapter.generate_stream(prepared_stream()):
        request = by_index.get(generation.index)
        if request is None:
            raise RuntimeError(f"adapter {adapter.name} answered unknown request index {generation.index}")
        if generation.error is None and generation.text is None and generation.structured is None:
            generation.error = "EmptyAnswer: the adapter returned no text, no structured prediction and no error"
        with lock:
            media = media_by_index.pop(generation.index, None) or _media_info(request, None)
        record(request, generation, media)
    for request in requests:  # an adapter that skipped a request must not lose it silently
        if request.index not in answered:
            record(request, Generation(index=request.index, error=f"AdapterError: {adapter.name} gave no answer"),
                   _media_info(request, None))
    return failures

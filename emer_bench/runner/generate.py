"""The generation loop of one task: requests → media prefetch → adapter → samples file.

Each outcome (answer, model error, media error) becomes a SampleRecord appended to the
samples file as soon as it exists; nothing is held only in memory.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Protocol, TypeVar

from emer_bench.api.adapter import ModelAdapter, PreparedRequest
from emer_bench.api.error_kinds import ErrorKind, SampleError
from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Modality, Reference
from emer_bench.media.prefetch import PrefetchResult, media_info, prefetch, prepare_request
from emer_bench.errors import ServiceError
from emer_bench.runner.samples_file import SamplesWriter


PrepT = TypeVar("PrepT")


class ProgressSink(Protocol):
    def advance(self, failed: bool) -> None: ...


class NullProgress:
    def advance(self, failed: bool) -> None:  # noqa: D102 - nothing to show
        pass


class CircuitBreaker:
    """Stops a task whose first `window` answers all failed with the same error that every
    later request would repeat (connection refused, key refused, bad certificate), instead of
    retrying each clip for minutes. Media errors are per clip and neither trip nor disarm it."""

    def __init__(self, window: int = 3) -> None:
        self.window = window
        self.armed = True
        self.count = 0
        self.kind: ErrorKind | None = None

    def observe(self, record: SampleRecord) -> str | None:
        """The error to stop with, once tripped; None otherwise."""
        if not self.armed:
            return None
        error = None if record.ok else SampleError.parse(record.error)
        if error is not None and error.kind is ErrorKind.MEDIA:
            return None
        if error is None or not error.kind.stops_run or (self.kind is not None and error.kind is not self.kind):
            self.armed = False
            return None
        self.kind = error.kind
        self.count += 1
        return error.text if self.count >= self.window else None


# A prepare (adapter preprocess) slower than this, SLOW_PREPARES times in a row, moves to the pool.
CHEAP_PREPARE_S = 0.0005
SLOW_PREPARES = 4


def inline_while_cheap(requests: list[GenerationRequest], prepare: Callable[[GenerationRequest], PrepT],
                       workers: int, ahead: int) -> Iterator[PrefetchResult[GenerationRequest, PrepT]]:
    """`prefetch` for requests without media: prepared in the consumer's thread while that is
    cheap (a request body: tens of us), which saves two thread hand-offs per request (submit to
    a worker, wake the consumer: ~100 us of CPU here, more than the work). An adapter whose
    preprocess is slow (a processor call beside a GPU model) gets the pool back for the rest."""
    pending = iter(requests)
    slow = 0
    for result in prefetch(pending, prepare, workers=0):  # pulls from `pending` one at a time
        yield result
        slow = slow + 1 if result.prepare_s > CHEAP_PREPARE_S else 0
        if slow >= SLOW_PREPARES and workers > 0:
            yield from prefetch(pending, prepare, workers=workers, max_ahead=ahead)
            return


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class _TaskGeneration:
    """The state of one `generate_task` call, shared by the prefetch threads (`prepare`), the
    thread the adapter consumes from (`prepared_stream`) and the caller's thread (`run`)."""

    adapter: ModelAdapter[Any]
    requests: list[GenerationRequest]
    references: dict[str, Reference]
    writer: SamplesWriter
    progress: ProgressSink
    rank: int
    fingerprints: dict[str, str]
    # Only the small media summary is kept until the answer arrives, not the decoded arrays.
    media_by_index: dict[int, dict[str, Any]] = field(default_factory=dict)
    answered: set[int] = field(default_factory=set)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # Fixed for the task; read once instead of once per request (media_options builds an object).
        self.takes = self.adapter.active_modalities
        self.media_options = self.adapter.media_options

    def record(self, request: GenerationRequest, generation: Generation, media: dict[str, Any]) -> SampleRecord:
        rec = SampleRecord.from_request(request, self.references[request.clip_id], generation, utc_now(), media,
                                        self.rank, self.fingerprints.get(request.clip_id))
        self.writer.append(rec)
        with self.lock:
            self.answered.add(request.index)
            self.failures += 0 if rec.ok else 1
        self.progress.advance(failed=not rec.ok)
        return rec

    def prepare(self, request: GenerationRequest) -> tuple[PreparedRequest, dict[str, Any]]:
        # On a prefetch thread: decode, note what was decoded, then the adapter's own
        # preprocessing (which may drop the decoded arrays).
        prepared = prepare_request(request, self.takes, self.adapter.media_input, self.media_options)
        info = media_info(request, prepared)
        return self.adapter.preprocess(prepared), info

    def needs_media(self) -> bool:
        """Whether any request has media to decode or probe (what the task grants and the adapter takes)."""
        takes = self.takes & {Modality.VIDEO, Modality.AUDIO}
        return any(takes.intersection(request.modalities) for request in self.requests)

    def prepared_stream(self, workers: int, ahead: int) -> Iterator[PreparedRequest]:
        # Runs in whatever thread the adapter consumes from; media errors never reach the model.
        pool = self.adapter.prepare_pool if workers > 0 else None
        if pool is not None and self.needs_media():  # child processes: the model's host thread keeps the GIL
            results: Iterator[PrefetchResult[GenerationRequest, tuple[PreparedRequest, dict[str, Any]]]] = pool.stream(
                self.requests, self.takes, self.adapter.media_input, self.media_options, ahead, self.prepare)
        elif self.needs_media():
            results = prefetch(self.requests, self.prepare, workers=workers, max_ahead=ahead)
        else:
            results = inline_while_cheap(self.requests, self.prepare, workers, ahead)
        for result in results:
            if result.error is not None:
                err = result.error
                self.record(result.item, Generation(index=result.item.index, error=f"{type(err).__name__}: {err}"),
                            media_info(result.item, None))
                continue
            assert result.value is not None  # no error: prepare returned
            prepared, info = result.value
            with self.lock:
                self.media_by_index[result.item.index] = info
            yield prepared

    def answer(self, generation: Generation, by_index: dict[int, GenerationRequest]) -> SampleRecord:
        request = by_index.get(generation.index)
        if request is None:
            raise RuntimeError(f"adapter {self.adapter.name} answered unknown request index {generation.index}")
        if generation.error is None and generation.text is None and generation.structured is None:
            generation.error = "EmptyAnswer: the adapter returned no text, no structured prediction and no error"
        with self.lock:
            media = self.media_by_index.pop(generation.index, None) or media_info(request, None)
        return self.record(request, generation, media)

    def run(self, workers: int, ahead: int, breaker: CircuitBreaker | None) -> int:
        by_index = {r.index: r for r in self.requests}
        stream = self.adapter.generate_stream(self.prepared_stream(workers, ahead))
        try:
            for generation in stream:
                rec = self.answer(generation, by_index)  # recorded whether or not a breaker watches
                tripped = breaker.observe(rec) if breaker is not None else None
                if breaker is not None and tripped is not None:
                    raise ServiceError(f"stopped: the first {breaker.count} requests all failed with: {tripped} "
                                       f"(answered samples are saved; fix the cause and re-run the same command)")
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # an early stop cancels the adapter's calls in flight
        for request in self.requests:  # an adapter that skipped a request must not lose it silently
            if request.index not in self.answered:
                self.record(request, Generation(index=request.index,
                                                error=f"AdapterError: {self.adapter.name} gave no answer"),
                            media_info(request, None))
        return self.failures


def generate_task(
    adapter: ModelAdapter[Any],
    requests: list[GenerationRequest],
    references: dict[str, Reference],
    writer: SamplesWriter,
    progress: ProgressSink | None = None,
    prefetch_workers: int = 2,
    prefetch_ahead: int = 8,
    rank: int = 0,
    fingerprints: dict[str, str] | None = None,
    breaker: CircuitBreaker | None = None,
) -> int:
    """Answer every request, appending one record per request. Returns the number that failed.
    Raises ServiceError (records kept) when `breaker` trips. Loads the adapter's model first
    (`ModelAdapter.ensure_loaded`) when there is anything to ask; a load failure raises."""
    if requests:  # before the prefetch threads start: they may need the loaded processor
        adapter.ensure_loaded()
    state = _TaskGeneration(adapter, requests, references, writer, progress or NullProgress(), rank,
                            fingerprints or {})
    # What is alive now (modules, the plan, the model) lives as long as the run: frozen, it is not
    # traversed by the full collections that the scorer warm-up's imports set off while answers
    # arrive (~20-40 ms each on the runner's CPU). Unfrozen afterwards, so garbage among it is
    # still collected later. A caller that froze objects itself keeps them frozen.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        return state.run(prefetch_workers, prefetch_ahead, breaker)
    finally:
        if freeze:
            gc.unfreeze()

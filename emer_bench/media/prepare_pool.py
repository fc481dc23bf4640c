"""Requests prepared in child processes: for adapters whose model keeps the host busy.

A transformers model decoding on a GPU one token at a time is bound by the host: each step is
hundreds of small kernel launches, each a Python call that drops and retakes the GIL
(benchmarks/results/gpu_path.md: 17-34 % GPU use on an H200). Preparing the next clips on
threads of the same process (decode, chat template, processor) then takes the GIL from the thread
that launches the kernels, and serial preparation leaves the model idle between clips instead.
Child processes have their own interpreters: the model's process only receives the prepared
tensors through shared memory (benchmarks/results/host_bound.md: 2.3-2.9 ms of its CPU per demo
clip, against 26-32 ms when a thread of it prepares the clip).

    pool = PreparePool(PrepareSpec(type(adapter), adapter.args), workers=2)   # children start now
    for result in pool.stream(requests, takes, media_input, options, ahead=8): ...  # as `prefetch`
    pool.close()

Each child builds the adapter with `spec.build` (processor and tokenizer, never the
weights) and runs `prepare_request` then the adapter's `preprocess`. Results come back in input
order; a failing clip comes back as that clip's error, with the exception's type name and text
exactly as a thread would have recorded them. If the children cannot run at all (the adapter class
cannot be imported by a child, a child died), the rest is prepared in this process and one warning
says why: a run never fails for its prefetch.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from emer_bench.api.adapter import AdapterArgs, MediaInput, PreparedRequest
from emer_bench.api.media import MediaOptions
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.media.prefetch import PrefetchResult, media_info, prepare_request

log = logging.getLogger(__name__)

Prepared = tuple[PreparedRequest, dict[str, Any]]
READY_TIMEOUT_S = 600.0  # children that have not built their adapter by then have failed


@dataclass(frozen=True)
class PrepareSpec:
    """What a child needs: a function that builds the adapter without its weights (pickled by
    reference: importable by module and name) and the adapter's validated args."""

    build: Callable[[AdapterArgs], Any]
    args: AdapterArgs
    torch_threads: int = 1


@dataclass(frozen=True)
class RemoteFailure:
    """A clip's preparation failed in a child: the exception's type name and text."""

    type_name: str
    text: str


class RemotePrepareError(Exception):
    """Base of the exceptions rebuilt in the parent from a `RemoteFailure` (same type name)."""


def rebuild_error(failure: RemoteFailure) -> Exception:
    # A subclass named like the original, so `f"{type(err).__name__}: {err}"` (the record's error
    # text) is the same as when the clip was prepared on a thread.
    error: Exception = type(failure.type_name, (RemotePrepareError,), {})(failure.text)
    return error


# ---- in the child -----------------------------------------------------------------------------
_CHILD: dict[str, Any] = {}


def _child_init(spec: PrepareSpec, ready: Any) -> None:
    import signal

    import torch

    # Ctrl-C reaches the whole process group: the parent stops the run and shuts the pool down;
    # a child interrupted mid-clip would only add its traceback and break the pool under it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    torch.set_num_threads(spec.torch_threads)  # the children together leave the host's cores to the model
    _CHILD["ready"] = ready
    _CHILD["adapter"] = spec.build(spec.args)


def _child_ready() -> int:
    # Each child holds one of these tasks until all are held: every child answers exactly once.
    _CHILD["ready"].wait(timeout=READY_TIMEOUT_S)
    return os.getpid()


def _child_prepare(request: GenerationRequest, takes: frozenset[Modality], media_input: MediaInput,
                   options: MediaOptions) -> Prepared | RemoteFailure:
    adapter = _CHILD["adapter"]
    try:
        prepared = prepare_request(request, takes, media_input, options)
        info = media_info(request, prepared)
        return strip_decoded(adapter.preprocess(prepared)), info
    except Exception as exc:  # that clip's failure, recorded by the parent
        return RemoteFailure(type(exc).__name__, str(exc))


def strip_decoded(prepared: PreparedRequest) -> PreparedRequest:
    """Once the processor ran (the payload holds its output), the decoded clip is not read again:
    it is not sent back (it would be a second copy of the frames to unpickle)."""
    if getattr(prepared.payload, "encoded", None) is None:
        return prepared
    payload = prepared.payload
    payload.prepared = PreparedRequest(prepared.request)  # what the payload keeps of it: no cycle back
    return PreparedRequest(prepared.request, None, payload)


# ---- in the parent ----------------------------------------------------------------------------
class PreparePool:
    """`workers` child processes that prepare requests for one adapter; started at construction
    (they import torch and load the processor while the parent loads the weights)."""

    def __init__(self, spec: PrepareSpec, workers: int) -> None:
        self.spec = spec
        self.workers = workers
        self.broken: str | None = None
        context = multiprocessing.get_context("spawn")  # never fork a process that may hold CUDA
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_child_init,
                                         initargs=(spec, context.Barrier(workers)))
        self._ready = [self._pool.submit(_child_ready) for _ in range(workers)]

    def wait_ready(self, timeout_s: float | None = None) -> list[int]:
        """Blocks until every child has built its adapter; their process ids (a benchmark starts
        its clock after this; a run does not wait: its first clip waits for one child)."""
        return [future.result(timeout=timeout_s) for future in self._ready]

    def stream(self, requests: Iterable[GenerationRequest], takes: frozenset[Modality], media_input: MediaInput,
               options: MediaOptions, ahead: int, fallback: Callable[[GenerationRequest], Prepared]
               ) -> Iterator[PrefetchResult[GenerationRequest, Prepared]]:
        """Results in input order, at most `ahead` in flight; `fallback` prepares in this process
        what the children cannot."""
        pending = iter(requests)
        window: deque[tuple[GenerationRequest, Future[Any], float]] = deque()

        def refill() -> None:
            for request in pending:
                window.append((request, self._pool.submit(_child_prepare, request, takes, media_input, options),
                               time.perf_counter()))
                if len(window) >= ahead:
                    return

        try:
            if self.broken is None:
                refill()
            while window:
                request, future, submitted = window.popleft()
                yield self._result(request, future, submitted, fallback)  # a broken pool's: made here
                if self.broken is None:
                    refill()
            yield from (_local(request, fallback) for request in pending)  # what a broken pool never took
        finally:
            for _, future, _ in window:
                future.cancel()

    def _result(self, request: GenerationRequest, future: Future[Any], submitted: float,
                fallback: Callable[[GenerationRequest], Prepared]) -> PrefetchResult[GenerationRequest, Prepared]:
        try:
            value = future.result()
        except Exception as exc:  # the pool itself failed (a child died, its initializer raised)
            self._break(exc)
            return _local(request, fallback)
        if isinstance(value, RemoteFailure):
            return PrefetchResult(request, None, rebuild_error(value), time.perf_counter() - submitted)
        return PrefetchResult(request, value, None, time.perf_counter() - submitted)

    def _break(self, exc: BaseException) -> None:
        if self.broken is None:
            self.broken = f"{type(exc).__name__}: {exc}"
            log.warning("preparing clips in %d child processes failed (%s); preparing the rest in this process",
                        self.workers, self.broken)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _local(request: GenerationRequest, fallback: Callable[[GenerationRequest], Prepared]
           ) -> PrefetchResult[GenerationRequest, Prepared]:
    started = time.perf_counter()
    try:
        return PrefetchResult(request, fallback(request), None, time.perf_counter() - started)
    except Exception as exc:
        return PrefetchResult(request, None, exc, time.perf_counter() - started)


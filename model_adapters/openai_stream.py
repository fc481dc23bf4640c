"""The `openai` adapter's stream scheduler: up to `concurrency` calls in flight on the event-loop
thread, answers handed to the caller's thread as each call completes.

Two threads share the state: the CALLER's thread (the runner pulling `run()`) pulls requests
lazily and encodes their bodies ahead (unless the runner's prefetch threads already did:
`preprocess`); the LOOP thread runs one `_slot` coroutine per in-flight call. A slot whose call
finishes takes the next ready body itself, on the loop thread, so the next call starts without
waiting for the caller's thread to wake up or for JPEG encoding. Only encoded bodies are held
ahead (at most `concurrency`), never decoded arrays. Closing the stream early cancels its calls
and waits until they are gone.

Answers cross to the caller's thread in batches, one per event-loop iteration: a server with a
fixed latency answers in waves, and waking the caller (and handing it the GIL) after each answer
made the loop thread send the wave's next requests in between the caller's per-record work;
with one hand-off after the iteration, every slot of the wave has sent its next request first.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import queue
import threading
from typing import Awaitable, Callable, Iterable, Iterator

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.records import Generation
from .async_loop import BackgroundLoop
from .openai_messages import ChatPayload

# A request ready to send: its index and its body, or its already-recorded failure.
Ready = tuple[int, ChatPayload | Generation]
Build = Callable[[PreparedRequest], ChatPayload | Generation]
Send = Callable[[int, ChatPayload], Awaitable[Generation]]


class StreamScheduler:
    """One `generate_stream` call. `build` encodes a request (caller's thread); `send` makes the
    call (loop thread). Use once: `yield from StreamScheduler(...).run(requests)`."""

    def __init__(self, loop: BackgroundLoop, concurrency: int, build: Build, send: Send) -> None:
        self.loop = loop
        self.concurrency = concurrency
        self.build = build
        self.send = send
        self._lock = threading.Lock()  # guards `_ready`, `_running` and `_closing` across the two threads
        self._ready: collections.deque[Ready] = collections.deque()
        self._completed: queue.SimpleQueue[list[Generation]] = queue.SimpleQueue()
        self._running = 0  # slots with a call submitted or in progress, or an answer not yet handed over
        # Loop thread only: answers of this loop iteration, and how many of their slots ended.
        self._outbox: list[Generation] = []
        self._outbox_released = 0
        self._closing = False
        self._exhausted = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._futures: set[concurrent.futures.Future[None]] = set()

    def run(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
        """Yield each answer as its call completes (not in request order)."""
        source = iter(requests)
        batch: collections.deque[Generation] = collections.deque()
        try:
            while True:
                self._start_slots()
                self._encode_ahead(source, batch)
                self._start_slots()
                if not batch:
                    with self._lock:  # with the put of `_flush`: a finished slot's answer is never missed
                        if self._exhausted and not self._ready and self._running == 0 and self._completed.empty():
                            return
                    batch.extend(self._completed.get())
                    self._start_slots()
                yield batch.popleft()
        finally:
            self._close()

    # --- loop thread ---------------------------------------------------------------------

    def _next_or_release(self) -> Ready | None:
        with self._lock:
            if self._ready and not self._closing:
                return self._ready.popleft()
            return None

    def _hand_over(self, generation: Generation, released: bool) -> None:
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)  # after the other slots of this iteration
        self._outbox.append(generation)
        self._outbox_released += released

    def _flush(self) -> None:
        # One locked step: the ended slots stop counting as running exactly when their answers
        # become visible, so the consumer neither stops before an answer nor waits for nothing.
        with self._lock:
            self._running -= self._outbox_released
            self._completed.put(self._outbox)
        self._outbox, self._outbox_released = [], 0

    async def _slot(self, item: Ready | None) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # so that closing the stream early can cancel and await it
        try:
            while item is not None:
                index, built = item
                try:
                    generation = built if isinstance(built, Generation) else await self.send(index, built)
                except Exception as exc:  # `send` records server behaviour itself; this is a last resort
                    generation = Generation(index=index, error=f"AdapterError: {type(exc).__name__}: {exc}")
                item = self._next_or_release()  # the next call starts before this answer is handed over
                self._hand_over(generation, released=item is None)
        finally:
            self._tasks.discard(task)

    # --- caller's thread -----------------------------------------------------------------

    def _start_slots(self) -> None:
        while True:
            with self._lock:
                if self._closing or not self._ready or self._running >= self.concurrency:
                    return
                item = self._ready.popleft()
                self._running += 1
            future = self.loop.submit(self._slot(item))
            self._futures.add(future)
            future.add_done_callback(self._futures.discard)

    def _build_next(self, source: Iterator[PreparedRequest]) -> bool:
        # Encoded (unless preprocessed) in the caller's thread while the loop thread does the
        # network I/O (Pillow releases the GIL while encoding).
        if self._exhausted:
            return False
        try:
            prepared = next(source)
        except StopIteration:
            self._exhausted = True
            return False
        index = prepared.request.index
        built = self.build(prepared)
        del prepared  # keep the encoded body, not the decoded arrays
        with self._lock:
            self._ready.append((index, built))
        return True

    def _encode_ahead(self, source: Iterator[PreparedRequest], batch: collections.deque[Generation]) -> None:
        # One body at a time, and only while no answer is waiting to be handed on (also none on
        # the loop thread, about to be: `_outbox` is only read here, a list's truth is atomic).
        while (len(self._ready) < self.concurrency and not batch and self._completed.empty() and not self._outbox
               and self._build_next(source)):
            self._start_slots()

    def _close(self) -> None:
        with self._lock:
            self._closing = True  # slots take no further bodies
        for future in list(self._futures):
            future.cancel()  # a slot that has not started yet never starts
        if self._tasks or self._futures:
            self.loop.run(_cancel_and_wait(self._tasks), timeout_s=30)


async def _cancel_and_wait(tasks: set[asyncio.Task[None]]) -> None:
    for task in list(tasks):
        task.cancel()
    # A cancelled call closes its connection as it unwinds (never returned to the pool); the
    # transport's own close runs on the next loop iteration, so a half-sent request ends at the
    # server by the time the stream's close() returns.
    await asyncio.gather(*list(tasks), return_exceptions=True)
    await asyncio.sleep(0)

"""Scoring finished samples while the model still answers, so that after the last answer only
the last few samples, the aggregates, the confidence intervals and the files remain.

Only scorers whose components depend on their own sample alone (`score_reuse = "per_sample"`)
take part; the final pass (runner/score.score_task) reuses a component only when the sample it
then reads is the one scored here (same `item_sha256`), and scores everything else itself, so the
results are those of scoring every sample at the end.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path
from typing import Any

from emer_bench.api.records import SampleRecord
from emer_bench.api.scorer import Scorer
from emer_bench.runner.samples_file import SamplesWriter
from emer_bench.runner.score import ScorerWarmUp, items_from_records
from emer_bench.runner.score_cache import KnownScores, ScoreCache, item_sha256
from emer_bench.tasks.schema import ScorerSpec

log = logging.getLogger(__name__)

# Samples scored per call: large enough that a scorer's per-call cost is small, small enough that
# little is left when the last answer comes and that the thread holds the GIL only briefly.
CHUNK = 32


class IncrementalScorer:
    """A daemon thread that scores records handed to `add` once the scorers are warm. `finish()`
    waits for the queue to drain and returns the components (never raises: a scorer that fails
    here is left to the final pass, which reports the failure as usual)."""

    def __init__(self, scorers: list[tuple[ScorerSpec, Scorer[Any]]], warm_up: ScorerWarmUp | None = None) -> None:
        # Which scorers take part (`reuse_mode()`, which may import an extractor) is decided on the
        # thread, after the warm-up: nothing of it on the way to the first request.
        self._all = list(scorers)
        self._scorers: list[tuple[ScorerSpec, Scorer[Any]]] = []
        self._cache: ScoreCache = {}
        # Records cross in whole chunks: one put per record woke the thread 640 times in a
        # 640-answer run, each wake-up a GIL hand-off taken from the runner and the event loop.
        self._queue: queue.SimpleQueue[list[SampleRecord] | None] = queue.SimpleQueue()
        self._pending: list[SampleRecord] = []
        self._warm_up = warm_up
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, record: SampleRecord) -> None:
        if not self._all:
            return
        with self._lock:
            if self._thread is None:
                # Started by the first record, not before the first request: starting a thread waits
                # for it to run, and the warm-up thread importing libraries then held the GIL (+35 ms
                # to the first request). Started at once, though, so that it waits for the warm-up.
                thread = threading.Thread(target=self._run, name="scorer-incremental", daemon=True)
                thread.start()
                self._thread = thread
            self._pending.append(record)
            if len(self._pending) < CHUNK:
                return
            chunk, self._pending = self._pending, []
        self._queue.put(chunk)

    def _end(self) -> None:
        with self._lock:
            chunk, self._pending = self._pending, []
        if chunk:
            self._queue.put(chunk)
        self._queue.put(None)

    def close(self) -> None:
        """Let the thread end without waiting for it (the run is failing)."""
        if self._thread is not None:
            self._end()

    def finish(self) -> ScoreCache:
        if self._thread is not None:
            self._end()
            self._thread.join()
        return self._cache

    def _run(self) -> None:
        if self._warm_up is not None:
            self._warm_up.wait()
        try:
            self._scorers = [(spec, scorer) for spec, scorer in self._all if scorer.reuse_mode() == "per_sample"]
        except Exception:  # noqa: BLE001 - the final pass builds and reports the same
            log.debug("scoring while the model answers: reuse modes unavailable", exc_info=True)
        self._cache = {spec.key: KnownScores() for spec, _ in self._scorers}
        done = False
        while not done:
            # Wait for a whole chunk (or the end): a call per answer would cost each scorer's
            # per-call set-up (a tokenizer, a stemmer) hundreds of times.
            batch: list[SampleRecord] = []
            while len(batch) < CHUNK:
                chunk = self._queue.get()
                if chunk is None:
                    done = True
                    break
                batch += chunk
            if batch and self._scorers:
                self._score(batch)

    def _score(self, records: list[SampleRecord]) -> None:
        items = items_from_records(records)
        hashes = [item_sha256(i) for i in items]
        for spec, scorer in list(self._scorers):
            try:
                components = scorer.score_samples(items)
                if len(components) != len(items):
                    raise RuntimeError(f"{len(components)} components for {len(items)} samples")
            except Exception:  # noqa: BLE001 - the final pass scores these samples and reports it
                log.debug("scoring while the model answers: scorer %s left to the end", spec.key, exc_info=True)
                self._scorers.remove((spec, scorer))
                del self._cache[spec.key]
                continue
            by_clip = self._cache[spec.key].by_clip
            for item, sha, component in zip(items, hashes, components):
                by_clip[item.clip_id] = (sha, component)


class ScoringSamplesWriter(SamplesWriter):
    """The samples writer that also hands every record it appends to an `IncrementalScorer`
    (after the line is written: scoring never delays or loses a record)."""

    def __init__(self, path: Path, scorer: IncrementalScorer, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self._scorer = scorer

    def append(self, record: SampleRecord) -> None:
        super().append(record)
        self._scorer.add(record)

"""The samples JSONL file: every record is appended and flushed the moment it completes.

Reading tolerates a torn last line (a crash mid-write) and keeps, per clip, the LAST record,
so a resumed run that retries a failed clip supersedes the failure.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from emer_bench.api.records import SampleRecord
from emer_bench.errors import DataError
from emer_bench.redact import redact_text

# Least time between two background fsyncs. Answers arriving faster than fsyncs complete kept
# the syncer in a loop of one fsync per record or two (~25 us of CPU each, plus waking the
# thread); spaced, a burst costs one. An OS crash then loses at most this much more.
SYNC_SPACING_S = 0.05
# json.dumps(..., ensure_ascii=False) builds a new encoder on every call; one serves every line.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


class SamplesWriter:
    """Thread-safe appender (adapters may report from a worker thread).

    `append` writes and flushes the line before it returns (a killed process loses nothing);
    with `fsync`, a background thread then forces it to disk (an OS crash loses at most the
    last instants: SYNC_SPACING_S plus one fsync). One fsync covers every line written before
    it, so a burst of answers costs one or a few fsyncs, not one each on the runner's thread
    (~1 ms each here, far more on network storage: at one per answer that capped a fast
    server's request rate)."""

    def __init__(self, path: Path, fsync: bool = True) -> None:
        self.path = path
        self.fsync = fsync
        self._lock = threading.Lock()  # guards writes and flushes (never held across an fsync)
        self._sync_lock = threading.Lock()  # guards the descriptor against closing mid-fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        _drop_torn_tail(path)
        self._fh = path.open("a", encoding="utf-8")
        self._unsynced = threading.Event()
        self._stopping = threading.Event()  # set by close(): the syncer stops waiting out its spacing
        self._closed = False
        self._syncer: threading.Thread | None = None
        if fsync:
            self._syncer = threading.Thread(target=self._sync_loop, name="samples-fsync", daemon=True)
            self._syncer.start()

    def append(self, record: SampleRecord) -> None:
        line = redact_text(_ENCODER.encode(record.to_json()))  # errors may echo a key
        with self._lock:
            if self._closed:
                raise ValueError(f"{self.path}: samples writer is closed")
            self._fh.write(line + "\n")
            self._fh.flush()
        if self.fsync and not self._unsynced.is_set():  # set() takes a lock and notifies
            self._unsynced.set()

    def _sync_loop(self) -> None:
        while True:
            self._unsynced.wait()
            self._unsynced.clear()  # lines written from here on wait for the next round
            with self._sync_lock:
                if self._fh.closed:
                    return
                os.fsync(self._fh.fileno())
            if self._stopping.wait(SYNC_SPACING_S):
                return  # close() forces what is left to disk itself

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True  # no further appends
            self._fh.flush()
        with self._sync_lock:
            if self.fsync:
                os.fsync(self._fh.fileno())
            self._fh.close()
        if self._syncer is not None:
            self._stopping.set()
            self._unsynced.set()
            self._syncer.join()

    def __enter__(self) -> "SamplesWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drop_torn_tail(path: Path) -> None:
    """Cut an incomplete final line left by a crash, so appends start on a clean line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        data = fh.read()
        if data.endswith(b"\n"):
            return
        cut = data.rfind(b"\n") + 1
        fh.truncate(cut)


def read_samples(path: Path, strict: bool = False) -> dict[str, SampleRecord]:
    """clip_id -> latest record. A line that is not a samples record is a DataError naming file:line;
    only a torn last line (no newline after it: a crash mid-write) is skipped, by `run` (which then
    asks that clip again) and by `score` alike. `strict` is kept for callers; both modes agree."""
    records: dict[str, SampleRecord] = {}
    if not path.exists():
        return records
    lines = path.read_bytes().split(b"\n")
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        torn = lineno == len(lines)  # the bytes after the last newline
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if torn:
                continue
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise DataError(f"{path}:{lineno}: not a samples record (invalid JSON: {why})") from None
        problem = record_problem(data)
        if problem is not None:
            raise DataError(f"{path}:{lineno}: not a samples record ({problem})")
        record = SampleRecord.from_json(data)
        records[record.clip_id] = record
    return records


# field -> the JSON types it may hold (None: may be null or absent)
_RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "task": (str,), "clip_id": (str,), "index": (int,), "prompt": (str,),
    "response": (str, type(None)), "error": (str, type(None)), "latency_s": (int, float, type(None)),
    "completed_at": (str, type(None)), "reference": (dict, type(None)), "media": (dict, type(None)),
    "inputs": (dict, type(None)), "usage": (dict, type(None)), "rank": (int, type(None)),
    "structured": (dict, type(None)),
}
_REFERENCE_FIELDS: dict[str, tuple[type, ...]] = {
    "explanation": (str, type(None)), "openset": (list, type(None)), "label": (str, type(None)),
    "valence": (int, float, type(None)), "arousal": (int, float, type(None)),
}
_REQUIRED = ("task", "clip_id", "index", "prompt")


def record_problem(data: object) -> str | None:
    """Why a parsed line is not a samples record (None when it is one)."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {_json_type(data)}"
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        return f"missing field(s) {', '.join(missing)}"
    for name, types in _RECORD_FIELDS.items():
        value = data.get(name)
        if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            return f"field '{name}' is {_json_type(value)}, expected {' or '.join(_json_type_name(t) for t in types)}"
    if not data["clip_id"].strip():
        return "field 'clip_id' is empty"
    for name, types in _REFERENCE_FIELDS.items():
        value = (data.get("reference") or {}).get(name)
        if not isinstance(value, types) or isinstance(value, bool):
            return f"field 'reference.{name}' is {_json_type(value)}, expected " \
                   f"{' or '.join(_json_type_name(t) for t in types)}"
    return None


def _json_type_name(t: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list",
            bool: "a boolean", type(None): "null"}.get(t, t.__name__)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return _json_type_name(type(value))

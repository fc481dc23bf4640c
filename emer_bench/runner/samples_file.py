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


class SamplesWriter:
    """Thread-safe appender (adapters may report from a worker thread)."""

    def __init__(self, path: Path, fsync: bool = True) -> None:
        self.path = path
        self.fsync = fsync
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        _drop_torn_tail(path)
        self._fh = path.open("a", encoding="utf-8")

    def append(self, record: SampleRecord) -> None:
        line = redact_text(json.dumps(record.to_json(), ensure_ascii=False))  # errors may echo a key
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()
            if self.fsync:
                os.fsync(self._fh.fileno())

    def close(self) -> None:
        with self._lock:
            self._fh.close()

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
    """clip_id -> latest record. With `strict`, any bad line is a DataError naming file:line."""
    records: dict[str, SampleRecord] = {}
    if not path.exists():
        return records
    with path.open(encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = SampleRecord.from_json(json.loads(line))
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            if strict or lineno < len(lines) - 1:
                raise DataError(f"{path}:{lineno}: not a samples record ({exc})") from None
            continue  # torn tail from a crash
        records[record.clip_id] = record
    return records

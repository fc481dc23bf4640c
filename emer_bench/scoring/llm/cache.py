"""An append-only JSONL cache of LLM-tool answers (judge replies, extractor replies).

One file per tool identity (adapter + public model args + generation settings), one line per
answered prompt: `{"key": sha256(system prompt + prompt), "text": ..., ...}`. Lines are
appended with a single `write` on an O_APPEND descriptor, so concurrent workers sharing a
cache directory do not interleave lines. Only successful answers are stored: a failed call
is retried next time rather than remembered.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class JsonlAnswerCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is not None:
            return self._entries
        entries: dict[str, dict[str, Any]] = {}
        bad = 0
        if self.path.is_file():
            with self.path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        record = json.loads(line)
                        entries[str(record["key"])] = record
                    except (ValueError, KeyError, TypeError):
                        bad += 1  # a torn last line from a killed process; that answer is asked again
        if bad:
            logger.warning("%s: ignored %d unreadable cache line(s)", self.path, bad)
        self._entries = entries
        return entries

    def get(self, key: str) -> dict[str, Any] | None:
        return self._load().get(key)

    def __len__(self) -> int:
        return len(self._load())

    def put(self, key: str, record: dict[str, Any]) -> None:
        entry = {"key": key, **record}
        self._load()[key] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            while data:  # a regular-file write is whole in practice; loop in case it is not
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)

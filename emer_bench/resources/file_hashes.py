"""Content hashes of the files a scorer reads (a local model directory, the WordNet database),
so that its scores can be reused while those files are unchanged (runner/score_cache.py).

Hashing a model directory reads every byte (gigabytes for a large model), so each file's hash is
remembered in `<cache dir>/file_hashes.json`, keyed by its absolute path and its stat: size,
mtime_ns, ctime_ns, inode and device. A write to a file changes its ctime, which no tool can set
back (`cp -p`, `rsync -t` and `touch` restore the mtime only), so a file whose stat is unchanged
has unchanged content and a re-run hashes nothing; any other file is hashed again. A file changed
in the last seconds is not remembered: a second write within the file system's timestamp tick
could keep its whole stat (git's "racily clean" files).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

CACHE_FILE = "file_hashes.json"
RACY_S = 2.0  # a file changed this recently is hashed again next time
_LOCK = threading.Lock()
_MEMO: dict[str, tuple[list[int], str]] = {}  # this process's hashes, as in the cache file


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


def _read_cache(path: Path | None) -> dict[str, tuple[list[int], str]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: hash again (the cache only saves time)
    if not isinstance(data, dict):
        return {}
    return {name: (entry[0], entry[1]) for name, entry in data.items()
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], str)}


def _write_cache(path: Path, entries: dict[str, tuple[list[int], str]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".file-hashes-", suffix=".tmp",
                                         delete=False, encoding="utf-8") as handle:
            json.dump({name: [key, sha] for name, (key, sha) in sorted(entries.items())}, handle)
        os.replace(handle.name, path)  # atomic: a concurrent reader sees the old or the new file
    except OSError:
        pass  # a read-only output folder: the hashes are still right, only not remembered


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def tree_sha256(root: Path, cache_dir: Path | None = None) -> str:
    """sha256 over every file under `root` (or of the file `root`): relative names and contents.
    Links are followed (a Hugging Face snapshot links into its blobs: the content counts)."""
    root = Path(root).resolve()
    cache_path = cache_dir / CACHE_FILE if cache_dir is not None else None
    with _LOCK:
        known = {**_read_cache(cache_path), **_MEMO}
        digest = hashlib.sha256()
        changed = False
        for path in _files_under(root):
            name = str(path.resolve())
            key = _stat_key(path.stat())
            entry = known.get(name)
            if entry is None or entry[0] != key:
                entry = (key, file_sha256(path))
                if time.time_ns() - key[2] > RACY_S * 1e9:
                    known[name] = _MEMO[name] = entry
                    changed = True
            relative = "." if path == root else path.relative_to(root).as_posix()
            digest.update(relative.encode() + b"\0" + bytes.fromhex(entry[1]))
        if changed and cache_path is not None:
            _write_cache(cache_path, known)
    return digest.hexdigest()

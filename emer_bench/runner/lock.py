"""One run at a time per output folder: two runs into the same folder would both send every
request and interleave their samples. An OS file lock (flock) is released by the kernel when
the process dies, so a crashed run never leaves a stale lock behind."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from emer_bench.errors import RunLockedError

LOCK_NAME = ".emer-bench.lock"


class OutputLock:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl  # noqa: PLC0415 - POSIX only; elsewhere runs are not locked
        except ImportError:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            raise RunLockedError(f"another emer-bench run ({holder}) is writing into {self.path.parent}; "
                                 f"wait for it to finish or pass another --output-dir") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

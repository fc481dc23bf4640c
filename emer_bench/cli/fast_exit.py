"""Ending the `emer-bench` process without the interpreter's module teardown.

After a run, freeing ~1,000 imported modules (numpy, aiohttp, PyAV, nltk, pydantic, ...) one by
one took 0.15-0.2 s here: as long as scoring 640 answers, on the path from the last answer to
the exit and in every cached re-run. Everything a normal exit does that matters still happens:
the atexit handlers run (logging flushes and closes its handlers, thread pools join, temporary
folders go, coverage saves), stdout/stderr are flushed, then `os._exit`. Every output file of
emer-bench is written atomically and closed before this point.

The normal exit is kept whenever it may matter: a non-daemon thread still running (a normal
exit waits for it), a profiler or tracer watching (it reports when the program returns), or
torch loaded (its distributed and CUDA state have their own shutdown).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def _needs_normal_exit() -> bool:
    main = threading.main_thread()
    others = [t for t in threading.enumerate() if t is not main and t.is_alive() and not t.daemon]
    # A profiler or tracer (`python -m cProfile -m emer_bench`, pyinstrument, coverage) writes its
    # report when the program returns: it must get the chance.
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    return bool(others) or watched or "torch" in sys.modules


def exit_now(code: int) -> NoReturn:
    """Exit the process with `code` (only from a process entry point: never inside tests' `main()`)."""
    if _needs_normal_exit():
        raise SystemExit(code)
    try:
        atexit._run_exitfuncs()  # what the interpreter runs at exit, before its module teardown
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be shown anyway
                pass
    os._exit(code)

"""CPU of one `emer-bench` command split by thread: where a run's client CPU goes.

    python3 benchmarks/thread_cpu.py run --model openai --tasks ... --model-args ...

Runs the CLI in this process and, at exit, prints to stderr the process's CPU (user + sys), the
CPU of every thread by name (the prefetch pool, the adapter's event loop, the samples file's
fsync thread, the scorer warm-up...; threads of one pool are summed) and, on the main thread,
the CPU inside `generate_task` (the runner's per-record path: preparing requests, records,
redaction, JSON lines, hand-offs) and inside `score_task`. Thread CPU is `time.thread_time()`
read as each thread ends, so a sampling profiler's idea of "busy" (a thread blocked in a
syscall or waiting for the GIL) does not count.
"""

from __future__ import annotations

import atexit
import collections
import resource
import sys
import threading
import time
from typing import Any

cpu: collections.Counter[str] = collections.Counter()
_thread_run = threading.Thread.run


def _timed_run(self: threading.Thread) -> None:
    try:
        _thread_run(self)
    finally:
        cpu[f"thread {self.name.rsplit('_', 1)[0]}"] += time.thread_time()


def _timed(name: str, func: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            cpu[f"main: {name}"] += time.thread_time() - start

    return wrapper


def _report() -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu["main: all"] = time.thread_time()
    print(f"process CPU {usage.ru_utime + usage.ru_stime:.3f} s", file=sys.stderr)
    for name, seconds in sorted(cpu.items()):
        print(f"  {name:32s} {seconds * 1000:8.1f} ms", file=sys.stderr)


def main() -> None:
    threading.Thread.run = _timed_run  # type: ignore[method-assign]
    import emer_bench.runner.evaluate as evaluate
    from emer_bench.cli.main import main as cli_main

    evaluate.generate_task = _timed("generate_task", evaluate.generate_task)  # type: ignore[assignment]
    evaluate.score_task = _timed("score_task", evaluate.score_task)  # type: ignore[assignment]
    atexit.register(_report)
    sys.exit(cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()

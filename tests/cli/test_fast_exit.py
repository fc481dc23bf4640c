"""cli/fast_exit.py: the process ends with the code, atexit handlers run and buffered output is
flushed; a running non-daemon thread gets the normal exit (it finishes first)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import atexit, sys, threading, time
from emer_bench.cli.fast_exit import exit_now
atexit.register(lambda: print("atexit ran", flush=True))
sys.stdout.write("buffered ")  # not flushed by the script itself
if len(sys.argv) > 1:
    def late():
        time.sleep(0.3)
        print("thread finished", flush=True)
    threading.Thread(target=late).start()
exit_now(3)
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=60)


def test_exit_code_atexit_handlers_and_buffered_output_survive() -> None:
    done = run()
    assert done.returncode == 3
    assert done.stdout == "buffered atexit ran\n"


def test_a_running_non_daemon_thread_gets_the_normal_exit() -> None:
    done = run("thread")
    assert done.returncode == 3
    assert "thread finished" in done.stdout and "atexit ran" in done.stdout


def test_python_m_emer_bench_exits_with_mains_code() -> None:
    done = subprocess.run([sys.executable, "-m", "emer_bench", "list", "nothing-such"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "invalid choice" in done.stderr
    ok = subprocess.run([sys.executable, "-m", "emer_bench", "list", "scorers"], capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0 and "rouge_l" in ok.stdout


def test_a_profiler_still_writes_its_report(tmp_path) -> None:
    out = tmp_path / "profile.out"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "emer_bench", "list", "scorers"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and out.is_file() and out.stat().st_size > 0

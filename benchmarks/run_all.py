"""Run every benchmark, one after another; each rewrites its own file in benchmarks/results/.

    python3 benchmarks/run_all.py            # all of them (tens of minutes on 2 cores)
    python3 benchmarks/run_all.py ew media   # only those whose file name contains a word

Run on a quiet machine: the figures compare emer-bench with a baseline measured in the same
run, but absolute times depend on what else is running (each file records the load average).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted([*HERE.glob("bench_*.py"), HERE / "measure_offline_extractor.py"])


def main(words: list[str]) -> int:
    chosen = [s for s in SCRIPTS if not words or any(w in s.name for w in words)]
    failed = []
    for script in chosen:
        start = time.monotonic()
        print(f"== {script.name}", flush=True)
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        print(f"== {script.name}: exit {code} in {time.monotonic() - start:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

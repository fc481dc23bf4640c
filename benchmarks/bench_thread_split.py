"""Client CPU per request, split by thread, against a baseline in the same run.

Each row is a fresh `emer-bench run --model openai` of N requests at concurrency C against the
delay server (bench_startup's text task: label_overlap + rouge_l, 1000 resamples), run under
`benchmarks/thread_cpu.py`, which reads every thread's CPU (`time.thread_time`) as it ends. The
per-request figure sums the parts that grow with the requests: the runner's per-record path
(`main: generate_task`), the final scoring pass (`main: score_task`), the adapter's event-loop
thread, the samples file's fsync thread, the prefetch pool and the scorer that scores while the
model answers. Left out: imports and the scorer warm-up (fixed per run), which the
process-level "marginal" figure of bench_peer mixes in. The scorer warm-up's CPU is printed
too, as a yardstick of the machine's speed during the row: it is the same work in every run.

    python3 benchmarks/bench_thread_split.py --baseline-python /venv-of-another-checkout/bin/python

`--baseline-python` may be given several times, each as `PATH` or `LABEL=PATH` (the label names
its rows; default "baseline", "baseline 2", ...); every version runs once per repeat, interleaved.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_startup import emer_command, write_text_task  # noqa: E402
from delay_server import DelayServerProcess  # noqa: E402
from machine_info import cpu_model  # noqa: E402

FIXED = ("main: all", "thread scorer-warm-up")
PART = re.compile(r"^\s+(.+?)\s+([\d.]+) ms$", re.M)


def one_run(python: str, task: Path, out: Path, base_url: str, clips: int, concurrency: int) -> dict[str, float]:
    cmd = emer_command(base_url, task, out, clips, concurrency, python)
    cmd = [python, str(ROOT / "benchmarks" / "thread_cpu.py")] + cmd[cmd.index("emer_bench") + 1:]
    done = subprocess.run(cmd, cwd=task, capture_output=True, text=True, check=False)
    parts = {m.group(1).strip(): float(m.group(2)) for m in PART.finditer(done.stderr)}
    if not parts:
        raise SystemExit(f"no thread figures from {python}: {done.stderr[-800:]}")
    return parts


def baselines(values: list[str]) -> dict[str, str]:
    """{label: interpreter} from `--baseline-python` values (`PATH` or `LABEL=PATH`)."""
    out: dict[str, str] = {}
    for n, value in enumerate(values, start=1):
        label, sep, path = value.partition("=")
        if not sep:
            label, path = ("baseline" if n == 1 else f"baseline {n}"), value
        out[label] = path
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-python", action="append", default=[],
                        help="PATH or LABEL=PATH of another checkout's interpreter (repeatable)")
    parser.add_argument("--clips", type=int, default=640)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "thread_split.md")
    args = parser.parse_args()
    versions = {"now": sys.executable, **baselines(args.baseline_python)}
    load, lines = os.getloadavg()[0], []
    with tempfile.TemporaryDirectory(prefix="thread-split-") as tmp, DelayServerProcess(0.1) as server:
        task = Path(tmp) / "task"
        task.mkdir()
        write_text_task(task, args.clips)
        for rep in range(args.repeats):
            for name, python in versions.items():  # interleaved: the machine's speed drifts
                parts = one_run(python, task, Path(tmp) / f"{name}-{rep}", server.base_url, args.clips,
                                args.concurrency)
                per_request = sum(v for k, v in parts.items() if k not in FIXED) / args.clips
                detail = ", ".join(f"{k} {v:.0f}" for k, v in parts.items() if k not in FIXED)
                lines.append(f"| {name} | {rep + 1} | {per_request:.3f} | {parts.get(FIXED[1], 0):.0f} | {detail} |")
                print(lines[-1], flush=True)
    text = "\n".join([
        "# Client CPU per request, by thread", "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, 1-min load average {load:.1f} before; "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- `emer-bench run --model openai`, {args.clips} requests at C = {args.concurrency}, delay server 100 ms, "
        "label_overlap + rouge_l, 1000 resamples; each row a fresh process under benchmarks/thread_cpu.py",
        f"- command: `python3 benchmarks/bench_thread_split.py {' '.join(sys.argv[1:])}`", "",
        "| code | run | CPU ms per request (parts that grow with requests) | scorer warm-up ms (same work every run: "
        "the machine's speed) | parts, ms for the whole run |",
        "| --- | ---: | ---: | ---: | --- |", *lines, ""])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

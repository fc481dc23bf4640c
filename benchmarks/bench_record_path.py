"""The runner's per-record path in isolation: N answers through `generate_task` (prefetch,
record, redaction, JSON line, samples file with fsync, progress) with a stand-in adapter that
answers at once, so what is measured is the harness's CPU per record, not a model's or a
network client's.

    python3 benchmarks/bench_record_path.py --baseline-python /tmp/before-venv/bin/python

Each code version runs in its own child process (`--child`): this checkout with this
interpreter, and the baseline with the interpreter of a virtual environment where an older
checkout is installed (e.g. `git worktree add /tmp/before main` + `python3 -m venv
--system-site-packages /tmp/before-venv` + `/tmp/before-venv/bin/pip install --no-deps -e
/tmp/before`). Rows alternate between the two and each is the least of `--repeats`, so a busy
shared machine slows both alike. CPU is user + sys of the whole child (every thread) spent in
`generate_task`, divided by N.

The records look like a text task's answers from the `openai` adapter (demo subtitles in the
bench prompt, the demo's references, usage and inputs as that adapter reports them), and the
child's environment holds an API key, as a real run's does, so redaction has a secret to look for.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tasks" / "emer_demo" / "annotations.csv"
RESULTS = ROOT / "benchmarks" / "results" / "record_path.md"
PROMPT = "Subtitle: {subtitle}. What does the person feel, and why?"  # bench_startup's task template
FAKE_KEY = "sk-benchRecordPath0123456789abcdef"  # a key-shaped value for the redactor to look for


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(n: int, progress_kind: str) -> dict[str, Any]:
    """In the measured interpreter: N records through generate_task; CPU and wall per record."""
    from emer_bench.api.adapter import AdapterArgs, ModelAdapter, PreparedRequest
    from emer_bench.api.records import Generation
    from emer_bench.api.requests import GenerationRequest, Modality, Reference
    from emer_bench.runner.generate import generate_task
    from emer_bench.runner.samples_file import SamplesWriter

    class InstantStandInAdapter(ModelAdapter[AdapterArgs]):
        """Benchmark stand-in: answers each request at once in the caller's thread, with the
        fields the openai adapter fills (text echoing the prompt, usage, inputs, latency)."""

        name = "instant-stand-in"

        def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
            return list(self.generate_stream(batch))

        def generate_stream(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
            for prepared in requests:
                request = prepared.request
                yield Generation(index=request.index, text=f"echo: {request.prompt}", latency_s=0.1003,
                                 usage={"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18, "attempts": 1},
                                 inputs={"model": "bench", "num_frames": 0, "audio_s": 0.0, "served_model": "bench"})

    with DEMO.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    requests, references = [], {}
    for i in range(n):
        row = rows[i % len(rows)]
        clip = f"clip_{i:05d}"
        requests.append(GenerationRequest(task="record-path-bench", index=i, clip_id=clip,
                                          prompt=PROMPT.format(subtitle=row["subtitle"]),
                                          modalities=(Modality.SUBTITLE,), subtitle=row["subtitle"]))
        references[clip] = Reference(explanation=row["explanation"],
                                     openset=[w.strip(" '") for w in row["openset"].strip("[]").split(",")])
    fingerprints = {r.clip_id: f"{r.index:016x}" for r in requests}
    adapter = InstantStandInAdapter(AdapterArgs())
    with tempfile.TemporaryDirectory() as tmp:
        sink, stream = _progress(progress_kind, n, Path(tmp))
        writer = SamplesWriter(Path(tmp) / "samples.jsonl")
        cpu0, wall0 = _cpu(), time.perf_counter()
        failed = generate_task(adapter, requests, references, writer, sink, fingerprints=fingerprints)
        writer.close()
        cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
        lines = (Path(tmp) / "samples.jsonl").read_text(encoding="utf-8").count("\n")
        if stream is not None:
            stream.close()
    if failed or lines != n:
        raise SystemExit(f"stand-in run wrote {lines} lines with {failed} failures for {n} requests")
    return {"cpu_us": cpu / n * 1e6, "wall_us": wall / n * 1e6}


def _progress(kind: str, n: int, tmp: Path) -> tuple[Any, Any]:
    if kind == "none":
        return None, None
    from emer_bench.cli.progress import PlainProgress

    stream = (tmp / "progress.log").open("w", encoding="utf-8")
    return PlainProgress("record-path-bench", n, 0, stream, 5.0), stream


def run_child(python: str, n: int, progress: str) -> dict[str, Any]:
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([python, str(Path(__file__).resolve()), "--child", "-n", str(n), "--progress", progress],
                         env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{python} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def e2e(pythons: dict[str, str], clips: int, concurrency: int, repeats: int) -> list[str]:
    """Whole `emer-bench run` processes against the delay server (bench_startup's text task):
    the marginal CPU per request, (least CPU of N-clip runs - least of 1-clip runs) / (N - 1)."""
    from bench_startup import run_cli, write_text_task
    from delay_server import DelayServerProcess

    cpu: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="record-path-") as tmp, DelayServerProcess(0.1) as server:
        root = Path(tmp)
        task_dir = root / "task"
        task_dir.mkdir()
        write_text_task(task_dir, clips)
        for label, python in pythons.items():  # warm-up: page cache, .pyc files
            run_cli(server, task_dir, root / f"warm-{len(cpu)}-{label[:4]}", 1, concurrency, python)
        for i in range(repeats):
            for n in (1, clips):
                for label, python in pythons.items():
                    got = run_cli(server, task_dir, root / f"{i}-{n}-{label[:4]}", n, concurrency, python)
                    cpu[(label, n)] = min(cpu.get((label, n), got.cpu_s), got.cpu_s)
    lines = ["", f"Whole runs: `emer-bench run --model openai`, {clips} requests at C = {concurrency} against "
             "benchmarks/delay_server.py (100 ms), scoring included; least CPU (user + sys) of "
             f"{repeats} fresh processes per row", "",
             "| code | CPU s, 1 request | CPU s, all requests | client CPU ms/request (marginal) |",
             "| --- | ---: | ---: | ---: |"]
    for label in pythons:
        one, many = cpu[(label, 1)], cpu[(label, clips)]
        lines.append(f"| {label} | {one:.2f} | {many:.2f} | {(many - one) / (clips - 1) * 1000:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-n", type=int, default=5000, help="records per run")
    parser.add_argument("--progress", choices=["none", "plain"], default="none")
    parser.add_argument("--baseline-python", help="python of a venv with the code to compare against")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--e2e", action="store_true", help="also whole runs against the delay server")
    parser.add_argument("--clips", type=int, default=640, help="requests of a whole run (--e2e)")
    parser.add_argument("--concurrency", type=int, default=64, help="of a whole run (--e2e)")
    parser.add_argument("--out", type=Path, help=f"write the table there (e.g. {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n, args.progress)))
        return
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from machine_info import machine_line

    pythons = {"this checkout": sys.executable}
    if args.baseline_python:
        pythons = {"baseline": args.baseline_python, **pythons}
    load_before = os.getloadavg()[0]
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for _ in range(args.repeats):
        for progress in ("none", "plain"):
            for label, python in pythons.items():
                got = run_child(python, args.n, progress)
                key = (label, progress)
                if key not in best or got["cpu_us"] < best[key]["cpu_us"]:
                    best[key] = got
    lines = [f"The runner's path alone: {args.n} records through `generate_task` with a stand-in adapter "
             f"that answers at once; least of {args.repeats} runs per row, rows interleaved", "",
             "| code | progress | CPU us/record | wall us/record |", "| --- | --- | ---: | ---: |"]
    for (label, progress), got in best.items():
        lines.append(f"| {label} | {progress} | {got['cpu_us']:.1f} | {got['wall_us']:.1f} |")
    if args.e2e:
        lines += e2e(pythons, args.clips, args.concurrency, args.repeats)
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# The runner's per-record path", "",
             f"- machine: {machine_line()} after (before: {load_before:.1f}); {date}",
             f"- command: `python3 benchmarks/bench_record_path.py {' '.join(sys.argv[1:])}`", "", *lines]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

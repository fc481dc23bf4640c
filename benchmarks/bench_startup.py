"""Fixed costs of a run: launch to first model request, last answer to exit, CPU of a small run,
and a cached re-run, for an API model on a text task (the `openai` adapter against the benchmark
delay server, which answers every request after a fixed delay).

Each `emer-bench run` is a fresh process (`python3 -m emer_bench run ...`), as a user starts it:
- launch -> first request: process start (time.time() just before spawning) to the server's
  first request mark;
- last answer -> exit: the server's last answer mark to the process's exit (scoring, CIs, writing);
- CPU of the process (user + sys, from wait4), for a 1-clip run and for a 640-clip run;
- cached re-run: the same command again on a finished run (every sample reused): wall, CPU and
  the number of requests the server saw (must be 0).
The task is text only (subtitles of the bundled demo, listed many times), scored with the cheap
resource-free scorers (`label_overlap` with the word-list extractor, `rouge_l`).

Local model rows (`--local-clips`, 0 to skip): the same task answered by a tiny random-weight
`hf_text` checkpoint (built here by tests/model_adapters/tiny_models.py, on the CPU), then the
cached re-run of it: wall, CPU, the samples reused and whether torch was imported (a re-run that
asks nothing should load nothing). `--only local` measures only these rows.

    python3 benchmarks/bench_startup.py [--clips 640] [--concurrency 16] [--delay-ms 100] [--repeats 3]
    python3 benchmarks/bench_startup.py --baseline-python /venv-of-an-older-checkout/bin/python
    python3 benchmarks/bench_startup.py --only local --baseline-python ... --out benchmarks/results/local_cached.md

`--baseline-python`: an interpreter whose `emer_bench` is another version (e.g. a venv with an
older checkout installed editable); its rows are measured in the same run, interleaved.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from delay_server import DelayServerProcess  # noqa: E402
from machine_info import machine_line  # noqa: E402

DEMO_DIR = ROOT / "tasks" / "emer_demo"
RESULTS = ROOT / "benchmarks" / "results" / "startup.md"
TASK = "startup-bench-text"


def write_text_task(folder: Path, clips: int, task: str = TASK, extra_scorers: str = "") -> None:
    """A subtitle-only task over the demo's annotations repeated to `clips` rows (no media)."""
    with (DEMO_DIR / "annotations.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (folder / "annotations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**rows[i % len(rows)], "name": f"clip_{i:05d}"} for i in range(clips))
    (folder / f"{task}.yaml").write_text(
        f"task: {task}\nversion: '1'\n"
        "dataset:\n  files:\n    - path: \"{task_dir}/annotations.csv\"\n      id_column: name\n"
        "      columns: {subtitle: subtitle, explanation: explanation, openset: openset}\n"
        "modalities: [subtitle]\n"
        "prompt: {template: 'Subtitle: {subtitle}. What does the person feel, and why?'}\n"
        "generation: {max_new_tokens: 64, temperature: 0}\n"
        "reference: [explanation, openset]\n"
        "scorers:\n  - name: label_overlap\n    args: {extractor: {name: lexicon}}\n  - name: rouge_l\n"
        + extra_scorers + "main_metric: label_overlap.fscore\n", encoding="utf-8")


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    to_first_request_s: float | None
    last_answer_to_exit_s: float | None
    requests: int
    first_request_at: float | None = None  # the server's wall-clock marks (time.time())
    last_answer_at: float | None = None


def emer_command(server_url: str, task_dir: Path, out: Path, limit: int | None, concurrency: int,
                 python: str = sys.executable) -> list[str]:
    cmd = [python, "-m", "emer_bench", "run", "--model", "openai", "--tasks", TASK,
           "--include-path", str(task_dir), "--output-dir", str(out), "--no-progress", "--n-resamples", "1000",
           "--model-args", f"base_url={server_url},model=bench,concurrency={concurrency}"]
    return cmd if limit is None else [*cmd, "--limit", str(limit)]


def measure(server: DelayServerProcess, cmd: list[str], env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Run:
    """One fresh client process against the (reset) server: its wall, CPU and the server's marks."""
    server.reset()
    env = {**os.environ, "OPENAI_API_KEY": "", "PYTHONUNBUFFERED": "1", **(env or {})}
    started = time.time()
    # cwd outside any checkout: `python -m` puts the cwd first on sys.path, which would shadow
    # the interpreter's own installed emer_bench (the baseline's).
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode(errors="replace")  # drained while it runs: a full pipe would block it
    _, status, usage = os.wait4(proc.pid, 0)
    ended = time.time()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:4]} failed ({status}): {stderr[-2000:]}")
    stats = server.stats()
    first, last = stats.get("first_request_at"), stats.get("last_answer_at")
    return Run(ended - started, usage.ru_utime + usage.ru_stime, first - started if first else None,
               ended - last if last else None, stats["requests"], first, last)


def run_cli(server: DelayServerProcess, task_dir: Path, out: Path, limit: int | None, concurrency: int,
            python: str = sys.executable) -> Run:
    return measure(server, emer_command(server.base_url, task_dir, out, limit, concurrency, python), cwd=task_dir)


def local_command(checkpoint: Path, task_dir: Path, out: Path, limit: int, python: str) -> list[str]:
    # the same prompts as the API rows; 12 new tokens: every answer of the tiny model has text,
    # so every sample is reusable (a failed one would be asked again)
    return [python, "-X", "importtime", "-m", "emer_bench", "run", "--model", "hf_text", "--tasks", TASK,
            "--include-path", str(task_dir), "--output-dir", str(out), "--no-progress", "--n-resamples", "1000",
            "--limit", str(limit), "--model-args", f"pretrained={checkpoint},max_new_tokens=12,device=cpu,batch_size=50"]


@dataclass
class LocalRun:
    wall_s: float
    cpu_s: float
    reused: int
    torch_imported: bool


def run_local(cmd: list[str], cwd: Path) -> LocalRun:
    """One fresh `emer-bench run` of the local model: wall, CPU, samples reused (from its results
    file) and whether torch was imported (from -X importtime)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.time()
        proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.time() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:6]} failed ({status}): {stderr[-2000:]}")
    results_line = [line for line in stdout.splitlines() if line.startswith("results: ")][-1]
    results = json.loads((cwd / results_line.removeprefix("results: ").strip()).read_text())
    imported = any(line.rstrip().endswith("| torch") for line in stderr.splitlines())
    return LocalRun(wall, usage.ru_utime + usage.ru_stime, int(results["results"][TASK].get("n_reused", 0)), imported)


def local_rows(root: Path, task_dir: Path, clips: int, repeats: int,
               versions: list[tuple[str, str]]) -> list[tuple[str, LocalRun]]:
    sys.path.insert(0, str(ROOT / "tests" / "model_adapters"))
    from tiny_models import build_tiny_text_lm  # a test helper: random weights, a tokenizer trained there

    checkpoint = build_tiny_text_lm(root / "tiny-chat-lm")
    rows = []
    for name, python in versions:  # each version answers once into its own folder...
        rows.append((f"{name}: local hf_text, {clips} clips, first run",
                     run_local(local_command(checkpoint, task_dir, root / f"local-{name}", clips, python), task_dir)))
    for _ in range(repeats):  # ...then the cached re-runs, interleaved
        for name, python in versions:
            rows.append((f"{name}: local hf_text, cached re-run of {clips} clips",
                         run_local(local_command(checkpoint, task_dir, root / f"local-{name}", clips, python),
                                   task_dir)))
    return rows


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=int, default=640)
    parser.add_argument("--cached-clips", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay-ms", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-python", default=None, help="interpreter of another emer-bench version")
    parser.add_argument("--local-clips", type=int, default=1000, help="clips of the local-model rows (0: none)")
    parser.add_argument("--only", choices=("all", "local"), default="all", help="local: only the local-model rows")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    versions = [("now", sys.executable)] + ([("baseline", args.baseline_python)] if args.baseline_python else [])
    rows: list[tuple[str, Run]] = []
    local: list[tuple[str, LocalRun]] = []
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp, DelayServerProcess(args.delay_ms / 1000) as server:
        root = Path(tmp)
        task_dir = root / "task"
        task_dir.mkdir()
        write_text_task(task_dir, max(args.clips, args.cached_clips, args.local_clips))
        if args.only == "all":
            rows = api_rows(args, server, root, task_dir, versions)
        if args.local_clips:  # after the API rows, which it would otherwise follow with a warm torch
            local = local_rows(root, task_dir, args.local_clips, args.repeats, versions)
    lines = [
        "# Fixed costs of a run (" + ("local model" if args.only == "local" else "API model") + ", text task)", "",
        f"- machine: {machine_line()} (before: {load:.1f}); "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        *([f"- `openai` adapter, concurrency {args.concurrency}, against benchmarks/delay_server.py answering "
           f"after {args.delay_ms:.0f} ms"] if rows else []),
        "- scorers label_overlap (word list) + rouge_l, 1000 bootstrap resamples",
        "- each row is one fresh `python3 -m emer_bench run` process; CPU = user + sys of that process",
        f"- command: `python3 benchmarks/bench_startup.py {' '.join(sys.argv[1:])}`", "",
    ]
    if rows:
        lines += ["| run | wall s | CPU s | launch -> first request s | last answer -> exit s | requests |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {label} | {r.wall_s:.2f} | {r.cpu_s:.2f} | {_fmt(r.to_first_request_s)} | "
                  f"{_fmt(r.last_answer_to_exit_s)} | {r.requests} |" for label, r in rows]
        lines.append("")
    if local:
        lines += ["Local model (`hf_text`, tiny random-weight checkpoint, CPU, batch 50, 12 new tokens; "
                  "`-X importtime` on, which adds a little to every row):", "",
                  "| run | wall s | CPU s | samples reused | torch imported |", "| --- | ---: | ---: | ---: | --- |"]
        lines += [f"| {label} | {r.wall_s:.2f} | {r.cpu_s:.2f} | {r.reused} | {'yes' if r.torch_imported else 'no'} |"
                  for label, r in local]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


def api_rows(args: argparse.Namespace, server: DelayServerProcess, root: Path, task_dir: Path,
             versions: list[tuple[str, str]]) -> list[tuple[str, Run]]:
    rows: list[tuple[str, Run]] = []
    for name, python in versions:  # warm-up: page cache, .pyc files
        run_cli(server, task_dir, root / f"warm-{name}", 1, args.concurrency, python)
    for i in range(args.repeats):
        for name, python in versions:
            rows.append((f"{name}: 1 clip", run_cli(server, task_dir, root / f"one{i}{name}", 1,
                                                    args.concurrency, python)))
    for i in range(args.repeats):
        for name, python in versions:
            rows.append((f"{name}: {args.clips} clips", run_cli(server, task_dir, root / f"many{i}{name}",
                                                               args.clips, args.concurrency, python)))
    for name, python in versions:
        cached = root / f"cached-{name}"
        run_cli(server, task_dir, cached, args.cached_clips, args.concurrency, python)
        for _ in range(args.repeats):
            rows.append((f"{name}: cached re-run of {args.cached_clips} clips",
                         run_cli(server, task_dir, cached, args.cached_clips, args.concurrency, python)))
    return rows


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory (RSS) against the number of clips: is it bounded, or does it grow with the run?

Each row is a fresh `python3 -m emer_bench` process; its peak RSS is `ru_maxrss` from wait4.
1. Scoring: a text task (bench_startup's demo subtitles listed N times) scored with the cheap
   scorers (label_overlap with the word list, rouge_l) plus the official EW metrics (offline
   extractor) when the emotion-wheel resources are found (../shared/data/emotion_wheel or
   --resources), 1000 bootstrap resamples:
   - `emer-bench run --model lexicon-baseline` (weightless, reads the subtitle): generation + scoring;
   - `emer-bench score` of that run's samples file (scoring alone).
2. Video: `emer-bench run --model openai` (8 frames per clip, JPEG data URLs, audio=false) over
   the demo clips listed many times (bench_e2e_overlap's task), against benchmarks/delay_server.py.
The growth per clip, (RSS(N_max) - RSS(N_min)) / (N_max - N_min), is set beside the size of one
sample record (its JSONL line): a bounded run grows by about the records it keeps, nothing more.

    python3 benchmarks/bench_memory.py [--text-clips 100 2500 5000 10000] [--video-clips 10 250 500 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_e2e_overlap import TASK_NAME as VIDEO_TASK, write_task as write_video_task  # noqa: E402
from bench_startup import write_text_task  # noqa: E402
from delay_server import DelayServerProcess  # noqa: E402
from machine_info import machine_line  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "memory.md"
TEXT_TASK = "memory-bench-text"
DEFAULT_RESOURCES = ROOT.parent / "shared" / "data" / "emotion_wheel" / "mer2025"


def write_scoring_task(folder: Path, clips: int, with_ew: bool) -> None:
    write_text_task(folder, clips, TEXT_TASK, "  - name: ew\n" if with_ew else "")


def peak(cmd: list[str]) -> tuple[float, float, float]:
    """(peak RSS MiB, wall s, CPU s) of one fresh process."""
    env = {**os.environ, "OPENAI_API_KEY": "", "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{' '.join(cmd[:6])} failed: {stderr[-2000:]}")
    return usage.ru_maxrss / 1024, time.monotonic() - started, usage.ru_utime + usage.ru_stime


def emer(*args: str) -> list[str]:
    return [sys.executable, "-m", "emer_bench", *args]


def scoring_rows(root: Path, sizes: list[int], resources: Path | None) -> tuple[list[str], float]:
    task = root / "text"
    task.mkdir()
    write_scoring_task(task, max(sizes), resources is not None)
    res = ["--resources", str(resources)] if resources else []
    rows, record_kib = [], 0.0
    results: dict[str, list[tuple[int, float]]] = {"run lexicon-baseline": [], "score": []}
    for n in sizes:
        out = root / f"text-{n}"
        rss, wall, cpu = peak(emer("run", "--model", "lexicon-baseline", "--tasks", TEXT_TASK, "--include-path",
                                   str(task), "--output-dir", str(out), "--limit", str(n), "--no-progress", *res))
        rows.append(f"| scoring | `run --model lexicon-baseline` | {n} | {rss:.0f} | {wall:.1f} | {cpu:.1f} |")
        results["run lexicon-baseline"].append((n, rss))
        samples = next(out.rglob("samples_*.jsonl"))
        record_kib = samples.stat().st_size / n / 1024
        rss, wall, cpu = peak(emer("score", str(samples), "--include-path", str(task), *res))
        rows.append(f"| scoring | `score` of that samples file | {n} | {rss:.0f} | {wall:.1f} | {cpu:.1f} |")
        results["score"].append((n, rss))
    return rows + growth_rows("scoring", results), record_kib


def video_rows(root: Path, sizes: list[int], delay_s: float, concurrency: int) -> tuple[list[str], float]:
    task = root / "video"
    task.mkdir()
    write_video_task(task, -(-max(sizes) // 10))
    rows: list[str] = []
    results: dict[str, list[tuple[int, float]]] = {"run openai, 8 frames": []}
    record_kib = 0.0
    with DelayServerProcess(delay_s) as server:
        for n in sizes:
            out = root / f"video-{n}"
            args = f"base_url={server.base_url},model=bench,concurrency={concurrency},max_retries=0"
            rss, wall, cpu = peak(emer("run", "--model", "openai", "--model-args", args, "--tasks", VIDEO_TASK,
                                       "--include-path", str(task), "--output-dir", str(out), "--limit", str(n),
                                       "--no-progress"))
            rows.append(f"| video | `run --model openai` (8 frames, C = {concurrency}) | {n} | {rss:.0f} | "
                        f"{wall:.1f} | {cpu:.1f} |")
            results["run openai, 8 frames"].append((n, rss))
            samples = next(out.rglob("samples_*.jsonl"))
            record_kib = samples.stat().st_size / n / 1024
    return rows + growth_rows("video", results), record_kib


def growth_rows(part: str, results: dict[str, list[tuple[int, float]]]) -> list[str]:
    out = []
    for label, points in results.items():
        (n0, r0), (n1, r1) = points[1] if len(points) > 2 else points[0], points[-1]
        out.append(f"| {part} | growth of `{label}`, {n0} -> {n1} clips | | "
                   f"{1024 * (r1 - r0) / max(n1 - n0, 1):.1f} KiB/clip | | |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text-clips", type=int, nargs="+", default=[100, 2500, 5000, 10000])
    parser.add_argument("--video-clips", type=int, nargs="+", default=[10, 250, 500, 1000])
    parser.add_argument("--resources", type=Path, default=DEFAULT_RESOURCES if DEFAULT_RESOURCES.is_dir() else None)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    machine = machine_line()
    with tempfile.TemporaryDirectory(prefix="memory-") as tmp:
        text, text_kib = scoring_rows(Path(tmp), args.text_clips, args.resources)
        video, video_kib = video_rows(Path(tmp), args.video_clips, args.delay_ms / 1000, args.concurrency)
    lines = [
        "# Peak memory (RSS) against the number of clips", "",
        f"- machine: {machine} before, {os.getloadavg()[0]:.1f} after (shared with other jobs); "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- scoring: label_overlap (word list) + rouge_l{' + ew (offline extractor, ' + str(args.resources) + ')' if args.resources else ' (EW resources not found: no ew)'}"
        ", 1000 bootstrap resamples",
        f"- video: demo clips listed many times, 8 frames each, audio=false, delay server {args.delay_ms:.0f} ms",
        "- each row a fresh process; peak RSS = ru_maxrss (wait4); CPU = user + sys",
        f"- one sample record on disk: {text_kib:.2f} KiB (text run), {video_kib:.2f} KiB (video run)",
        f"- command: `python3 benchmarks/bench_memory.py {' '.join(sys.argv[1:])}`", "",
        "| part | process | clips | peak RSS MiB | wall s | CPU s |", "| --- | --- | ---: | ---: | ---: | ---: |",
        *text, *video, "",
    ]
    text_out = "\n".join(lines)
    args.out.write_text(text_out)
    print(text_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

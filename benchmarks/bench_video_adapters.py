"""Video-language adapters (qwen2_5_vl, qwen3_vl, llava_onevision, llava_video): batching and processor cost.

Tiny random-weight checkpoints of each family (built offline with the test builders) answer
the demo clips, decoded once by the harness (8 frames, default `MediaOptions`), through
`generate_stream` exactly as a run calls the adapter:

- baseline: batch_size=1 (one processor call and one generate call per clip);
- batched: batch_size=B (per-clip processor calls collated into one left-padded generate call).

Reported: process CPU time (best of --repeats; the machine is shared, so CPU time is the
steadier figure) with the wall time of the same run, speed-up, answers equal to the baseline's.
A tiny model makes the model cheap, so these figures show what the adapter itself costs
around the model; with a 7B model the generate call dominates. Second table: CPU ms the
video processor spends per clip at the run's default frame budget (8 frames of at most
448x448 pixels) before the model sees anything; it does not depend on the model size.

    python3 benchmarks/bench_video_adapters.py [--clips 12] [--batch-size 4] [--max-new-tokens 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from machine_info import cpu_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "model_adapters"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from emer_bench.api.adapter import PreparedRequest  # noqa: E402
from emer_bench.api.media import DecodedMedia  # noqa: E402
from emer_bench.api.requests import Modality  # noqa: E402
from emer_bench.registries import ADAPTERS  # noqa: E402
from hf_test_utils import demo_request, prepared_demo  # noqa: E402
from tiny_video_models import BUILDERS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "video_adapters.md"
DEMO_CLIPS = sorted((ROOT / "tasks" / "emer_demo" / "clips").glob("*.mp4"))
VIDEO_TEXT = (Modality.VIDEO, Modality.SUBTITLE)


def make_adapter(family: str, checkpoint: Path, **args: Any) -> Any:
    cls = ADAPTERS.get(family)
    return cls(cls.Args(pretrained=str(checkpoint), device="cpu", **args))


def run(adapter: Any, batch: list[PreparedRequest]) -> tuple[float, float, list[str | None]]:
    """CPU seconds (all threads of this process), wall seconds, answers in request order."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = sorted(adapter.generate_stream(iter(batch)), key=lambda g: g.index)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    errors = [g.error for g in out if g.error]
    if errors:
        raise SystemExit(f"benchmark run failed: {errors[0]}")
    return cpu, wall, [g.text for g in out]


def processor_cpu_ms(adapter: Any, repeats: int = 5) -> float:
    """CPU ms of prepare + processor call for one clip of 8 frames at the 448x448-pixel budget (16:9)."""
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (8, 336, 596, 3), dtype=np.uint8)  # what the harness gives a 720p clip
    media = DecodedMedia(frames=frames, frame_times=[i * 0.375 for i in range(8)], duration_s=3.0)
    prepared = PreparedRequest(demo_request(Path("/clip.mp4"), 0, "I got the job!", VIDEO_TEXT), media)
    times = []
    for _ in range(repeats):
        start = time.process_time()
        adapter.encode([adapter.prepare(prepared)])
        times.append(time.process_time() - start)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import torch

    load_start = os.getloadavg()[0]
    root = Path(tempfile.mkdtemp())
    clips = [DEMO_CLIPS[i % len(DEMO_CLIPS)] for i in range(args.clips)]
    subtitles = [f"Demo line number {i}." for i in range(args.clips)]
    rows, cost_rows = [], []
    for family, build in BUILDERS.items():
        checkpoint = build(root / family).path
        base_time, reference = None, None
        batch: list[PreparedRequest] | None = None
        for label, batch_size in (("baseline: batch_size=1", 1), (f"batch_size={args.batch_size}", args.batch_size)):
            adapter = make_adapter(family, checkpoint, batch_size=batch_size, max_new_tokens=args.max_new_tokens)
            batch = batch or prepared_demo(adapter, clips, subtitles, modalities=VIDEO_TEXT)  # decoded once
            run(adapter, batch[:2])  # warm-up
            best, wall, answers = min((run(adapter, batch) for _ in range(args.repeats)), key=lambda r: r[0])
            base_time, reference = base_time or best, reference or answers
            same = sum(a == b for a, b in zip(answers, reference))
            rows.append((family, label, best, wall, base_time / best, same))
            print(f"{family} {label}: CPU {best:.2f} s, wall {wall:.2f} s, x{base_time / best:.2f}, "
                  f"same {same}/{args.clips}")
            if batch_size == 1:
                cost_rows.append((family, processor_cpu_ms(adapter)))
            adapter.close()

    load_end = os.getloadavg()[0]
    lines = [
        "# Video-language adapters: batching and processor cost",
        "",
        f"`python3 benchmarks/bench_video_adapters.py --clips {args.clips} --batch-size {args.batch_size} "
        f"--max-new-tokens {args.max_new_tokens}`",
        "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), CPU only; {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- 1-min load average {load_start:.1f} at the start, {load_end:.1f} at the end (other jobs share the "
        "machine, so wall times are noisy; CPU time is the figure compared)",
        "- models: the tiny random-weight test checkpoints (2 text layers of hidden 64, 2-layer vision tower), "
        "float32; the model is cheap on purpose, so the figures show the adapter's own cost around it",
        f"- workload: {args.clips} demo clips (256x192, 8 frames each, decoded once by the harness), greedy, "
        f"max_new_tokens={args.max_new_tokens}, through `generate_stream`",
        "",
        f"| model | strategy | CPU s (best of {args.repeats}) | wall s (same run) | CPU ms/clip | speed-up (CPU) "
        "| answers equal to baseline |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for family, label, best, wall, speedup, same in rows:
        lines.append(f"| {family} | {label} | {best:.2f} | {wall:.2f} | {1000 * best / args.clips:.0f} | "
                     f"x{speedup:.2f} | {same}/{args.clips} |")
    lines += [
        "",
        "## Video processor cost per clip (before the model)",
        "",
        "8 frames of 596x336 (a 16:9 clip after the harness's 448x448-pixel cap), the adapter's default "
        "settings; CPU time of building the prompt and running the processor, best of 5.",
        "",
        "| model | CPU ms/clip |",
        "| --- | ---: |",
        *[f"| {family} | {ms:.1f} |" for family, ms in cost_rows],
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

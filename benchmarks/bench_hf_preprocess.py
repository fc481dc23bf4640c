"""Does a transformers adapter's processor work overlap the model, as the media decoding does?

The REAL runner (`run_evaluation`) runs the REAL `qwen2_5_vl` adapter code (chat template, Qwen
video processor, collation, decoding of the answer) on the bundled demo clips listed many times,
loaded from a tiny random-weight checkpoint (the test builder, built offline). Only the model's
forward pass is simulated: `generate` sleeps for a fixed time per call (an accelerator busy, the
CPU free) and returns a few fixed tokens; that stand-in lives in this file and nowhere else.

Three ways in the same run:
- serial: `prefetch_workers=0`: decode, template and processor in the consumer thread, then the model;
- decode ahead: the prefetch pool decodes ahead, the processor runs in `generate` (before this change);
- decode + preprocess ahead (now): the pool also runs the adapter's `preprocess` (template + processor).
Overhead = (generation wall - simulated model time) / simulated model time.

    python3 benchmarks/bench_hf_preprocess.py [--model-ms 150] [--copies 6] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from machine_info import cpu_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "model_adapters"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_e2e_overlap import TASK_NAME, Timing, write_task  # noqa: E402
from tiny_video_models import build_tiny_qwen2_5_vl  # noqa: E402

from emer_bench.api.adapter import ModelAdapter, PreparedRequest  # noqa: E402
from emer_bench.model_adapters.qwen_vl import Qwen25VLAdapter  # noqa: E402
from emer_bench.registries import ADAPTERS  # noqa: E402
from emer_bench.runner.evaluate import RunConfig, run_evaluation  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "hf_preprocess.md"


class SimulatedForwardQwen25VL(Qwen25VLAdapter):
    """Benchmark stand-in: the real qwen2_5_vl adapter, with `model.generate` replaced by a sleep."""

    name: ClassVar[str] = "bench-qwen2_5_vl-simulated-forward"
    model_s: ClassVar[float] = 0.15
    model_time_s: ClassVar[float] = 0.0  # total time spent in the simulated forward passes

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        import torch

        model = super().load_model(path, load_kwargs)
        answer_ids = self.tokenizer.encode("happy", add_special_tokens=False)

        def simulated_generate(input_ids: Any = None, **_: Any) -> Any:
            started = time.perf_counter()
            time.sleep(self.model_s)
            new = torch.tensor([answer_ids] * input_ids.shape[0], dtype=input_ids.dtype)
            SimulatedForwardQwen25VL.model_time_s += time.perf_counter() - started
            return torch.cat([input_ids, new], dim=1)

        model.generate = simulated_generate
        return model


class SimulatedForwardNoPreprocess(SimulatedForwardQwen25VL):
    """The same, with the processor left in `generate` (decoding still ahead): the previous behaviour."""

    name: ClassVar[str] = "bench-qwen2_5_vl-simulated-forward-no-preprocess"

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        return ModelAdapter.preprocess(self, prepared)


def run_once(model: str, checkpoint: Path, task_dir: Path, workers: int) -> tuple[float, float, int]:
    SimulatedForwardQwen25VL.model_time_s = 0.0
    timing = Timing()
    with tempfile.TemporaryDirectory(prefix="hf-pre-out-") as out:
        config = RunConfig(model=model, tasks=[TASK_NAME], include_paths=[task_dir], output_dir=Path(out),
                           model_args={"pretrained": str(checkpoint), "device": "cpu", "batch_size": 1,
                                       "max_new_tokens": 4},
                           n_resamples=0, prefetch_workers=workers)
        results, _ = run_evaluation(config, progress_factory=timing.factory)
    if timing.failed:
        raise SystemExit(f"{timing.failed} benchmark samples failed")
    return timing.seconds, SimulatedForwardQwen25VL.model_time_s, results["results"][TASK_NAME]["n_total"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-ms", type=float, default=150.0, help="simulated forward pass per call")
    parser.add_argument("--copies", type=int, default=6, help="times the 10 demo clips are listed")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    SimulatedForwardQwen25VL.model_s = args.model_ms / 1000
    for cls in (SimulatedForwardQwen25VL, SimulatedForwardNoPreprocess):
        ADAPTERS.add(cls.name, cls, origin="runtime", replace=True)
    load_before = os.getloadavg()[0]
    configs = [("serial: decode, template, processor, then the model (prefetch_workers=0)",
                SimulatedForwardQwen25VL.name, 0),
               ("decode ahead, processor in generate (before)", SimulatedForwardNoPreprocess.name, 2),
               ("decode + preprocess ahead (now)", SimulatedForwardQwen25VL.name, 2)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="hf-pre-") as tmp:
        root = Path(tmp)
        checkpoint = build_tiny_qwen2_5_vl(root / "ckpt").path
        task_dir = root / "task"
        task_dir.mkdir()
        write_task(task_dir, args.copies)
        run_once(SimulatedForwardQwen25VL.name, checkpoint, task_dir, 2)  # warm-up: imports, first loads
        for label, model, workers in configs:
            runs = [run_once(model, checkpoint, task_dir, workers) for _ in range(args.repeats)]
            seconds, model_s, n = min(runs)
            rows.append((label, workers, n, seconds, model_s, (seconds - model_s) / model_s))
            print(rows[-1], flush=True)
    lines = [
        "# transformers adapter: processor work ahead of the model", "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores; load average (1 min) {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- real runner + real `qwen2_5_vl` adapter code (tiny checkpoint, Qwen video processor), 8 frames per "
        f"demo clip (256x192), batch_size=1; the forward pass is simulated: a {args.model_ms:.0f} ms sleep per call",
        "- overhead = (generation wall - simulated model time) / simulated model time; fastest of "
        f"{args.repeats} runs", "- command: `python3 benchmarks/bench_hf_preprocess.py`", "",
        "| run | prefetch workers | clips | generation s | model time s | overhead |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {label} | {workers} | {n} | {seconds:.2f} | {model_s:.2f} | {100 * overhead:.1f}% |"
              for label, workers, n, seconds, model_s, overhead in rows]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

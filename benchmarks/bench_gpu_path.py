"""The GPU path: what does the harness cost around a real-size model's `generate` on a GPU?

For each family (full-size random-weight checkpoints of the published 7B configurations, built by
`gpu_checkpoints.py`, no downloads) and each batch size, the REAL runner (`run_evaluation`) runs the
REAL adapter on the bundled demo clips in bf16 on cuda. The adapter's `model.generate` is wrapped
only to time it (with a device synchronisation on both sides) and to keep its inputs; afterwards the
same inputs are replayed in a bare `model.generate` loop: the baseline, in the same process.

    harness overhead = generation wall of the run / bare generate loop on the same inputs - 1   (goal <= 3 %)

Also written: per-clip latency, GPU utilisation over the generation phase (NVML, sampled every
50 ms), and how throughput scales with the batch size. By default the first family at batch 4
first compares where clips are prepared (`--variants threads,processes`: the runner's prefetch
threads, or the adapter's prepare-pool children, its default beside a GPU), interleaved; the one
with the least median overhead then runs every family and batch size. Where no GPU is present, `--scale tiny
--device cpu` checks the script itself in seconds (its figures mean nothing).

    python3 benchmarks/bench_gpu_path.py                                  # on a GPU machine
    python3 benchmarks/bench_gpu_path.py --scale tiny --device cpu --dtype float32 --batch-sizes 1,2
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_e2e_overlap import TASK_NAME, Timing, write_task  # noqa: E402
from gpu_checkpoints import BUILDERS  # noqa: E402
from gpu_report import Row, table as _table, medians as _medians  # noqa: E402
from gpu_sampler import GpuSampler  # noqa: E402
from machine_info import cpu_model  # noqa: E402

from emer_bench.registries import ADAPTERS  # noqa: E402
from emer_bench.runner.evaluate import RunConfig, build_adapter, run_evaluation  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "gpu_path.md"


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


@dataclass
class GenerateLog:
    """What the wrapped `model.generate` saw: its inputs (kept for the replay) and its time."""

    device: str = "cpu"
    seconds: float = 0.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    call_s: list[float] = field(default_factory=list)  # each call's time, paired with its replay's
    model: Any = None


# checkpoint folder -> the model built in memory for it (gpu_checkpoints writes no weights).
BUILT: dict[str, Any] = {}
ATTENTION: dict[str, str] = {}  # family -> attention implementation the built model runs


def timed_adapter(base: type) -> type:
    """A subclass of the real adapter whose loaded model's `generate` is timed and recorded.

    Its `load_model` hands over the model built in memory for that folder (the adapter reads the
    folder's config and processor as usual); loading is outside the measured generation phase.
    """

    class Timed(base):  # type: ignore[misc, valid-type]
        name: ClassVar[str] = f"bench-gpu-{base.name}"
        log: ClassVar[GenerateLog] = GenerateLog()

        @classmethod
        def preprocess_class(cls) -> type:
            return base  # what a prepare-pool child builds: this class lives in a function

        def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
            built = BUILT.get(str(Path(path).resolve()))
            model = built if built is not None else super().load_model(path, load_kwargs)
            # The class's own generate: the same model serves several adapters (one per batch size
            # and variant, each reused by several runs): the run's log is looked up at each call.
            real_generate = type(model).generate.__get__(model)

            def generate(**kwargs: Any) -> Any:
                log = Timed.log
                log.model = model
                _sync(log.device)
                started = time.perf_counter()
                out = real_generate(**kwargs)
                _sync(log.device)
                log.call_s.append(time.perf_counter() - started)
                log.seconds += log.call_s[-1]
                log.calls.append(kwargs)
                return out

            model.generate = generate
            return model

    return Timed


def bare_loop(log: GenerateLog) -> tuple[float, list[float]]:
    """The baseline: the same `generate` calls on the same prepared inputs, back to back; its wall
    and each call's time (synchronised on both sides, as the run's wrapper does)."""
    import torch

    real_generate = type(log.model).generate.__get__(log.model)
    # As the runner does while answering (generate_task): what is alive is frozen, so that the
    # run and its replay pay the same for the full collections a long decoding loop sets off
    # (an A/B on the CPU showed no difference; on a GPU host the heap is larger).
    gc.collect()
    gc.freeze()
    try:
        _sync(log.device)
        started, call_s = time.perf_counter(), []
        with torch.inference_mode():
            for kwargs in log.calls:
                call_started = time.perf_counter()
                real_generate(**kwargs)
                _sync(log.device)
                call_s.append(time.perf_counter() - call_started)
        return time.perf_counter() - started, call_s
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class Variant:
    """Host-side settings around one measured run (and its replay): what the sweep compares.

    threads: torch's CPU thread pool (the processors' resize/normalise ops run on it from the
    prefetch threads; a pool as wide as the machine competes with the thread that launches the
    GPU kernels). switch: CPython's GIL switch interval (default 5 ms: how long the launching
    thread may wait for the GIL while a prefetch thread runs Python). workers: prefetch threads.
    processes: the adapter's `prepare_processes` (children that decode and run the processor;
    None: its default, 2 beside a GPU; 0: the prefetch threads do it).
    """

    name: str
    threads: int | None = None
    switch_s: float | None = None
    workers: int | None = None
    processes: int | None = None

    @contextlib.contextmanager
    def applied(self) -> Iterator[None]:
        import torch

        threads, switch = torch.get_num_threads(), sys.getswitchinterval()
        if self.threads:
            torch.set_num_threads(self.threads)
        if self.switch_s:
            sys.setswitchinterval(self.switch_s)
        try:
            yield
        finally:
            torch.set_num_threads(threads)
            sys.setswitchinterval(switch)


VARIANTS = {v.name: v for v in (
    Variant("default"), Variant("threads1", threads=1), Variant("threads4", threads=4),
    Variant("switch0.5ms", switch_s=0.0005), Variant("threads1+switch0.5ms", threads=1, switch_s=0.0005),
    Variant("serial", workers=0), Variant("threads", processes=0), Variant("processes", processes=2))}

# (adapter, batch, variant) -> the adapter built once and reused by its warm-up and measured runs:
# its prepare-pool children start once, as in a real run, where they start while the weights load
# (here the weights are already in memory, so their start would otherwise fall in the measured phase).
BUILT_ADAPTERS: dict[tuple[str, int, str], Any] = {}


def adapter_for(config: RunConfig, key: tuple[str, int, str]) -> Any:
    if key not in BUILT_ADAPTERS:
        adapter = BUILT_ADAPTERS[key] = build_adapter(config)
        adapter.ensure_loaded()  # the model (here: already in memory) and the prepare-pool children
        if adapter.prepare_pool is not None:
            adapter.prepare_pool.wait_ready()
    return BUILT_ADAPTERS[key]


def close_adapters() -> None:
    for adapter in BUILT_ADAPTERS.values():
        adapter.close()
    BUILT_ADAPTERS.clear()


def run_one(adapter: type, checkpoint: Path, task_dir: Path, batch: int, args: argparse.Namespace,
            replay: bool = True, variant: Variant = VARIANTS["default"]) -> Row:
    with variant.applied():
        return _run_one(adapter, checkpoint, task_dir, batch, args, replay, variant)


def _run_one(adapter: type, checkpoint: Path, task_dir: Path, batch: int, args: argparse.Namespace,
             replay: bool, variant: Variant) -> Row:
    workers = args.prefetch_workers if variant.workers is None else variant.workers
    log = adapter.log = GenerateLog(device=args.device)
    timing = Timing()
    model_args = {"pretrained": str(checkpoint), "device": args.device, "dtype": args.dtype, "batch_size": batch,
                  "max_new_tokens": args.max_new_tokens, "num_frames": args.num_frames}
    if variant.processes is not None:
        model_args["prepare_processes"] = variant.processes
    with tempfile.TemporaryDirectory(prefix="gpu-path-out-") as out, GpuSampler() as sampler:
        config = RunConfig(model=adapter.name, tasks=[TASK_NAME], include_paths=[task_dir], output_dir=Path(out),
                           model_args=model_args, n_resamples=0, prefetch_workers=workers)
        built = adapter_for(config, (adapter.name, batch, variant.name))
        results, _ = run_evaluation(config, progress_factory=timing.factory, adapter=built)
        errors = [line for f in Path(out).rglob("*.jsonl") for line in f.read_text().splitlines()
                  if '"error": "' in line or '"error":"' in line]
    if timing.failed:
        print("\n".join(errors[:2])[:4000], file=sys.stderr)
        raise SystemExit(f"{timing.failed} samples failed in the {adapter.name} run (batch {batch})")
    util = sampler.mean_between(timing.started_at, timing.ended_at)
    bare, replay_s = bare_loop(log) if replay else (float("nan"), [])
    slowdown = statistics.median(r / b for r, b in zip(log.call_s, replay_s)) - 1 if replay_s else float("nan")
    pool = built.prepare_pool
    where = "children" if pool is not None and pool.broken is None else "threads"
    if pool is not None and pool.broken is not None:  # e.g. no room in /dev/shm: said, not hidden
        print(f"prepare pool fell back to threads: {pool.broken}", file=sys.stderr, flush=True)
    row = Row(adapter.name.removeprefix("bench-gpu-"), batch, f"{variant.name} ({where})",
              results["results"][TASK_NAME]["n_total"],
              timing.seconds, log.seconds, bare, util, slowdown)
    log.model = None
    log.calls.clear()
    log.call_s.clear()
    return row


def sweep(adapter: type, ckpt: Path, task_dir: Path, args: argparse.Namespace, save: Any,
          rows: list[Row]) -> Variant:
    """Each variant `--sweep-reps` times, interleaved (drift in the host's speed hits all alike);
    returns the one with the least median overhead."""
    for _ in range(args.sweep_reps):
        for name in args.variants:
            rows.append(run_one(adapter, ckpt, task_dir, args.sweep_batch, args, variant=VARIANTS[name]))
            print(rows[-1], flush=True)
            save()
    medians = {name: statistics.median(r.overhead for r in rows if r.variant.split(" (")[0] == name)
               for name in args.variants}
    print("median overhead per variant:", medians, flush=True)
    return VARIANTS[min(medians, key=lambda name: medians[name])]


def _version(package: str) -> str:
    import importlib

    return str(getattr(importlib.import_module(package), "__version__", "?"))


def report(rows: list[Row], args: argparse.Namespace, device_name: str, load: float,
           sweep_rows: list[Row] | None = None) -> str:
    lines = [
        "# The GPU path: harness overhead around `model.generate`", "",
        f"- device: {device_name}; host CPU {cpu_model()}, {os.cpu_count()} cores, load {load:.1f}; "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- checkpoints: {args.scale} random-weight {', '.join(args.families)} ({args.dtype}), demo clips x "
        f"{args.copies}, {args.num_frames} frames, max_new_tokens={args.max_new_tokens}, greedy",
        f"- torch {_version('torch')}, transformers {_version('transformers')}; attention: "
        f"{', '.join(f'{k} {v}' for k, v in ATTENTION.items())}",
        "- overhead = generation wall of `run_evaluation` / bare `model.generate` loop on the same inputs - 1",
        "- per-call slowdown = median over the calls of (the call's time in the run / the same call replayed) - 1: "
        "what the host's other work costs inside `generate`; outside s = generation wall - time in `generate`: "
        "the harness's own serial work (collation, copies to the device, decoding, records)",
        "- one adapter per family, batch size and variant, reused by its warm-up and measured runs (its "
        "prepare-pool children start once, before the clock: in a real run they start while the weights load)",
        f"- command: `python3 benchmarks/bench_gpu_path.py {' '.join(sys.argv[1:])}`", "",
    ]
    if sweep_rows:
        lines += [f"## Sweep of host settings (batch {args.sweep_batch}, interleaved)", "", *_table(sweep_rows), "",
                  "## Every family and batch size (the sweep's best variant)", ""]
    lines += _medians(rows) + ["", "Each run:", ""] + _table(rows)
    return "\n".join(lines) + "\n"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("full", "tiny"), default="full")
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--families", type=lambda s: s.split(","), default=["qwen2_5_vl", "qwen2_5_omni"])
    parser.add_argument("--batch-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4, 8])
    parser.add_argument("--copies", type=int, default=2, help="times the 10 demo clips are listed")
    parser.add_argument("--num-frames", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--prefetch-workers", type=int, default=2)
    parser.add_argument("--variants", type=lambda s: s.split(","), default=["threads", "processes"],
                        help=f"host settings compared at --sweep-batch on the first family, each --sweep-reps "
                             f"times; the one with the least median overhead then runs every family and batch "
                             f"size. Known: {', '.join(VARIANTS)}")
    parser.add_argument("--reps", type=int, default=2, help="measured runs per family and batch size")
    parser.add_argument("--sweep-batch", type=int, default=4)
    parser.add_argument("--sweep-reps", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "emer-gpu-path")
    parser.add_argument("--out", type=Path, default=None, help="default: $OUT/gpu_path.md or benchmarks/results/")
    return parser.parse_args()


def main() -> int:
    import torch

    args = parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("bench_gpu_path: no CUDA device here; skipped (see BENCHMARKS.md, 'The GPU path')")
        return 0
    out = args.out or (Path(os.environ["OUT"]) / "gpu_path.md" if os.environ.get("OUT") else RESULTS)
    device_name = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else f"CPU ({cpu_model()})"
    dtype = getattr(torch, args.dtype)
    load, rows, sweep_rows = os.getloadavg()[0], [], []
    best: Variant | None = None if len(args.variants) > 1 else VARIANTS[args.variants[0]]

    def write(sweep_rows: list[Row], rows: list[Row]) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report(rows, args, device_name, load, sweep_rows))

    with tempfile.TemporaryDirectory(prefix="gpu-path-task-") as tmp:
        task_dir, warm_dir = Path(tmp) / "measured", Path(tmp) / "warm-up"  # siblings: tasks are found recursively
        task_dir.mkdir()
        warm_dir.mkdir()
        write_task(task_dir, args.copies)
        write_task(warm_dir, 1)  # the 10 demo clips once: enough for the largest batch
        for family in args.families:
            ckpt = args.workdir / family
            started = time.perf_counter()
            model = BUILDERS[family](ckpt, args.device, dtype, full=args.scale == "full")
            BUILT[str(ckpt.resolve())] = model
            ATTENTION[family] = str(model.config._attn_implementation)
            torch.cuda.empty_cache() if args.device.startswith("cuda") else None
            print(f"built {family} in {time.perf_counter() - started:.0f} s", flush=True)
            adapter = timed_adapter(ADAPTERS.get(family))
            ADAPTERS.add(adapter.name, adapter, origin="runtime", replace=True)
            # Warm-up (discarded), at EVERY batch size, largest first: CUDA context, cuBLAS
            # handles, kernel choices per shape and the caching allocator's pool, which the first
            # measured run of a new batch size would otherwise pay and its replay would not (the
            # first H200 run showed +85-140% on the first batch-4 run, ~20-35% on the next ones).
            # Each with the adapter its measured runs reuse (one per batch size and variant), so
            # that a prepare-pool child's first clip (codec and processor first use) is not timed.
            warm = [best] if best is not None else [VARIANTS[name] for name in args.variants]
            batches = set(args.batch_sizes) | ({args.sweep_batch} if best is None else set())
            for batch in sorted(batches, reverse=True):
                for variant in warm:
                    run_one(adapter, ckpt, warm_dir, batch, args, replay=False, variant=variant)
            if best is None:
                best = sweep(adapter, ckpt, task_dir, args, lambda: write(sweep_rows, rows), sweep_rows)
            for _ in range(args.reps):  # repeated, interleaved: the host's speed drifts
                for batch in args.batch_sizes:
                    rows.append(run_one(adapter, ckpt, task_dir, batch, args, variant=best))
                    print(rows[-1], flush=True)
                    write(sweep_rows, rows)  # partial figures survive a time-out
            close_adapters()
            BUILT.clear()
            shutil.rmtree(ckpt, ignore_errors=True)
            torch.cuda.empty_cache() if args.device.startswith("cuda") else None
    print(report(rows, args, device_name, load, sweep_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where should clips be prepared when the model keeps the host busy? (threads, child processes, serial)

On a GPU, transformers' eager `generate` is bound by the host: each decoding step is hundreds of
small kernel launches, each a Python call into torch that drops and retakes the GIL
(benchmarks/results/gpu_path.md: 17-34 % GPU use on an H200). This benchmark makes that regime on a
CPU: the REAL runner runs the REAL `qwen2_5_vl` adapter (tiny checkpoint, the Qwen video processor,
8 frames of each demo clip) and only `model.generate` is replaced by a fixed number of tiny torch
ops on one thread (each drops and retakes the GIL, as a kernel launch does). That stand-in lives in
this file only. Three ways to prepare the next clips (decode + chat template + processor):

- serial: `prefetch_workers=0`: between `generate` calls (the model waits);
- threads: the runner's prefetch threads (`prepare_processes=0`, `--workers` threads);
- processes: the adapter's prepare-pool children (`prepare_processes=--processes`).

    overhead = generation wall / (generate calls x the same ops timed alone) - 1
    in-generate slowdown = time inside `generate` / (calls x alone) - 1   (what other threads cost it)

Interleaved repetitions, medians. Children also take CPU from the launching thread where the cores
are few (a GPU host has cores to spare): on a 2-core machine, compare one thread with one child
(`--workers 1 --processes 1`), so that the launching thread and the preparation each have a core.

    python3 benchmarks/bench_host_bound.py [--ops 20000] [--copies 3] [--reps 3] [--workers 1 --processes 1]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "model_adapters"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_e2e_overlap import TASK_NAME, Timing, write_task  # noqa: E402
from machine_info import cpu_model  # noqa: E402
from tiny_video_models import build_tiny_qwen2_5_vl  # noqa: E402

from emer_bench.model_adapters.qwen_vl import Qwen25VLAdapter  # noqa: E402
from emer_bench.registries import ADAPTERS  # noqa: E402
from emer_bench.runner.evaluate import RunConfig, build_adapter, run_evaluation  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "host_bound.md"

def modes(args: argparse.Namespace) -> dict[str, tuple[int, int]]:
    """mode -> (prefetch threads, prepare processes)."""
    return {"serial": (0, 0), f"threads ({args.workers})": (args.workers, 0),
            f"processes ({args.processes})": (max(1, args.workers), args.processes)}


# --pin: the model's thread (the main thread: it runs the runner and "launches") alone on one
# core, every other thread and the children on the others, so that the threads and processes rows
# differ by the GIL only, not by cores taken from the launching thread (a GPU host has cores to
# spare; this machine may have two).
PINNED: tuple[set[int], set[int]] | None = None  # (the main thread's cores, everything else's)


def pin(args: argparse.Namespace) -> None:
    global PINNED
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        raise SystemExit("--pin needs two cores or more")
    PINNED = {cores[0]}, set(cores[1:])
    run = threading.Thread.run

    def pinned_run(self: threading.Thread) -> None:
        os.sched_setaffinity(0, PINNED[1] if PINNED else set(cores))  # 0: this thread (Linux)
        run(self)

    threading.Thread.run = pinned_run  # type: ignore[method-assign]
    os.sched_setaffinity(0, PINNED[0])


@contextlib.contextmanager
def children_elsewhere() -> Iterator[None]:
    """Children spawned inside inherit the other cores (spawned by the main thread)."""
    if PINNED is None:
        yield
        return
    os.sched_setaffinity(0, PINNED[1])
    try:
        yield
    finally:
        os.sched_setaffinity(0, PINNED[0])


def launches(n: int) -> Any:
    """n tiny torch ops on one thread: the host-side shape of a decoding step on a GPU."""
    import torch

    x = torch.ones(16)
    for _ in range(n):
        x = x * 1.0001 + 0.0
    return x


class HostBoundQwen25VL(Qwen25VLAdapter):
    """Benchmark stand-in: the real qwen2_5_vl adapter, `model.generate` replaced by `ops` launches."""

    name: ClassVar[str] = "bench-qwen2_5_vl-host-bound"
    ops: ClassVar[int] = 20000
    in_generate_s: ClassVar[float] = 0.0
    calls: ClassVar[int] = 0  # generate calls (one per batch): each costs `ops` launches, whatever its size

    @classmethod
    def preprocess_class(cls) -> type:
        return Qwen25VLAdapter  # the children run the real adapter's preprocessing

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        import torch

        model = super().load_model(path, load_kwargs)
        answer = self.tokenizer.encode("happy", add_special_tokens=False)

        def host_bound_generate(input_ids: Any = None, **_: Any) -> Any:
            started = time.perf_counter()
            launches(self.ops)
            HostBoundQwen25VL.in_generate_s += time.perf_counter() - started
            HostBoundQwen25VL.calls += 1
            return torch.cat([input_ids, torch.tensor([answer] * input_ids.shape[0], dtype=input_ids.dtype)], 1)

        model.generate = host_bound_generate
        return model


def alone_s(repeats: int = 5) -> float:
    """The same launches timed alone: the baseline. Under `inference_mode`, as the adapter runs
    `generate` (without it each op also pays autograd's dispatch: 5-8 % more here, which made
    the run look faster than its own baseline in the figures before 2026-11-27 18:20)."""
    import torch

    best = float("inf")
    with torch.inference_mode():
        for _ in range(repeats):
            started = time.perf_counter()
            launches(HostBoundQwen25VL.ops)
            best = min(best, time.perf_counter() - started)
    return best


def run_once(adapter: Any, config: RunConfig) -> tuple[float, float, int]:
    HostBoundQwen25VL.in_generate_s = 0.0
    HostBoundQwen25VL.calls = 0
    timing = Timing()
    results, _ = run_evaluation(config, progress_factory=timing.factory, adapter=adapter)
    if timing.failed:
        raise SystemExit(f"{timing.failed} benchmark samples failed")
    return timing.seconds, HostBoundQwen25VL.in_generate_s, HostBoundQwen25VL.calls


def measure(args: argparse.Namespace, checkpoint: Path, task_dir: Path, out: Path) -> dict[str, list[tuple[float, float]]]:
    adapters, configs = {}, {}
    for mode, (workers, processes) in modes(args).items():
        configs[mode] = RunConfig(
            model=HostBoundQwen25VL.name, tasks=[TASK_NAME], include_paths=[task_dir], output_dir=out / mode.split()[0],
            model_args={"pretrained": str(checkpoint), "device": "cpu", "batch_size": args.batch, "max_new_tokens": 4,
                        "prepare_processes": processes}, n_resamples=0, prefetch_workers=workers)
        adapters[mode] = build_adapter(configs[mode])  # children start once, as beside a loading model
        with children_elsewhere():
            adapters[mode].ensure_loaded()
        if adapters[mode].prepare_pool is not None:
            adapters[mode].prepare_pool.wait_ready()
        run_once(adapters[mode], configs[mode])  # warm-up
    rows: dict[str, list[tuple[float, float]]] = {mode: [] for mode in adapters}
    try:
        for _ in range(args.reps):
            for mode in adapters:
                for folder in (out / mode.split()[0]).glob("*"):  # every rep answers again (no resume)
                    _remove(folder)
                base = alone_s()
                wall, in_generate, calls = run_once(adapters[mode], configs[mode])
                rows[mode].append((wall / (calls * base) - 1, in_generate / (calls * base) - 1))
                print(mode, f"alone {1000 * base:.1f} ms", f"overhead {100 * rows[mode][-1][0]:.1f}%",
                      f"in-generate {100 * rows[mode][-1][1]:.1f}%", flush=True)
    finally:
        for adapter in adapters.values():
            adapter.close()
    return rows


def parent_cpu(args: argparse.Namespace, checkpoint: Path, reps: int = 2) -> dict[str, list[float]]:
    """CPU of THIS process per clip prepared (the thread that launches the kernels shares it), with no
    model at all: the figure that carries over to a GPU host, whatever its core count."""
    import resource

    from hf_test_utils import demo_request

    from emer_bench.api.requests import Modality
    from emer_bench.media.prefetch import media_info, prefetch, prepare_request
    from emer_bench.model_adapters.qwen_vl import QwenVLArgs

    clips = sorted((ROOT / "tasks" / "emer_demo" / "clips").glob("*.mp4"))
    requests = [demo_request(clips[i % len(clips)], i, "I got the job!", (Modality.VIDEO, Modality.SUBTITLE))
                for i in range(10 * args.copies)]
    out: dict[str, list[float]] = {"threads": [], "processes": []}
    for _ in range(reps):
        for mode, processes in (("threads", 0), ("processes", args.processes)):
            adapter = Qwen25VLAdapter(QwenVLArgs(pretrained=str(checkpoint), device="cpu", prepare_processes=processes))
            with children_elsewhere():
                adapter.ensure_loaded()

            def prepare(request: Any, adapter: Any = adapter) -> Any:
                prepared = prepare_request(request, adapter.active_modalities, adapter.media_input, adapter.media_options)
                return adapter.preprocess(prepared), media_info(request, prepared)

            pool = adapter.prepare_pool
            if pool is not None:
                pool.wait_ready()
            usage = resource.getrusage(resource.RUSAGE_SELF)
            results = list(pool.stream(requests, adapter.active_modalities, adapter.media_input, adapter.media_options,
                                       8, prepare) if pool is not None else prefetch(requests, prepare, args.workers))
            after = resource.getrusage(resource.RUSAGE_SELF)
            adapter.close()
            if any(r.error is not None for r in results):
                raise SystemExit(f"{mode}: a clip failed to prepare")
            cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
            out[mode].append(cpu / len(requests))
    return out


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def report(rows: dict[str, list[tuple[float, float]]], args: argparse.Namespace, clips: int, load: float) -> str:
    lines = [
        "# Preparing clips beside a host-bound model: serial, threads, child processes", "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, load average {load:.1f} before; "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- real runner + real `qwen2_5_vl` preprocessing (tiny checkpoint), {clips} demo clips, 8 frames, batch {args.batch}; "
        f"`generate` = {args.ops} tiny torch ops per call on one thread (torch.set_num_threads(1))"
        + ("; --pin: the main thread (runner + launches) alone on one core, other threads and children on the "
           "other" if args.pin else ""),
        f"- medians of {args.reps} interleaved runs; command: `python3 benchmarks/bench_host_bound.py "
        f"{' '.join(sys.argv[1:])}`", "",
        "| preparation | overhead (median) | range | in-generate slowdown (median) | range |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for mode, values in rows.items():
        over, inside = [v[0] for v in values], [v[1] for v in values]
        lines.append(f"| {mode} | {100 * statistics.median(over):.1f}% | {100 * min(over):.1f} to "
                     f"{100 * max(over):.1f}% | {100 * statistics.median(inside):.1f}% | "
                     f"{100 * min(inside):.1f} to {100 * max(inside):.1f}% |")
    return "\n".join(lines) + "\n"


def report_cpu(cpu: dict[str, list[float]], args: argparse.Namespace) -> str:
    lines = ["", "## CPU of the model's process per clip prepared (no model; the launching thread shares it)", "",
             "| preparation | ms per clip (runs) |", "| --- | --- |"]
    for mode, values in cpu.items():
        count = args.workers if mode == "threads" else args.processes
        lines.append(f"| {mode} ({count}) | {', '.join(f'{1000 * v:.1f}' for v in values)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    import torch

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=20000, help="torch ops per generate call (~100 ms here)")
    parser.add_argument("--copies", type=int, default=3, help="times the 10 demo clips are listed")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1,
                        help="clips per generate call (host-bound: a call costs --ops launches whatever its size)")
    parser.add_argument("--workers", type=int, default=2, help="prefetch threads of the threads mode")
    parser.add_argument("--processes", type=int, default=2, help="children of the processes mode")
    parser.add_argument("--pin", action="store_true",
                        help="the main thread alone on one core, other threads and children on the others (Linux)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)  # one launching thread, as beside a GPU
    if args.pin:
        pin(args)
    HostBoundQwen25VL.ops = args.ops
    ADAPTERS.add(HostBoundQwen25VL.name, HostBoundQwen25VL, origin="runtime", replace=True)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="host-bound-") as tmp:
        root = Path(tmp)
        checkpoint = build_tiny_qwen2_5_vl(root / "ckpt").path
        task_dir = root / "task"
        task_dir.mkdir()
        clips = write_task(task_dir, args.copies)
        rows = measure(args, checkpoint, task_dir, root / "out")
        cpu = parent_cpu(args, checkpoint)
    text = report(rows, args, clips, load) + report_cpu(cpu, args)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

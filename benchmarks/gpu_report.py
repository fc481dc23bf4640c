"""The GPU benchmark's rows and their tables (benchmarks/bench_gpu_path.py writes the report)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Row:
    family: str
    batch: int
    variant: str
    clips: int
    generation_s: float
    in_generate_s: float
    bare_s: float
    gpu_util: float | None
    # median over the calls of (time in the run / the same call replayed) - 1: the slowdown inside
    # `generate` (what shares the host with it), robust to one slow call; the rest of the overhead
    # is the harness's own time outside `generate` (generation_s - in_generate_s).
    call_slowdown: float = float("nan")

    @property
    def overhead(self) -> float:
        return self.generation_s / self.bare_s - 1


def table(rows: list[Row]) -> list[str]:
    lines = ["| family | batch | variant | clips | generation s | in generate s | outside s | bare loop s | "
             "overhead | per-call slowdown | s per clip | clips/s | GPU util |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        util = "n/a" if r.gpu_util is None else f"{r.gpu_util:.0f}%"
        lines.append(f"| {r.family} | {r.batch} | {r.variant} | {r.clips} | {r.generation_s:.2f} | "
                     f"{r.in_generate_s:.2f} | {r.generation_s - r.in_generate_s:.2f} | {r.bare_s:.2f} | "
                     f"{100 * r.overhead:.1f}% | {100 * r.call_slowdown:.1f}% | "
                     f"{r.generation_s / r.clips:.3f} | {r.clips / r.generation_s:.2f} | {util} |")
    return lines


def medians(rows: list[Row]) -> list[str]:
    groups: dict[tuple[str, int, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.family, r.batch, r.variant), []).append(r)
    lines = ["| family | batch | variant | runs | median overhead | overhead range | median per-call slowdown | "
             "median outside s per clip | median s per clip | median bare s per clip | median GPU util |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (family, batch, variant), group in groups.items():
        over = [r.overhead for r in group]
        utils = [r.gpu_util for r in group if r.gpu_util is not None]
        util = f"{statistics.median(utils):.0f}%" if utils else "n/a"
        lines.append(f"| {family} | {batch} | {variant} | {len(group)} | {100 * statistics.median(over):.1f}% | "
                     f"{100 * min(over):.1f} to {100 * max(over):.1f}% | "
                     f"{100 * statistics.median(r.call_slowdown for r in group):.1f}% | "
                     f"{statistics.median((r.generation_s - r.in_generate_s) / r.clips for r in group):.4f} | "
                     f"{statistics.median(r.generation_s / r.clips for r in group):.3f} | "
                     f"{statistics.median(r.bare_s / r.clips for r in group):.3f} | {util} |")
    return lines

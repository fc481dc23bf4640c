"""Data-parallel runs (`accelerate launch -m emer_bench run ...`).

Each process answers a shard of the pending requests and appends to its own part file; after
a barrier the main process folds the parts into the task's samples file and scores. Files are
the gather channel, so a crash on any rank loses nothing and a resume picks the parts up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from emer_bench.runner.samples_file import SamplesWriter, read_samples

T = TypeVar("T")


@dataclass
class ProcessGroup:
    rank: int = 0
    world_size: int = 1
    _barrier: Callable[[], None] | None = None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world_size > 1 and self._barrier is not None:
            self._barrier()

    def shard(self, items: list[T]) -> list[T]:
        return items[self.rank :: self.world_size]


def detect_process_group() -> ProcessGroup:
    """Single process unless launched by `accelerate launch` / torchrun (WORLD_SIZE > 1).

    The group is only used for barriers, so it always uses gloo (works on CPU-only machines,
    where accelerate's own state falls back to one process); each rank's model places itself
    on its own device (LOCAL_RANK).
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return ProcessGroup()
    import torch.distributed as dist  # only imported for multi-process runs

    if not dist.is_initialized():
        dist.init_process_group(backend="gloo")

    def barrier() -> None:
        dist.barrier()

    return ProcessGroup(rank=dist.get_rank(), world_size=dist.get_world_size(), _barrier=barrier)


def part_path(samples_path: Path, rank: int) -> Path:
    return samples_path.with_name(f"{samples_path.stem}.rank{rank}{samples_path.suffix}")


def fold_parts(samples_path: Path) -> int:
    """Append every rank's part file to the samples file, then remove the parts. Returns records moved."""
    moved = 0
    parts = sorted(samples_path.parent.glob(f"{samples_path.stem}.rank*{samples_path.suffix}"))
    if not parts:
        return 0
    with SamplesWriter(samples_path) as writer:
        for part in parts:
            for record in read_samples(part).values():
                writer.append(record)
                moved += 1
    for part in parts:
        part.unlink()
    return moved

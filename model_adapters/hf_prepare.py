"""Where a transformers adapter prepares its clips: child processes beside an accelerator, the
runner's prefetch threads on the CPU (emer_bench/media/prepare_pool.py says why).

A model decoding on a GPU keeps the host thread that launches its kernels busy, so work on other
threads of the same process (frame decoding, the processor) slows every token; on the CPU the
model's own ops use every core, and starting child processes (torch + transformers imports,
seconds) would cost more than it saves. `prepare_processes` in `--model-args` overrides the choice.
Measured (benchmarks/results/host_bound.md): preparing a demo clip on threads costs the model's
process ~30 ms of CPU, in children ~3 ms (receiving the tensors through shared memory). A child
costs ~0.8 GB of host memory (torch, transformers, the processor), never GPU memory.
"""

from __future__ import annotations

import logging
import os
import pickle
from functools import partial
from typing import TYPE_CHECKING, Any

from emer_bench.media.prepare_pool import PreparePool, PrepareSpec
from .hf_loading import DEVICE_MAP_STRATEGIES, HFArgs, default_device

if TYPE_CHECKING:
    from .hf_common import HFAdapter

log = logging.getLogger(__name__)

AUTO_WORKERS = 2  # a clip every ~35 ms: more than a 7B model's batch of 8 takes (~0.3 s per clip on an H200)


def prepare_workers(args: HFArgs) -> int:
    """`prepare_processes` if given; else AUTO_WORKERS where the model runs on an accelerator and
    this process's share of the host's cores has one for each child beside two for itself; 0
    (threads) otherwise."""
    if args.prepare_processes is not None:
        return args.prepare_processes
    placement = args.device or args.device_map or default_device()
    if placement in DEVICE_MAP_STRATEGIES:  # accelerate places the weights: on a GPU when there is one
        placement = default_device()
    if placement in ("cpu", "meta") or cores_of_this_process() < AUTO_WORKERS + 2:
        return 0
    return AUTO_WORKERS


def cores_of_this_process() -> int:
    """This process's share of the host's cores: a data-parallel launch (torchrun / accelerate)
    runs LOCAL_WORLD_SIZE such processes side by side, each with its own children."""
    return max(1, (os.cpu_count() or 1) // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1)))


def start_prepare_pool(adapter: HFAdapter[Any]) -> PreparePool | None:
    """Child processes for this adapter's `preprocess`, started by its `load` before the weights
    load, so that their start overlaps it; None where the runner's threads prepare instead."""
    workers = prepare_workers(adapter.hf_args)
    if workers == 0 or not adapter.encodes_per_request:
        return None
    cls = adapter.preprocess_class()
    if cls is None:
        return None
    try:  # a child imports the class by module and name: a class made inside a function cannot be
        pickle.dumps(cls)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        log.warning("%s: clips are prepared on threads: a child process cannot import %s (%s)",
                    adapter.name, cls.__qualname__, exc)
        return None
    threads = max(1, min(4, cores_of_this_process() // (2 * workers)))  # torch threads per child
    return PreparePool(PrepareSpec(partial(for_preprocessing, cls), adapter.args, torch_threads=threads), workers)


def for_preprocessing(cls: type[HFAdapter[Any]], args: HFArgs) -> HFAdapter[Any]:
    """In a prepare-pool child: the adapter with its config, processor and tokenizer, never its weights."""
    adapter = cls(args)
    adapter.preprocess_only = True
    adapter.ensure_loaded()
    return adapter

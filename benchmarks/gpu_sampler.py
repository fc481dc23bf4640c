"""GPU utilisation sampled by NVML in a child process, for bench_gpu_path.py."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time


# The sampler runs in a child process: a sampling thread in the measured process would take the
# GIL 20 times a second from the thread that launches the GPU kernels, i.e. the benchmark itself
# would slow the run it measures (and not the replay, which runs without it).
_SAMPLER = """
import sys, time, pynvml
pynvml.nvmlInit()
handle = pynvml.nvmlDeviceGetHandleByIndex(0)
print("ready", flush=True)
while True:
    print(time.time(), pynvml.nvmlDeviceGetUtilizationRates(handle).gpu, flush=True)
    time.sleep(0.05)
"""


class GpuSampler:
    """GPU utilisation (%) sampled by NVML in a child process; None where NVML or a GPU is absent."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._child: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a long run never fills it

    def __enter__(self) -> "GpuSampler":
        child = subprocess.Popen([sys.executable, "-c", _SAMPLER], stdout=self._log, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while child.poll() is None and time.monotonic() < deadline:
            self._log.seek(0)
            if self._log.readline().strip() == "ready":
                self._child = child
                return self
            time.sleep(0.05)
        child.kill()  # no NVML (or no GPU): utilisation is reported as n/a
        child.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is not None:
            self._child.terminate()
            self._child.wait()
            self._log.seek(0)
            for line in self._log.read().splitlines()[1:]:
                stamp, _, util = line.partition(" ")
                with contextlib.suppress(ValueError):
                    self.samples.append((float(stamp), int(util)))
        self._log.close()

    def mean_between(self, start: float, end: float) -> float | None:
        inside = [u for t, u in self.samples if start <= t <= end]
        return sum(inside) / len(inside) if inside else None

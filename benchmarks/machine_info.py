"""Facts about the machine a benchmark ran on, for the figures it writes down."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line() -> str:
    """`<cpu>, <n> cores, load average <x>` for a results file."""
    return f"{cpu_model()}, {os.cpu_count()} cores, 1-min load average {os.getloadavg()[0]:.1f}"

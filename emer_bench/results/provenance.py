"""Where a result came from: versions, git commit, platform, time."""

from __future__ import annotations

import functools
import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path

from emer_bench import __version__
from emer_bench.redact import redact_argv
from emer_bench.results.schema import Provenance


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_commit() -> str | None:
    """The commit of the emer-bench checkout this code runs from (None for a wheel install)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@functools.cache
def _static_provenance() -> tuple[str | None, str | None, str | None, str]:
    """(git commit, torch, transformers, platform): looked up once per process, since a run
    stamps its results after every task and the git call and metadata scans cost ~10-30 ms each
    (on the path from the last answer to the exit)."""
    return git_commit(), _version("torch"), _version("transformers"), platform.platform()


def collect_provenance(start_time: str, duration_s: float) -> Provenance:
    commit, torch, transformers, platform_name = _static_provenance()
    return {
        "emer_bench_version": __version__,
        "git_commit": commit,
        "python": platform.python_version(),
        "torch": torch,
        "transformers": transformers,
        "platform": platform_name,
        "start_time": start_time,
        "duration_s": round(duration_s, 3),
        "command": redact_argv(list(sys.argv)),  # never a key given on the command line
    }

"""`accelerate launch -m emer_bench run` with 2 CPU processes: requests are sharded, records
gathered on the main process, and the scores equal a single-process run's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emer_bench.runner.samples_file import read_samples

pytestmark = pytest.mark.slow


def run_args(out: Path) -> list[str]:
    return ["run", "--model", "lexicon-baseline", "--tasks", "emer-demo", "--output-dir", str(out),
            "--n-resamples", "100", "--no-progress"]


def load(out: Path) -> dict:
    return json.loads(next(out.rglob("results_*.json")).read_text())


@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate CLI not installed")
def test_two_process_run_equals_single_process(tmp_path):
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    subprocess.run([sys.executable, "-m", "emer_bench", *run_args(single)], check=True, capture_output=True)
    # --multi_gpu selects accelerate's torchrun launcher; on a CPU-only machine the ranks use gloo.
    launch = subprocess.run(["accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
                             "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "emer_bench",
                             *run_args(parallel)], capture_output=True, text=True, timeout=600)
    assert launch.returncode == 0, launch.stderr[-3000:]
    assert len(list(parallel.rglob("results_*.json"))) == 1  # written by the main process only
    a, b = load(single)["results"]["emer-demo"], load(parallel)["results"]["emer-demo"]
    assert {k: v["value"] for k, v in a["metrics"].items()} == {k: v["value"] for k, v in b["metrics"].items()}
    assert {k: v.get("ci95") for k, v in a["metrics"].items()} == {k: v.get("ci95") for k, v in b["metrics"].items()}
    samples_dir = next(parallel.rglob("samples_*.jsonl")).parent
    assert not list(samples_dir.glob("*.rank*.jsonl"))  # parts folded into the samples file
    records = read_samples(samples_dir / b["config"]["samples_file"])
    assert len(records) == 10 and {r.rank for r in records.values()} == {0, 1}

"""runner/rescore.py: re-scoring a saved samples file says when it holds only some of the task's clips."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.rescore import rescore


def test_a_samples_file_with_some_of_the_tasks_clips_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    run_evaluation(RunConfig(model="lexicon-baseline", tasks=["emer-demo"], output_dir=tmp_path / "out", n_resamples=0))
    samples = next((tmp_path / "out").rglob("samples_emer-demo_*.jsonl"))
    part = tmp_path / "part.jsonl"
    part.write_text("".join(samples.read_text().splitlines(keepends=True)[:4]))
    with caplog.at_level(logging.WARNING, logger="emer_bench.runner.rescore"):
        results, _ = rescore(part, n_resamples=0)
    assert "part.jsonl: records for 4 of task emer-demo's 10 clips" in caplog.text
    assert results["results"]["emer-demo"]["n_total"] == 4  # scored over what is there, as said
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="emer_bench.runner.rescore"):
        rescore(samples, n_resamples=0)
    assert "records for" not in caplog.text  # the whole task: nothing to say

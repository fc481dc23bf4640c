"""`emer-bench ablate` as a user calls it: a set's failed samples are shown and set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

from emer_bench.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model_adapters"))
from openai_test_server import OpenAITestServer, Reply  # noqa: E402


def test_a_set_with_failed_samples_is_shown_and_exits_3(tmp_path: Path, capsys, demo_clips) -> None:
    with OpenAITestServer(default=Reply.ok("He looks happy.")) as server:
        server.plan(Reply.error(400, "the server refused this one"))  # the first set's first clip
        code = main(["ablate", "--model", "openai", "--model-args",
                     f"base_url={server.base_url},model=M,max_retries=0,concurrency=1",
                     "--tasks", "emer-demo", "--modalities", "subtitle", "--modalities", "video,subtitle",
                     "--output-dir", str(tmp_path), "--no-progress", "--n-resamples", "20", "--limit", "3"])
    out, err = capsys.readouterr()
    out, err = " ".join(out.split()), " ".join(err.split())
    assert code == 3
    assert "subtitle: emer-demo: 1 of 3 samples failed" in out and "HTTPError x1: HTTP 400" in out
    assert "incomplete: subtitle: emer-demo: 1 of 3 samples failed (33.3% > --max-failure-rate 0)" in err
    assert "video+subtitle: emer-demo" not in out + err  # the other set answered every clip
    assert list(tmp_path.glob("ablation_*.json"))  # the report is still written

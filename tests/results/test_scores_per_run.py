"""Each results file names its own, immutable per-sample scores: a resumed run (which fixes
earlier failures) writes new scores beside the old ones, and `compare` reads the right ones
and shows each side's failed counts, whole, at 80 columns."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.cli.main import main
from emer_bench.errors import DataError
from emer_bench.registries import ADAPTERS
from emer_bench.results.compare import compare_runs
from emer_bench.runner.evaluate import RunConfig, run_evaluation

sys.path.insert(0, str(Path(__file__).parents[1] / "runner"))
from run_support import text_demo_task  # noqa: E402


class FlakyStandIn(ModelAdapter):
    """Test stand-in: while `down`, every second request fails like an overloaded server."""

    name: ClassVar[str] = "test-flaky"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    down: ClassVar[bool] = True

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, error="HTTP 503: overloaded") if self.down and p.request.index % 2
                else Generation(index=p.request.index, text=f"I feel happy. {p.request.subtitle}") for p in batch]


@pytest.fixture()
def two_runs(tmp_path: Path) -> tuple[Path, Path]:
    ADAPTERS.add(FlakyStandIn.name, FlakyStandIn, origin="runtime", replace=True)
    config = RunConfig(model="test-flaky", tasks=["demo-text"], output_dir=tmp_path / "out", n_resamples=0,
                       include_paths=[text_demo_task(tmp_path / "tasks")])
    FlakyStandIn.down = True
    _, first = run_evaluation(config)
    FlakyStandIn.down = False
    try:
        _, second = run_evaluation(config)  # the same command: retries the 5 failures
    finally:
        FlakyStandIn.down = True
    assert first is not None and second is not None
    return first, second


def test_each_results_file_keeps_its_own_scores(two_runs: tuple[Path, Path]) -> None:
    first, second = two_runs
    cfg_1 = json.loads(first.read_text())["results"]["demo-text"]["config"]
    cfg_2 = json.loads(second.read_text())["results"]["demo-text"]["config"]
    assert cfg_1["samples_file"] == cfg_2["samples_file"]  # the same resumed samples file...
    assert cfg_1["scores_file"] != cfg_2["scores_file"]  # ...but each results file its own scores
    lines_1 = [json.loads(x) for x in (first.parent / cfg_1["scores_file"]).read_text().splitlines()]
    assert sum(line["failed"] for line in lines_1) == 5


def test_compare_uses_each_runs_scores_and_shows_failed_counts(two_runs: tuple[Path, Path], monkeypatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_runs
    (task,) = compare_runs(first, second, n_resamples=200)
    assert (task.n_failed_a, task.n_failed_b) == (5, 0)
    rouge = next(row for row in task.rows if row.name == "rouge_l.fscore")
    assert rouge.result.value_b > rouge.result.value_a  # not "no difference"
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["compare", str(first), str(second), "--n-resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "failed: A 5, B 0" in out and "…" not in out
    assert f"{rouge.result.value_b:.4f}" in out and str(first) in out
    assert main(["compare", str(first), str(second), "--n-resamples", "200", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["tasks"][0]["n_failed_a"], data["tasks"][0]["n_failed_b"]) == (5, 0)


def test_a_changed_scores_file_is_refused(two_runs: tuple[Path, Path]) -> None:
    first, second = two_runs
    cfg = json.loads(first.read_text())["results"]["demo-text"]["config"]
    scores = first.parent / cfg["scores_file"]
    scores.write_text(scores.read_text().replace('"failed": true', '"failed": false'))
    with pytest.raises(DataError, match="was changed after"):
        compare_runs(first, second, n_resamples=50)

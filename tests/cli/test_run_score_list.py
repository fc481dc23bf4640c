"""cli/run_cmd.py, cli/score_cmd.py and cli/list_cmd.py as a user calls them: `run` writes a results
file, `score` re-scores its samples to the same numbers, `list` shows the catalogs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emer_bench.cli.main import main
from emer_bench.model_adapters.catalog import BUILTIN_ADAPTERS
from emer_bench.scoring.catalog import BUILTIN_EXTRACTORS, BUILTIN_SCORERS


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    code = main(["run", "--model", "lexicon-baseline", "--tasks", "emer-demo", "--output-dir", str(out),
                 "--n-resamples", "20", "--no-progress", "--seed", "5"])
    assert code == 0
    return out


def results_of(folder: Path, pattern: str) -> dict:
    (path,) = list(folder.rglob(pattern))
    return json.loads(path.read_text())


def test_run_writes_results_samples_and_scores(demo_run: Path, capsys) -> None:
    results = results_of(demo_run, "results_2*.json")
    task = results["results"]["emer-demo"]
    assert task["n_total"] > 0 and task["config"]["main_metric"] in task["metrics"]
    model_dir = next(demo_run.iterdir())
    assert (model_dir / task["config"]["samples_file"]).is_file()
    assert (model_dir / task["config"]["scores_file"]).is_file()


def test_score_reproduces_the_run_metrics(demo_run: Path, capsys) -> None:
    run_results = results_of(demo_run, "results_2*.json")["results"]["emer-demo"]
    samples = next(demo_run.rglob("samples_emer-demo_*.jsonl"))
    output = demo_run / "rescored.json"
    assert main(["score", str(samples), "--n-resamples", "20", "--seed", "5", "--output", str(output)]) == 0
    rescored = json.loads(output.read_text())["results"]["emer-demo"]
    assert rescored["n_total"] == run_results["n_total"]
    for name, entry in run_results["metrics"].items():
        assert rescored["metrics"][name]["value"] == pytest.approx(entry["value"], nan_ok=True), name
        assert rescored["metrics"][name].get("ci95") == pytest.approx(entry.get("ci95"), nan_ok=True), name
    assert str(output) in " ".join(capsys.readouterr().out.split())


def test_score_of_a_missing_file_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["score", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "samples file not found" in err and len(err.strip().splitlines()) == 1


def test_score_of_samples_with_failures_exits_3_as_the_run_did(demo_run: Path, tmp_path: Path, capsys) -> None:
    lines = next(demo_run.rglob("samples_emer-demo_*.jsonl")).read_text().splitlines()
    failed = json.loads(lines[0]) | {"response": None, "error": "HTTPError: HTTP 500: overloaded",
                                     "error_kind": "HTTPError"}
    samples = tmp_path / "samples_emer-demo_0123456789ab.jsonl"
    samples.write_text("\n".join([json.dumps(failed), *lines[1:]]) + "\n")
    assert main(["score", str(samples), "--n-resamples", "0"]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "incomplete: emer-demo: 1 of 10 samples failed (10.0% > --max-failure-rate 0)" in err
    assert main(["score", str(samples), "--n-resamples", "0", "--max-failure-rate", "0.1"]) == 0
    assert main(["score", str(samples), "--max-failure-rate", "10"]) == 2


def test_score_of_a_results_file_names_its_samples_file(demo_run: Path, capsys) -> None:
    results = next(demo_run.rglob("results_2*.json"))
    samples = next(demo_run.rglob("samples_emer-demo_*.jsonl"))
    assert main(["score", str(results)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{results}: a results file, not a samples file; pass the samples file it names: {samples}" in err


@pytest.mark.parametrize(("what", "names"), [
    ("models", [e[0] for e in BUILTIN_ADAPTERS]),
    ("scorers", [e[0] for e in BUILTIN_SCORERS]),
    ("extractors", [e[0] for e in BUILTIN_EXTRACTORS]),
    ("tasks", ["emer-demo"]),
])
def test_list_shows_every_catalog_entry(what: str, names: list[str], capsys) -> None:
    assert main(["list", what]) == 0
    out = capsys.readouterr().out
    missing = [n for n in names if n not in out]
    assert not missing, missing

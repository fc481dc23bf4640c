"""`emer-bench score-text`: free-text predictions scored against a task's references with a
run's results contract (bundled demo task: no data folder, fast scorers)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from emer_bench.cli.main import main
from emer_bench.runner.samples_file import read_samples

DEMO = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "annotations.csv"


def _demo_rows() -> list[dict[str, str]]:
    with DEMO.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _score(capsys: pytest.CaptureFixture[str], tmp_path: Path, predictions: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["score-text", "--task", "emer-demo", "--predictions", str(predictions), "--scorers",
                 "rouge_l,bleu4", "--n-resamples", "50", "--output-dir", str(tmp_path / "out"), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _results(tmp_path: Path, model: str) -> dict:
    (path,) = (tmp_path / "out" / model).glob("results_*.json")
    return json.loads(path.read_text())


def test_reference_answers_score_like_a_run(capsys, tmp_path: Path) -> None:
    rows = _demo_rows()
    predictions = _write(tmp_path / "answers.csv", ["clip_id", "answer"],
                         [[row["name"], row["explanation"]] for row in rows])
    code, out, _ = _score(capsys, tmp_path, predictions, "--text-column", "answer", "--model-name", "refs")
    assert code == 0, out
    task = _results(tmp_path, "refs")["results"]["emer-demo"]
    assert task["n_total"] == 10 and task["n_failed"] == 0
    assert task["metrics"]["rouge_l.fscore"]["value"] == pytest.approx(1.0)  # each answer is its reference
    assert "ci95" in task["metrics"]["rouge_l.fscore"] and task["config"]["main_metric"] == "rouge_l.fscore"
    assert [s["scorer"] for s in task["config"]["scorers"]] == ["rouge_l", "bleu4"]  # bleu4: not in the task
    samples = read_samples(tmp_path / "out" / "refs" / task["config"]["samples_file"], strict=True)
    assert samples["demo_01"].response == rows[0]["explanation"]
    assert (tmp_path / "out" / "refs" / task["config"]["scores_file"]).is_file()


def test_missing_clips_are_failed_samples_and_the_exit_code_says_so(capsys, tmp_path: Path) -> None:
    rows = _demo_rows()
    predictions = _write(tmp_path / "half.csv", ["name", "prediction"],
                         [[row["name"], row["explanation"]] for row in rows[:5]])
    code, out, _ = _score(capsys, tmp_path, predictions)
    assert code == 3 and "MissingPrediction" in out
    task = _results(tmp_path, "half")["results"]["emer-demo"]
    assert task["n_failed"] == 5 and task["errors"] == {"MissingPrediction": 5}
    assert task["metrics"]["rouge_l.fscore"]["n_failed"] == 5


def test_a_blank_answer_is_a_failed_sample_as_an_empty_reply_is_in_a_run(capsys, tmp_path: Path) -> None:
    rows = _demo_rows()
    answers = [[row["name"], row["explanation"]] for row in rows]
    answers[1][1], answers[2][1] = "", "  "  # what a tool writes for the clips it failed on
    code, out, _ = _score(capsys, tmp_path, _write(tmp_path / "blank.csv", ["name", "prediction"], answers))
    assert code == 3 and "EmptyAnswer x2" in out
    task = _results(tmp_path, "blank")["results"]["emer-demo"]
    assert task["n_failed"] == 2 and task["errors"] == {"EmptyAnswer": 2}
    assert task["metrics"]["rouge_l.fscore"]["n_failed"] == 2
    samples = read_samples(tmp_path / "out" / "blank" / task["config"]["samples_file"], strict=True)
    assert samples["demo_02"].response is None and samples["demo_02"].error_kind == "EmptyAnswer"


@pytest.mark.parametrize("header, rows, message", [
    (["name", "prediction"], [["demo_01", "x"], ["nope", "y"]], "1 of 2 predictions match no reference clip"),
    (["name", "reply"], [["demo_01", "x"]], "needs a column 'prediction' or 'response'"),
    (["id", "prediction"], [["demo_01", "x"]], "missing an id column"),
])
def test_bad_predictions_are_one_line(capsys, tmp_path: Path, header: list[str], rows: list[list[str]],
                                      message: str) -> None:
    code, _, err = _score(capsys, tmp_path, _write(tmp_path / "p.csv", header, rows))
    assert code == 2 and message in " ".join(err.split()) and "Traceback" not in err


@pytest.mark.parametrize("rate", ["5", "-0.1"])
def test_a_failure_rate_outside_0_1_is_refused(capsys, tmp_path: Path, rate: str) -> None:
    predictions = _write(tmp_path / "p.csv", ["name", "prediction"], [["demo_01", "x"]])
    code, _, err = _score(capsys, tmp_path, predictions, "--max-failure-rate", rate)
    assert code == 2 and f"--max-failure-rate must be between 0 and 1, got {float(rate)}" in err


def test_unknown_scorer_is_a_clear_error(capsys, tmp_path: Path) -> None:
    predictions = _write(tmp_path / "p.csv", ["name", "prediction"], [["demo_01", "x"]])
    code = main(["score-text", "--task", "emer-demo", "--predictions", str(predictions), "--scorers", "rouge_k",
                 "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "rouge_k" in err and "rouge_l" in err  # did-you-mean

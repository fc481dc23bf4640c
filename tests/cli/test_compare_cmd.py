"""`emer-bench compare`: argument parsing, table and JSON output, errors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from emer_bench.cli import compare_cmd
from emer_bench.errors import ConfigError, DataError

sys.path.insert(0, str(Path(__file__).parents[1] / "results"))
from compare_fixtures import LABELS, answers_with_accuracy, categorical_lines, write_run  # noqa: E402

CLIPS = [f"sample_{i:05d}" for i in range(90)]
REFERENCES = [LABELS[i % 3] for i in range(90)]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="emer-bench")
    compare_cmd.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["compare", *argv])


@pytest.fixture()
def runs(tmp_path: Path) -> tuple[str, str]:
    a = write_run(tmp_path / "a", categorical_lines(CLIPS, REFERENCES, answers_with_accuracy(REFERENCES, 45)))
    b = write_run(tmp_path / "b", categorical_lines(CLIPS, REFERENCES, answers_with_accuracy(REFERENCES, 5)))
    return str(a), str(b)


def test_defaults_and_handler(runs: tuple[str, str]) -> None:
    args = parse(list(runs))
    assert args.handler is compare_cmd.run
    assert (args.n_resamples, args.seed, args.alpha, args.task, args.metric, args.json) == (1000, 1234, 0.05, None,
                                                                                          None, False)


def test_json_output(runs: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert compare_cmd.run(parse([*runs, "--metric", "cat.accuracy", "--n-resamples", "300", "--seed", "5",
                                  "--json"])) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_resamples"] == 300 and data["seed"] == 5
    (task,) = data["tasks"]
    assert task["task"] == "mer-test" and task["n_common"] == 90
    (row,) = task["metrics"]
    assert row["metric"] == "cat.accuracy"
    assert row["a"] == pytest.approx(0.5) and row["b"] == pytest.approx(85 / 90)
    assert row["diff"] == pytest.approx(85 / 90 - 0.5) and row["significant"] is True
    assert row["ci"][0] > 0 and row["p_value"] < 0.05


def test_table_output(runs: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert compare_cmd.run(parse([*runs, "--task", "mer-test", "--n-resamples", "100"])) == 0
    out = capsys.readouterr().out
    for text in ("cat.accuracy", "cat.macro_f1", "cat.weighted_f1", "mer-test: 90 common clips", "95% CI", "yes"):
        assert text in out


def test_errors(runs: tuple[str, str], tmp_path: Path) -> None:
    with pytest.raises(DataError, match="results file not found"):
        compare_cmd.run(parse([runs[0], str(tmp_path / "missing.json")]))
    with pytest.raises(ConfigError, match="--n-resamples must be positive"):
        compare_cmd.run(parse([*runs, "--n-resamples", "0"]))
    with pytest.raises(ConfigError, match="--alpha"):
        compare_cmd.run(parse([*runs, "--alpha", "1.5"]))


def test_help_has_examples() -> None:
    parser = argparse.ArgumentParser(prog="emer-bench")
    compare_cmd.add_parser(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["compare", "--help"])
    assert "emer-bench compare A.json B.json --task" in compare_cmd.EPILOG

"""`emer-bench leaderboard add|verify|build|plot` through the CLI: exit codes and what is printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emer_bench.cli.main import main


def test_add_verify_build_plot(tmp_path: Path, demo_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "leaderboard"
    assert main(["leaderboard", "add", str(demo_run), "--name", "Lexicon baseline", "--dir", str(board),
                 "--params", "0", "--hardware", "CPU"]) == 0
    assert (board / "submissions/lexicon-baseline/submission.json").is_file()
    assert main(["leaderboard", "verify", "--dir", str(board)]) == 0
    out = capsys.readouterr().out
    assert "1 submission(s), 1 task row(s) verified" in " ".join(out.split())
    assert main(["leaderboard", "build", "--dir", str(board), "--n-resamples", "100"]) == 0
    data = json.loads((board / "leaderboard.json").read_text())
    assert data["tasks"][0]["rows"][0]["name"] == "Lexicon baseline"
    assert main(["leaderboard", "plot", "--dir", str(board), "--format", "svg"]) == 0
    assert (board / "plots/emer-demo.svg").is_file() and not (board / "plots/emer-demo.png").exists()


def test_verify_lists_every_problem_and_fails(board: Path, private_task: tuple[Path, Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = board / "submissions/lexicon-baseline/results.json"
    data = json.loads(path.read_text())
    data["results"]["emer-demo"]["metrics"]["label_overlap.fscore"]["value"] = 0.5
    path.write_text(json.dumps(data))
    (board / "submissions/../submissions/Bad Name").mkdir()
    code = main(["leaderboard", "verify", "--dir", str(board), "--include-path", str(private_task[0]),
                 "--data-dir", str(private_task[1])])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "rejected: lexicon-baseline: task 'emer-demo': label_overlap.fscore claimed 0.5, recomputed" in out
    assert "rejected: 'Bad Name': not a safe submission folder name" in out
    assert "2 problem(s)" in out


def test_build_refuses_and_writes_nothing(board: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["leaderboard", "build", "--dir", str(board)])  # lb-private unknown without --include-path
    assert code == 1 and not (board / "leaderboard.json").exists()
    assert "nothing written" in capsys.readouterr().out


def test_add_with_unsafe_slug_is_one_line_error(tmp_path: Path, demo_run: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["leaderboard", "add", str(demo_run), "--name", "x", "--slug", "../../evil", "--dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "slug '../../evil' is not safe" in " ".join(err.split()) and "Traceback" not in err


@pytest.mark.parametrize("action", ["verify", "build"])
def test_a_mistyped_board_folder_is_one_line_not_an_empty_board(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 action: str) -> None:
    typo = tmp_path / "leaderbaord"
    assert main(["leaderboard", action, "--dir", str(typo)]) == 2
    assert f"--dir {typo}: no such folder" in " ".join(capsys.readouterr().err.split())
    assert not typo.exists()

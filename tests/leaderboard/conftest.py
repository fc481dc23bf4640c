"""Real runs for the leaderboard tests, made once per session through the CLI:

- `lexicon-baseline` on the bundled `emer-demo` (project-owned data: prompts/references public);
- a "hostile" model on emer-demo whose answers carry <script> / <img onerror> markup: the demo
  samples with the answers replaced, re-scored by `emer-bench score` (a stand-in model);
- `lexicon-baseline` on `lb-private`, a test task whose annotations live under --data-dir like
  licensed upstream data (written here from the demo's own annotations).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

import pytest

from emer_bench.api.scorer import ScoringContext
from emer_bench.cli import score_cmd
from emer_bench.cli.main import main
from emer_bench.leaderboard.submission import AddOptions, add_submission
from emer_bench.leaderboard.verify import VerifyOptions
from emer_bench.tasks.discovery import TaskIndex

DEMO_DIR = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"
HOSTILE_NAME = "<b>Evil</b> <script>window.__pwned=1</script>"
HOSTILE_ANSWERS = [
    "<script>window.__pwned = 1;</script> I feel happy and delighted.",
    "<img src=x onerror=\"window.__pwned=1\"> She is sad.",
]
PRIVATE_TASK = """
task: lb-private
version: "1"
dataset:
  files:
    - path: "{data_dir}/labels.csv"
      id_column: name
      columns: {subtitle: subtitle, explanation: explanation, openset: openset, label: label}
modalities: [subtitle]
prompt:
  template: "Subtitle: {subtitle}. What does the person feel, and why?"
reference: [explanation, openset, label]
scorers:
  - name: label_overlap
    args: {extractor: {name: lexicon}}
  - name: rouge_l
main_metric: label_overlap.fscore
"""


@pytest.fixture(scope="session")
def lb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lb")


@pytest.fixture(scope="session")
def private_task(lb_root: Path) -> tuple[Path, Path]:
    """(task folder, data folder) of `lb-private`."""
    task_dir, data_dir = lb_root / "private_task", lb_root / "private_data"
    task_dir.mkdir()
    data_dir.mkdir()
    (task_dir / "lb_private.yaml").write_text(PRIVATE_TASK, encoding="utf-8")
    with (DEMO_DIR / "annotations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (data_dir / "labels.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name", "subtitle", "explanation", "openset", "label"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in writer.fieldnames})
    return task_dir, data_dir


def _run(out: Path, task: str, *extra: str) -> Path:
    code = main(["run", "--model", "lexicon-baseline", "--tasks", task, "--output-dir", str(out),
                 "--n-resamples", "50", *extra])
    assert code == 0
    return out / "lexicon-baseline"


@pytest.fixture(scope="session")
def demo_run(lb_root: Path) -> Path:
    return _run(lb_root / "runs_demo", "emer-demo")


@pytest.fixture(scope="session")
def private_run(lb_root: Path, private_task: tuple[Path, Path]) -> Path:
    task_dir, data_dir = private_task
    return _run(lb_root / "runs_private", "lb-private", "--include-path", str(task_dir), "--data-dir", str(data_dir))


@pytest.fixture(scope="session")
def hostile_results(lb_root: Path, demo_run: Path) -> Path:
    folder = lb_root / "runs_hostile"
    folder.mkdir()
    source = next(demo_run.glob("samples_emer-demo_*.jsonl"))
    lines = [json.loads(x) for x in source.read_text(encoding="utf-8").splitlines() if x.strip()]
    for i, line in enumerate(lines):
        line["response"] = HOSTILE_ANSWERS[i % 2]
    samples = folder / "samples_emer-demo_hostile.jsonl"
    samples.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = folder / "results_hostile.json"
    args = argparse.Namespace(samples=str(samples), task=None, modalities=None, include_path=[], resources=None,
                              resource_version="mer2025", n_resamples=50, seed=1234, output=str(out))
    assert score_cmd.run(args) == 0
    return out


@pytest.fixture(scope="session")
def board_template(lb_root: Path, demo_run: Path, hostile_results: Path, private_run: Path,
                   private_task: tuple[Path, Path]) -> Path:
    board = lb_root / "board_template"
    index = TaskIndex(include_paths=[private_task[0]])
    add_submission(demo_run, board, AddOptions(name="Lexicon baseline", params="0"))
    add_submission(hostile_results, board, AddOptions(name=HOSTILE_NAME, slug="hostile",
                                                      notes="<img src=x onerror=alert(1)>"))
    add_submission(private_run, board, AddOptions(name="Lexicon baseline (private task)", slug="private"),
                   index=index)
    return board


@pytest.fixture()
def board(tmp_path: Path, board_template: Path) -> Path:
    """A fresh copy of the three-submission board, free to tamper with."""
    target = tmp_path / "leaderboard"
    shutil.copytree(board_template, target)
    return target


@pytest.fixture(scope="session")
def scoring_context() -> ScoringContext:
    """One context for every verification here, so the embedding model loads once."""
    return ScoringContext()


@pytest.fixture()
def options(private_task: tuple[Path, Path], scoring_context: ScoringContext) -> VerifyOptions:
    """Verification with the private task's data present."""
    return VerifyOptions(data_dir=private_task[1], include_paths=[private_task[0]], context=scoring_context)

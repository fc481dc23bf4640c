"""`compare` on results files written by the real scoring path (`emer-bench score`): a task over
the bundled demo annotations scored with label_overlap and the categorical / dimensional /
affective-space scorers, for two stand-in "models" whose answers are built from the references."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from emer_bench.api.records import SampleRecord
from emer_bench.cli import compare_cmd, score_cmd
from emer_bench.runner.samples_file import SamplesWriter
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.annotations import PathContext, load_documents

DEMO_DIR = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"
TASK_YAML = f"""
task: demo-stats
version: "1"
dataset:
  files:
    - path: "{DEMO_DIR / 'annotations.csv'}"
      id_column: name
      columns: {{subtitle: subtitle, openset: openset, label: label, valence: valence, arousal: arousal}}
media:
  dir: "{DEMO_DIR / 'clips'}"
  patterns: ["{{clip_id}}.mp4"]
modalities: [video]
prompt:
  template: "Recognise the emotion."
reference: [openset, label, valence, arousal]
scorers:
  - name: label_overlap
    args: {{extractor: {{name: lexicon}}}}
  - name: categorical
  - name: dimensional
  - name: va_consistency
  - name: affective_space
main_metric: categorical.accuracy
"""


def load_task(task_dir: Path):  # type: ignore[no-untyped-def]
    return TaskIndex(include_paths=[task_dir]).load("demo-stats")


def write_samples(path: Path, task_dir: Path, answers: list[str | None]) -> None:
    task = load_task(task_dir)
    docs = load_documents(task, PathContext())
    with SamplesWriter(path) as writer:
        for index, (doc, answer) in enumerate(zip(docs, answers)):
            writer.append(SampleRecord(
                task=task.name, clip_id=doc.clip_id, index=index, prompt="p", reference=doc.reference,
                response=answer, error=None if answer is not None else "ModelError: stand-in failure",
                latency_s=0.0, completed_at="2026-01-01T00:00:00+00:00"))


def score(samples: Path, task_dir: Path) -> Path:
    out = samples.with_name("results_test.json")
    args = argparse.Namespace(samples=str(samples), task="demo-stats", modalities=None, include_path=[str(task_dir)], resources=None,
                              resource_version="mer2025", n_resamples=50, seed=1234, output=str(out),
                              max_failure_rate=1.0)  # the poor run's failures are the point here; exit 0
    assert score_cmd.run(args) == 0
    return out


def test_compare_results_written_by_the_scoring_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task_dir = tmp_path / "tasks"
    task_dir.mkdir()
    (task_dir / "demo_stats.yaml").write_text(TASK_YAML, encoding="utf-8")
    docs = load_documents(load_task(task_dir), PathContext())

    def answer(d, labels: list[str]) -> str:  # type: ignore[no-untyped-def]
        r = d.reference
        return (f"Her emotional state is {', '.join(labels)}. In conclusion: {r.label}. "
                f"Valence: {r.valence}, arousal: {r.arousal}")

    good = [answer(d, d.reference.openset or []) for d in docs]
    poor = [answer(d, (d.reference.openset or [])[:1]) if i < 3 else "I cannot tell." for i, d in enumerate(docs)]
    poor[4] = None  # a failed sample: counted as an empty answer by label_overlap
    for name, answers in (("good", good), ("poor", poor)):
        (tmp_path / name).mkdir()
        write_samples(tmp_path / name / "samples_demo-stats_000000000001.jsonl", task_dir, answers)
    results_good = score(tmp_path / "good" / "samples_demo-stats_000000000001.jsonl", task_dir)
    results_poor = score(tmp_path / "poor" / "samples_demo-stats_000000000001.jsonl", task_dir)
    recorded_good = json.loads(results_good.read_text())["results"]["demo-stats"]["metrics"]
    assert recorded_good["categorical.accuracy"]["value"] == 1.0
    assert recorded_good["dimensional.ccc"]["value"] == pytest.approx(1.0)
    assert recorded_good["categorical.accuracy"]["ci95"] == [1.0, 1.0]
    capsys.readouterr()

    parser = argparse.ArgumentParser()
    compare_cmd.add_parser(parser.add_subparsers())
    args = parser.parse_args(["compare", str(results_poor), str(results_good), "--n-resamples", "500", "--json"])
    assert compare_cmd.run(args) == 0
    data = json.loads(capsys.readouterr().out)
    (task_entry,) = data["tasks"]
    assert task_entry["n_common"] == len(docs)
    rows = {row["metric"]: row for row in task_entry["metrics"]}
    assert {"label_overlap.fscore", "categorical.accuracy", "dimensional.ccc", "va_consistency.pearson_valence",
            "affective_space.centroid_distance"} <= set(rows)
    for name in ("label_overlap.fscore", "categorical.accuracy", "categorical.weighted_f1"):
        assert rows[name]["b"] == pytest.approx(recorded_good[name]["value"])  # re-aggregated = recorded
        assert rows[name]["diff"] > 0.3 and rows[name]["significant"] is True

"""Builders of results + scores files that follow emer_bench/results/schema.py exactly (for tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.results.schema import ResultsFile, SampleScoreLine, ScorerConfig
from emer_bench.scoring.scorers.categorical import CategoricalArgs, CategoricalScorer

LABELS = ["happy", "sad", "angry"]
CATEGORICAL: ScorerConfig = {"alias": "cat", "scorer": "categorical",
                             "args": CategoricalArgs(labels=LABELS).model_dump(mode="json")}


def categorical_lines(clips: list[str], references: list[str], answers: list[str | None]) -> list[SampleScoreLine]:
    """Score lines as the runner writes them, with real `categorical` components."""
    scorer = CategoricalScorer(CategoricalArgs(labels=LABELS), ScoringContext())
    items = [ScoringItem(c, a, Reference(label=r), failed=a is None) for c, r, a in zip(clips, references, answers)]
    components = scorer.score_samples(items)
    return [{"clip_id": c, "index": i, "failed": a is None, "scores": {"cat": comp}}
            for i, (c, a, comp) in enumerate(zip(clips, answers, components))]


def write_run(directory: Path, lines: list[SampleScoreLine], task: str = "mer-test",
              scorers: list[ScorerConfig] | None = None, content_sha256: str = "c0ffee") -> Path:
    """Write results_<...>.json and its scores file into `directory`; returns the results path."""
    directory.mkdir(parents=True, exist_ok=True)
    scores_name = f"scores_{task}_0123456789ab.jsonl"
    with (directory / scores_name).open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line) + "\n")
    results: ResultsFile = {
        "results": {task: {
            "metrics": {}, "n_total": len(lines), "n_failed": sum(1 for ln in lines if ln["failed"]), "errors": {},
            "notes": [],
            "config": {"task": task, "version": "1.0", "content_sha256": content_sha256, "prompt_sha256": "p",
                       "modalities": ["video"], "gen_kwargs": {}, "scorers": scorers or [CATEGORICAL],
                       "main_metric": "cat.accuracy", "samples_file": f"samples_{task}_0123456789ab.jsonl",
                       "scores_file": scores_name},
        }},
        "model": {"model": directory.name, "model_args": {}, "model_info": {}, "batch_size": 1, "limit": None,
                  "seed": 1234},
        "provenance": {"emer_bench_version": "0.1.0", "git_commit": None, "python": "3.11", "torch": None,
                       "transformers": None, "platform": "test", "start_time": "2025-01-01T00:00:00Z",
                       "duration_s": 1.0, "command": ["emer-bench", "run"]},
    }
    path = directory / "results_2025-01-01T00-00-00Z.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return path


def answers_with_accuracy(references: list[str], n_wrong: int) -> list[Any]:
    """Answers that are right except for the first `n_wrong` (answered with another label)."""
    wrong = {"happy": "sad", "sad": "angry", "angry": "happy"}
    return [f"I think: {wrong[r] if i < n_wrong else r}" for i, r in enumerate(references)]

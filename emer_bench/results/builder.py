"""The one place a results structure is built, for `run` and `score` alike.

File names: `results_<stamp>.json` and, beside it, the per-sample scores it was computed from,
`scores_<task>_<key>_<stamp>.jsonl`, written once and never replaced (a resumed or re-scored
run writes its own), so a results file always names the exact data `compare` must read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emer_bench.api.error_kinds import SampleError
from emer_bench.api.records import SampleRecord
from emer_bench.redact import redact_text
from emer_bench.results.provenance import collect_provenance
from emer_bench.results.writer import file_sha256
from emer_bench.results.schema import MetricEntry, ModelConfigRecord, ResultsFile, ScorerConfig, TaskResult


def file_stamp(iso_time: str) -> str:
    """`2025-01-01T00:00:00.123+00:00` -> `2025-01-01T00-00-00.123Z` (safe in file names)."""
    return iso_time.replace(":", "-").replace("+00-00", "Z")


def results_path(folder: Path, start_iso: str, prefix: str = "results") -> Path:
    return folder / f"{prefix}_{file_stamp(start_iso)}.json"


def scores_path_for(samples_path: Path, start_iso: str) -> Path:
    """The scores file of one results file: the samples file's name + the results stamp."""
    stem = samples_path.stem.replace("samples_", "scores_", 1)
    return samples_path.with_name(f"{stem}_{file_stamp(start_iso)}.jsonl")


def error_summary(records: list[SampleRecord]) -> tuple[dict[str, int], dict[str, str]]:
    """Failed samples by error kind, and the first message of each kind (redacted)."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for record in records:
        if record.ok:
            continue
        error = SampleError.parse(record.error)
        kind = record.error_kind or error.kind.value
        counts[kind] += 1
        first.setdefault(kind, redact_text(error.text))
    return dict(counts), first


@dataclass
class TaskOutcome:
    """What scoring one task produced (see runner/score.py)."""

    metrics: dict[str, MetricEntry]
    scorer_configs: list[ScorerConfig]
    notes: list[str]
    scoring_failures: dict[str, dict[str, Any]] = field(default_factory=dict)  # TaskResult's


def task_result(task: Any, records: list[SampleRecord], outcome: TaskOutcome, gen_kwargs: dict[str, Any],
                samples_path: Path, scores_path: Path, reused: int | None = None) -> TaskResult:
    """`task` is a LoadedTask (typed loosely: results must not import the task layer)."""
    errors, examples = error_summary(records)
    result: TaskResult = {
        "metrics": outcome.metrics,
        "n_total": len(records),
        "n_failed": sum(1 for r in records if not r.ok),
        "errors": errors,
        "error_examples": examples,
        "notes": outcome.notes,
        "config": {
            "task": task.name, "version": task.spec.version, "content_sha256": task.content_sha256,
            "prompt_sha256": task.prompt_sha256, "modalities": [m.value for m in task.spec.modalities],
            "gen_kwargs": gen_kwargs, "scorers": outcome.scorer_configs, "main_metric": task.spec.main_metric,
            "samples_file": samples_path.name, "scores_file": scores_path.name,
            "scores_sha256": file_sha256(scores_path) if scores_path.is_file() else None,
        },
    }
    if reused is not None:
        result["n_reused"] = reused
    if outcome.scoring_failures:
        result["scoring_failures"] = outcome.scoring_failures
    return result


def new_results(model: ModelConfigRecord, start_iso: str) -> ResultsFile:
    return {"results": {}, "model": model, "provenance": collect_provenance(start_iso, 0.0)}


def stamp_provenance(results: ResultsFile, start_iso: str, duration_s: float) -> None:
    results["provenance"] = collect_provenance(start_iso, duration_s)


def incomplete_tasks(results: ResultsFile, max_failure_rate: float) -> list[str]:
    """One line per task whose failed fraction exceeds the allowed rate (the run is then incomplete)."""
    lines = []
    for name, task in results["results"].items():
        total, failed = task["n_total"], task["n_failed"]
        if total and failed / total > max_failure_rate:
            lines.append(f"{name}: {failed} of {total} samples failed ({failed / total:.1%} > --max-failure-rate "
                         f"{max_failure_rate:g})")
        # a judge or label extractor that failed leaves its samples unscored: as incomplete as a failed answer
        for alias, failure in task.get("scoring_failures", {}).items():
            if total and failure["count"] / total > max_failure_rate:
                lines.append(f"{name}: scorer '{alias}' could not score {failure['count']} of {total} samples "
                             f"({failure['count'] / total:.1%} > --max-failure-rate {max_failure_rate:g})")
    return lines

"""Re-scoring a saved samples file without a model (`emer-bench score`): the same results
builder and file rules as a run, with its own immutable scores file."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from emer_bench.api.requests import Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import DataError
from emer_bench.results.builder import new_results, results_path, scores_path_for, stamp_provenance, task_result
from emer_bench.results.schema import ResultsFile
from emer_bench.results.writer import write_json_atomic
from emer_bench.runner.generate import utc_now
from emer_bench.runner.samples_file import read_samples
from emer_bench.runner.score import build_task_scorers, score_task
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.loader import LoadedTask, import_plugins
from emer_bench.tasks.modalities import with_modalities

log = logging.getLogger(__name__)


def rescore(samples_path: Path, task: str | None = None, include_paths: list[Path] | None = None,
            resources: Path | None = None, resource_version: str = "mer2025", n_resamples: int = 1000,
            seed: int = 1234, output: Path | None = None,
            modalities: tuple[Modality, ...] | None = None,
            judge: dict[str, Any] | None = None) -> tuple[ResultsFile, Path]:
    """Score every record of `samples_path` with its task's scorers; returns results and their path.
    `modalities`: the --modalities set the samples were generated with (recorded in the results);
    `judge`: --judge/--judge-args, replacing every LLM judge's model."""
    start, start_iso = time.monotonic(), utc_now()
    if not samples_path.is_file():
        raise DataError(f"samples file not found: {samples_path}")
    _refuse_results_file(samples_path)
    records = sorted(read_samples(samples_path, strict=True).values(), key=lambda r: r.index)
    if not records:
        raise DataError(f"{samples_path}: no sample records")
    tasks_in_file = sorted({r.task for r in records})
    if len(tasks_in_file) > 1:
        if task not in tasks_in_file:
            raise DataError(f"{samples_path}: records of several tasks {tasks_in_file}; pass --task with one of them")
        records = [r for r in records if r.task == task]  # the other tasks' records were scored too
    loaded = with_modalities(TaskIndex(include_paths=list(include_paths or [])).load(task or tasks_in_file[0]),
                             modalities)
    import_plugins(loaded)
    _say_when_partial(samples_path, loaded, {r.clip_id for r in records})
    context = ScoringContext(resources_dir=resources, resource_version=resource_version, seed=seed,
                             cache_dir=samples_path.parent / ".cache", judge=judge)
    scorers = build_task_scorers(loaded, context)
    out = output or results_path(samples_path.parent, start_iso, prefix="results_rescored")
    # Beside the results file, which names it (and the samples file) relative to its own folder.
    scores_path = out.parent / scores_path_for(samples_path, start_iso).with_suffix(".rescored.jsonl").name
    outcome = score_task(loaded, records, scorers, scores_path, n_resamples, seed)
    results = new_results({"model": "(re-scored samples)", "model_args": {}, "model_info": {"samples": str(samples_path)},
                           "batch_size": 0, "limit": None, "seed": seed}, start_iso)
    results["results"][loaded.name] = task_result(loaded, records, outcome, {}, samples_path, scores_path)
    stamp_provenance(results, start_iso, time.monotonic() - start)
    write_json_atomic(out, results)
    return results, out


def _refuse_results_file(path: Path) -> None:
    """A results file passed for its samples gave "line 1: not a samples record (invalid JSON:
    Expecting property name)": say what it is and which samples file it names."""
    if path.suffix != ".json":
        return
    try:
        data = json.loads(path.read_bytes())
    except ValueError:  # not JSON as a whole (a samples file, or broken): read_samples names the line
        return
    if isinstance(data, dict) and isinstance(data.get("results"), dict):
        named = [str(path.parent / t["config"]["samples_file"]) for t in data["results"].values()
                 if isinstance(t, dict) and isinstance(t.get("config"), dict) and t["config"].get("samples_file")]
        raise DataError(f"{path}: a results file, not a samples file; pass the samples file it names"
                        + (f": {', '.join(named)}" if named else ""))


def _say_when_partial(samples_path: Path, task: LoadedTask, clip_ids: set[str]) -> None:
    """Scores of a samples file that holds only some of the task's clips are over those clips: said,
    not silent (a run with --limit, or one that stopped). Where the task's data cannot be read
    here (another machine, no EMER_BENCH_DATA), nothing is said: the records are all there is."""
    try:
        task_ids = {doc.clip_id for doc in load_documents(task, PathContext.from_env())}
    except Exception:  # noqa: BLE001 - a hint only; the data may well be elsewhere
        log.debug("%s: task data not readable here; clip count not checked", task.name, exc_info=True)
        return
    missing = task_ids - clip_ids
    if missing and task_ids:
        log.warning("%s: records for %d of task %s's %d clips (a run with --limit, or one that stopped: `emer-bench "
                    "run` with the same arguments answers the rest); these scores are over those %d, first without "
                    "a record: %s", samples_path, len(task_ids & clip_ids), task.name, len(task_ids),
                    len(task_ids & clip_ids), sorted(missing)[0])


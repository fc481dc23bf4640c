"""`emer-bench score SAMPLES.jsonl`: re-score saved samples without running a model.

Useful after changing a task's scorers, installing the emotion-wheel resources, or switching
the label extractor. The references travel inside each sample record, so no data is needed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from emer_bench.api.scorer import ScoringContext
from emer_bench.cli.kv import non_negative_int
from emer_bench.cli.summary import print_summary
from emer_bench.errors import DataError
from emer_bench.results.provenance import collect_provenance
from emer_bench.results.schema import ResultsFile
from emer_bench.results.writer import write_json_atomic
from emer_bench.runner.generate import utc_now
from emer_bench.runner.samples_file import read_samples
from emer_bench.runner.score import build_task_scorers, error_counts, score_task
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import import_plugins

EPILOG = """examples:
  emer-bench score emer-results/lexicon-baseline/samples_emer-demo_0123456789ab.jsonl
  emer-bench score samples.jsonl --task emer-fine --resources ~/emotion_wheel/mer2025
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="re-score a saved samples file without running a model", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("samples", help="a samples_<task>_<hash>.jsonl file")
    p.add_argument("--task", default=None, help="task whose scorers to use (default: the task in the records)")
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files")
    p.add_argument("--resources", default=None, help="emotion-wheel resource folder")
    p.add_argument("--resource-version", default="mer2025", choices=["mer2025", "mer2026"])
    p.add_argument("--n-resamples", type=non_negative_int, default=1000, help="bootstrap resamples (0: no CIs)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--output", default=None, help="results file to write (default: beside the samples)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    start, start_iso = time.monotonic(), utc_now()
    samples_path = Path(args.samples)
    if not samples_path.is_file():
        raise DataError(f"samples file not found: {samples_path}")
    records = sorted(read_samples(samples_path, strict=True).values(), key=lambda r: r.index)
    if not records:
        raise DataError(f"{samples_path}: no sample records")
    tasks_in_file = sorted({r.task for r in records})
    task_name = args.task or tasks_in_file[0]
    if args.task is None and len(tasks_in_file) > 1:
        raise DataError(f"{samples_path}: records of several tasks {tasks_in_file}; pass --task")
    task = TaskIndex(include_paths=[Path(p) for p in args.include_path]).load(task_name)
    import_plugins(task)
    context = ScoringContext(resources_dir=Path(args.resources) if args.resources else None,
                             resource_version=args.resource_version, seed=args.seed,
                             cache_dir=samples_path.parent / ".cache")
    scorers = build_task_scorers(task, context)
    stem = samples_path.stem.replace("samples_", "scores_", 1)
    scores_path = samples_path.with_name(f"{stem}.rescored.jsonl")
    scores = score_task(task, records, scorers, scores_path, args.n_resamples, args.seed)
    results: ResultsFile = {
        "results": {task.name: {
            "metrics": scores.metrics, "n_total": len(records), "n_failed": sum(1 for r in records if not r.ok),
            "errors": error_counts(records), "notes": scores.notes,
            "config": {"task": task.name, "version": task.spec.version, "content_sha256": task.content_sha256,
                       "prompt_sha256": task.prompt_sha256, "modalities": [m.value for m in task.spec.modalities],
                       "gen_kwargs": {}, "scorers": scores.scorer_configs, "main_metric": task.spec.main_metric,
                       "samples_file": samples_path.name, "scores_file": scores_path.name}}},
        "model": {"model": "(re-scored samples)", "model_args": {}, "model_info": {"samples": str(samples_path)},
                  "batch_size": 0, "limit": None, "seed": args.seed},
        "provenance": collect_provenance(start_iso, time.monotonic() - start),
    }
    out = Path(args.output) if args.output else samples_path.with_name(
        f"results_rescored_{start_iso.replace(':', '-').replace('+00-00', 'Z')}.json")
    write_json_atomic(out, results)
    console = Console()
    print_summary(results, console)
    console.print(f"results: {escape(str(out))}")
    return 0

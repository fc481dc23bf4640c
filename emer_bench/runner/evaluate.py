"""The whole evaluation: validate everything cheap first, then load the model once and run
each task (resuming its samples file), score it, and rewrite the results file after every
task so a later failure never loses an earlier task's result."""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager

import numpy as np
from pydantic import ValidationError

from emer_bench.api.adapter import ModelAdapter
from emer_bench.api.scorer import Scorer, ScoringContext
from emer_bench.errors import ConfigError
from emer_bench.registries import ADAPTERS
from emer_bench.results.provenance import collect_provenance
from emer_bench.results.schema import ModelConfigRecord, ResultsFile, TaskResult
from emer_bench.results.writer import write_json_atomic
from emer_bench.runner.distributed import ProcessGroup, detect_process_group, fold_parts, part_path
from emer_bench.runner.generate import ProgressSink, generate_task, utc_now
from emer_bench.runner.run_key import public_args, run_key, slug
from emer_bench.runner.samples_file import SamplesWriter, read_samples
from emer_bench.runner.score import build_task_scorers, error_counts, score_task
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.requests import build_requests
from emer_bench.tasks.loader import LoadedTask, import_plugins
from emer_bench.tasks.schema import ScorerSpec
from emer_bench.validation import describe_problems

# (task name, total, already done) -> a context manager yielding a progress sink
ProgressFactory = Callable[[str, int, int], ContextManager[ProgressSink]]


@dataclass
class RunConfig:
    model: str
    tasks: list[str]
    model_args: dict[str, Any] = field(default_factory=dict)
    gen_kwargs: dict[str, Any] = field(default_factory=dict)
    limit: int | None = None
    output_dir: Path = Path("emer-results")
    batch_size: int | None = None
    seed: int = 1234
    include_paths: list[Path] = field(default_factory=list)
    data_dir: Path | None = None
    media_dir: Path | None = None
    resources_dir: Path | None = None
    resource_version: str = "mer2025"
    n_resamples: int = 1000
    prefetch_workers: int = 2


@dataclass
class PlannedTask:
    task: LoadedTask
    requests: list[Any]
    references: dict[str, Any]
    scorers: list[tuple[ScorerSpec, Scorer]]
    gen_kwargs: dict[str, Any]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    try:
        import torch  # noqa: PLC0415 - only when a torch adapter already brought it in

        torch.manual_seed(seed)
    except ImportError:
        pass


def build_adapter(config: RunConfig) -> ModelAdapter:
    cls = ADAPTERS.get(config.model)
    args = dict(config.model_args)
    if config.batch_size is not None:
        args["batch_size"] = config.batch_size
    known = ", ".join(sorted(cls.Args.model_fields))
    try:
        parsed = cls.Args(**args)
    except ValidationError as exc:
        raise ConfigError(f"--model-args for '{config.model}': {describe_problems(exc)}. Known args: {known}") from None
    return cls(parsed)


def plan_tasks(config: RunConfig, context: ScoringContext) -> list[PlannedTask]:
    """Load and validate every task, its data and its scorers before any model is loaded."""
    index = TaskIndex(include_paths=list(config.include_paths))
    paths = PathContext.from_env(config.data_dir, config.media_dir)
    planned = []
    for name in config.tasks:
        task = index.load(name)
        import_plugins(task)
        docs = load_documents(task, paths)
        if config.limit is not None:
            docs = docs[: config.limit]
        gen_kwargs = {**task.spec.generation, **config.gen_kwargs}
        planned.append(PlannedTask(task, build_requests(task, docs, gen_kwargs),
                                   {d.clip_id: d.reference for d in docs}, build_task_scorers(task, context),
                                   gen_kwargs))
    return planned


def _run_one(config: RunConfig, plan: PlannedTask, adapter: ModelAdapter, model_dir: Path, group: ProcessGroup,
             progress_factory: ProgressFactory | None) -> TaskResult | None:
    task = plan.task
    key = run_key(task.content_sha256, config.model, config.model_args, plan.gen_kwargs, config.seed)
    samples_path = model_dir / f"samples_{slug(task.name)}_{key}.jsonl"
    scores_path = model_dir / f"scores_{slug(task.name)}_{key}.jsonl"
    if group.is_main:
        fold_parts(samples_path)  # parts left by an interrupted data-parallel run
    group.barrier()
    done = {cid for cid, rec in read_samples(samples_path).items() if rec.ok}
    pending = group.shard([r for r in plan.requests if r.clip_id not in done])
    target = samples_path if group.world_size == 1 else part_path(samples_path, group.rank)
    progress_cm = progress_factory(task.name, len(plan.requests), len(done)) if progress_factory and group.is_main \
        else contextlib.nullcontext(None)
    with SamplesWriter(target) as writer, progress_cm as progress:
        generate_task(adapter, pending, plan.references, writer, progress, prefetch_workers=config.prefetch_workers,
                      rank=group.rank)
    group.barrier()
    if not group.is_main:
        return None
    fold_parts(samples_path)
    latest = read_samples(samples_path)
    records = [latest[r.clip_id] for r in plan.requests if r.clip_id in latest]
    scores = score_task(task, records, plan.scorers, scores_path, config.n_resamples, config.seed)
    return {
        "metrics": scores.metrics,
        "n_total": len(records),
        "n_failed": sum(1 for r in records if not r.ok),
        "errors": error_counts(records),
        "notes": scores.notes,
        "config": {
            "task": task.name, "version": task.spec.version, "content_sha256": task.content_sha256,
            "prompt_sha256": task.prompt_sha256, "modalities": [m.value for m in task.spec.modalities],
            "gen_kwargs": plan.gen_kwargs, "scorers": scores.scorer_configs, "main_metric": task.spec.main_metric,
            "samples_file": samples_path.name, "scores_file": scores_path.name,
        },
    }


def run_evaluation(config: RunConfig, progress_factory: ProgressFactory | None = None) -> tuple[ResultsFile, Path | None]:
    """Run every task; returns the results and the results file path (None on non-main ranks)."""
    start, start_iso = time.monotonic(), utc_now()
    seed_everything(config.seed)
    group = detect_process_group()
    context = ScoringContext(resources_dir=config.resources_dir, resource_version=config.resource_version,
                             cache_dir=Path(config.output_dir) / ".cache", seed=config.seed)
    planned = plan_tasks(config, context)
    adapter = build_adapter(config)
    model_id = Path(adapter.model_id.rstrip("/")).name
    model_dir = Path(config.output_dir) / slug(config.model if model_id == config.model else f"{config.model}__{model_id}")
    results_path = model_dir / f"results_{start_iso.replace(':', '-').replace('+00-00', 'Z')}.json"
    model_record: ModelConfigRecord = {
        "model": config.model, "model_args": public_args(config.model_args), "model_info": adapter.describe(),
        "batch_size": adapter.args.batch_size, "limit": config.limit, "seed": config.seed,
    }
    results: ResultsFile = {"results": {}, "model": model_record, "provenance": collect_provenance(start_iso, 0.0)}
    try:
        for plan in planned:
            task_result = _run_one(config, plan, adapter, model_dir, group, progress_factory)
            if task_result is None:
                continue
            results["results"][plan.task.name] = task_result
            results["provenance"] = collect_provenance(start_iso, time.monotonic() - start)
            write_json_atomic(results_path, results)
    finally:
        adapter.close()
    return results, (results_path if group.is_main else None)

"""The whole evaluation: validate everything cheap first, then run each task (resuming its
samples file), score it, and rewrite the results file after every task so a later failure never
loses an earlier task's result. The model is loaded once, by the first task that has something
to ask (`ModelAdapter.load`): a re-run whose answers are all reused never loads it."""

from __future__ import annotations

import contextlib
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager

import numpy as np
from pydantic import ValidationError

from emer_bench.api.adapter import ModelAdapter
from emer_bench.api.records import SampleRecord
from emer_bench.api.generation import parse_generation_settings
from emer_bench.api.scorer import Scorer, ScoringContext
from emer_bench.errors import ConfigError
from emer_bench.redact import register_arg_secrets
from emer_bench.registries import ADAPTERS
from emer_bench.api.requests import Modality
from emer_bench.results.builder import new_results, results_path, scores_path_for, stamp_provenance, task_result
from emer_bench.results.schema import ModelConfigRecord, ResultsFile, TaskResult
from emer_bench.results.writer import write_json_atomic
from emer_bench.runner.distributed import ProcessGroup, detect_process_group, fold_parts, part_path
from emer_bench.runner.fingerprint import request_fingerprint
from emer_bench.runner.generate import CircuitBreaker, ProgressSink, generate_task, utc_now
from emer_bench.runner.lock import OutputLock
from emer_bench.runner.prechecks import check_inputs, check_media, check_output_dir
from emer_bench.redact import public_args
from emer_bench.runner.run_key import run_key, slug, transport_fields
from emer_bench.runner.samples_file import read_samples
from emer_bench.runner.score import ScorerWarmUp, TaskScores, build_task_scorers, score_task, scoring_digests
from emer_bench.runner.score_cache import ScoreCache, previous_scores
from emer_bench.runner.score_incremental import IncrementalScorer, ScoringSamplesWriter
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.requests import build_requests
from emer_bench.tasks.groups import group_summary, requested_groups
from emer_bench.tasks.loader import LoadedTask, import_plugins
from emer_bench.tasks.modalities import with_modalities
from emer_bench.tasks.schema import ScorerSpec
from emer_bench.validation import describe_problems

# (task name, total, already done) -> a context manager yielding a progress sink
ProgressFactory = Callable[[str, int, int], ContextManager[ProgressSink]]
Notify = Callable[[str], None]


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
    modalities: tuple[Modality, ...] | None = None  # --modalities: run every task with only these inputs
    judge: dict[str, Any] | None = None  # --judge/--judge-args: replaces every LLM judge's model


@dataclass
class PlannedTask:
    task: LoadedTask
    requests: list[Any]
    references: dict[str, Any]
    scorers: list[tuple[ScorerSpec, Scorer[Any]]]
    gen_kwargs: dict[str, Any]


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and, only when something already imported it, torch: importing torch
    costs ~2 s of CPU, which an API run must not pay. The transformers adapters import torch
    themselves and receive the run's seed as their `seed` arg (build_adapter)."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def build_adapter(config: RunConfig) -> ModelAdapter[Any]:
    cls = ADAPTERS.get(config.model)
    args = dict(config.model_args)
    if config.batch_size is not None:
        args["batch_size"] = config.batch_size
    if "seed" in cls.Args.model_fields and "seed" not in args:
        args["seed"] = config.seed  # one seed, the run's, unless the user set the adapter's own
    known = ", ".join(sorted(cls.Args.model_fields))
    register_arg_secrets(args)  # before validation: its messages may echo a value
    try:
        parsed = cls.Args(**args)
    except ValidationError as exc:
        raise ConfigError(f"--model-args for '{config.model}': {describe_problems(exc)}. Known args: {known}") from None
    register_arg_secrets(dict(parsed))  # SecretStr fields filled from the environment too
    parsed.check_available()  # before any model is loaded: checkpoint on disk, server reachable, key accepted
    return cls(parsed)


def plan_tasks(config: RunConfig, context: ScoringContext) -> list[PlannedTask]:
    """Load and validate every task, its data and its scorers before any model is loaded."""
    index = TaskIndex(include_paths=list(config.include_paths))
    paths = PathContext.from_env(config.data_dir, config.media_dir)
    planned = []
    for name in index.expand(config.tasks):  # a group name stands for its tasks
        task = with_modalities(index.load(name), config.modalities)
        import_plugins(task)
        docs = load_documents(task, paths)
        if config.limit is not None:
            docs = docs[: config.limit]
        command_line = parse_generation_settings(config.gen_kwargs, "--gen-kwargs")  # beats the task's
        gen_kwargs = task.spec.generation.merged(command_line).as_kwargs()
        planned.append(PlannedTask(task, build_requests(task, docs, gen_kwargs),
                                   {d.clip_id: d.reference for d in docs}, build_task_scorers(task, context),
                                   gen_kwargs))
    return planned


@dataclass
class TaskFiles:
    samples: Path
    scores: Path


def _resume_state(plan: PlannedTask, samples_path: Path) -> tuple[dict[str, SampleRecord], dict[str, str], int, int]:
    """(records to reuse by clip, fingerprint per clip, failed before, changed since): a record is
    reused only when it succeeded AND was asked exactly what is loaded now."""
    fingerprints = {r.clip_id: request_fingerprint(r, plan.references[r.clip_id]) for r in plan.requests}
    done: dict[str, SampleRecord] = {}
    failed, changed = 0, 0
    existing = read_samples(samples_path)
    for clip_id, fingerprint in fingerprints.items():
        rec = existing.get(clip_id)
        if rec is None:
            continue
        if not rec.ok:
            failed += 1
        elif rec.fingerprint != fingerprint:
            changed += 1
        else:
            done[clip_id] = rec
    return done, fingerprints, failed, changed


def _resume_message(task: str, samples_path: Path, reused: int, failed: int, changed: int, total: int) -> str:
    text = f"{task}: resuming {samples_path}: {reused} of {total} samples reused, {total - reused} to ask"
    reasons = ([f"{failed} failed before"] if failed else []) + ([f"{changed} changed since"] if changed else [])
    return text + (f" ({', '.join(reasons)})" if reasons else "")


def _run_one(config: RunConfig, plan: PlannedTask, adapter: ModelAdapter[Any], files: TaskFiles, group: ProcessGroup,
             progress_factory: ProgressFactory | None, notify: Notify, warm_up: ScorerWarmUp) -> TaskResult | None:
    task = plan.task
    samples_path = files.samples
    if group.is_main:
        fold_parts(samples_path)  # parts left by an interrupted data-parallel run
    group.barrier()
    done, fingerprints, failed_before, changed = _resume_state(plan, samples_path)
    if group.is_main and samples_path.exists():
        notify(_resume_message(task.name, samples_path, len(done), failed_before, changed, len(plan.requests)))
    unanswered = [r for r in plan.requests if r.clip_id not in done]
    pending = group.shard(unanswered)
    target = samples_path if group.world_size == 1 else part_path(samples_path, group.rank)
    progress_cm = progress_factory(task.name, len(plan.requests), len(done)) if progress_factory and group.is_main \
        else contextlib.nullcontext(None)
    if unanswered:
        # The scorers' libraries load while the model loads, not while it answers: beside a GPU the
        # warm-up's imports would take the GIL from the thread that launches the kernels.
        warm_up.start()
        # The model loads here, at its first use: a run whose answers are all reused never loads it.
        # Every rank loads when any rank has work: a rank with an empty shard would otherwise wait
        # at the barrier for ranks that failed to load, instead of failing with them.
        adapter.ensure_loaded()
        check_inputs(task.name, task.spec.modalities, config.model, adapter.active_modalities)  # as loaded
    # One process: its scorer thread scores each record as it is written, and the reused ones
    # first, while the model answers (other ranks' records only exist in their part files).
    early = IncrementalScorer(plan.scorers if group.world_size == 1 and pending else [], warm_up)
    for record in done.values():
        early.add(record)
    try:
        with ScoringSamplesWriter(target, early) as writer, progress_cm as progress:
            generate_task(adapter, pending, plan.references, writer, progress, prefetch_workers=config.prefetch_workers,
                          rank=group.rank, fingerprints=fingerprints, breaker=CircuitBreaker())
    except BaseException:
        early.close()  # the thread ends; the next run resumes and scores from the samples file
        raise
    group.barrier()
    if not group.is_main:
        return None
    if group.world_size == 1 and not pending:
        records = [done[r.clip_id] for r in plan.requests if r.clip_id in done]  # nothing was written since
    else:
        fold_parts(samples_path)
        latest = read_samples(samples_path)
        records = [latest[r.clip_id] for r in plan.requests if r.clip_id in latest]
    warm_up.wait()
    scores = _score(config, plan, records, files, early.finish())
    return task_result(task, records, scores, plan.gen_kwargs, samples_path, files.scores, reused=len(done))


def _score(config: RunConfig, plan: PlannedTask, records: list[SampleRecord], files: TaskFiles,
           early: ScoreCache) -> TaskScores:
    """Score with what is known already: an earlier results file's components for the same
    samples and scorers (a re-run, a resumed run), then those scored while the model answered."""
    digests = scoring_digests(plan.task, plan.scorers)
    previous = previous_scores(files.samples.parent, files.samples.name, digests)
    return score_task(plan.task, records, plan.scorers, files.scores, config.n_resamples, config.seed,
                      caches=[previous, early], digests=digests)


def _task_files(config: RunConfig, plan: PlannedTask, adapter: ModelAdapter[Any], model_dir: Path, start_iso: str) -> TaskFiles:
    key = run_key(plan.task.content_sha256, config.model, config.model_args, plan.gen_kwargs, config.seed,
                  transport_fields(type(adapter.args)))
    samples = model_dir / f"samples_{slug(plan.task.name)}_{key}.jsonl"
    return TaskFiles(samples, scores_path_for(samples, start_iso))


def _check_media(planned: list[PlannedTask], takes: frozenset[Modality], notify: Notify) -> None:
    for plan in planned:
        report = check_media(plan.task.name, plan.requests, takes)
        if report is not None and report.missing:
            notify(f"{plan.task.name}: {report.describe()}")


def run_evaluation(config: RunConfig, progress_factory: ProgressFactory | None = None,
                   notify: Notify | None = None, adapter: ModelAdapter[Any] | None = None) -> tuple[ResultsFile, Path | None]:
    """Run every task; returns the results and the results file path (None on non-main ranks).
    `notify` receives one-line messages for the user (resume counts, missing clips). An `adapter`
    passed in (built from the same config, e.g. by `ablate` for several modality sets) is used as
    is and left open for the caller."""
    notify = notify or (lambda message: None)
    start, start_iso = time.monotonic(), utc_now()
    seed_everything(config.seed)
    group = detect_process_group()
    output_dir = Path(config.output_dir)
    if group.is_main:
        check_output_dir(output_dir)
    context = ScoringContext(resources_dir=config.resources_dir, resource_version=config.resource_version,
                             cache_dir=output_dir / ".cache", seed=config.seed, judge=config.judge)
    planned = plan_tasks(config, context)
    cls = ADAPTERS.get(config.model)
    for plan in planned:
        check_inputs(plan.task.name, plan.task.spec.modalities, config.model, cls.modalities)
    _check_media(planned, cls.modalities, notify)
    with OutputLock(output_dir) if group.is_main else contextlib.nullcontext():
        owned = adapter is None
        adapter = adapter if adapter is not None else build_adapter(config)
        try:
            return _run_tasks(config, planned, adapter, group, start, start_iso, progress_factory, notify)
        finally:
            if owned:
                adapter.close()


def _run_tasks(config: RunConfig, planned: list[PlannedTask], adapter: ModelAdapter[Any], group: ProcessGroup,
               start: float, start_iso: str, progress_factory: ProgressFactory | None,
               notify: Notify) -> tuple[ResultsFile, Path | None]:
    # The configured instance may take less than its class (openai without audio); an adapter that
    # learns it from its checkpoint is checked again once loaded (`_run_one`).
    for plan in planned:
        check_inputs(plan.task.name, plan.task.spec.modalities, config.model, adapter.active_modalities)
    model_id = Path(adapter.model_id.rstrip("/")).name
    model_dir = Path(config.output_dir) / slug(config.model if model_id == config.model else f"{config.model}__{model_id}")
    path = results_path(model_dir, start_iso)
    model_record: ModelConfigRecord = {
        "model": config.model, "model_args": public_args(config.model_args), "model_info": adapter.describe(),
        "batch_size": adapter.args.batch_size, "limit": config.limit, "seed": config.seed,
    }
    results = new_results(model_record, start_iso)
    groups = requested_groups(TaskIndex(include_paths=list(config.include_paths)), config.tasks)
    # Scorers load their libraries/models while the model answers (only the main rank scores).
    # Started by the first task that asks the model something (a fully cached re-run never needs it).
    warm_up = ScorerWarmUp([scorer for plan in planned for _, scorer in plan.scorers] if group.is_main else [],
                           start=False)
    for plan in planned:
        files = _task_files(config, plan, adapter, model_dir, start_iso)
        task_result_ = _run_one(config, plan, adapter, files, group, progress_factory, notify, warm_up)
        if task_result_ is None:
            continue
        results["results"][plan.task.name] = task_result_
        if groups:
            results["groups"] = {g.group: group_summary(g, results["results"]) for g in groups}
        results["model"]["model_info"] = adapter.describe()  # fuller once a task has loaded the model
        stamp_provenance(results, start_iso, time.monotonic() - start)
        write_json_atomic(path, results)
    return results, (path if group.is_main else None)

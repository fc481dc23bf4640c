"""Scoring answers made anywhere: a predictions file of free text, scored against a task's
references with the task's (or any registered) scorers, no model run (`emer-bench score-text`).

The predictions become the same typed sample records a run writes (a clip without a
prediction is a failed sample: "MissingPrediction", scored as an empty answer by every
scorer and counted in n_failed), then go through the runner's scoring and results code, so
the output (samples, per-sample scores, results with CIs, n and failures) is a run's and can
be compared and submitted like one. The "model" is the predictions file: its name and hash.
"""

from __future__ import annotations

from typing import Any

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from emer_bench.api.error_kinds import ErrorKind
from emer_bench.api.records import SampleRecord
from emer_bench.api.scorer import Scorer, ScoringContext
from emer_bench.errors import ConfigError
from emer_bench.registries import SCORERS
from emer_bench.results.builder import new_results, results_path, scores_path_for, stamp_provenance, task_result
from emer_bench.results.schema import ModelConfigRecord, ResultsFile
from emer_bench.results.writer import write_json_atomic
from emer_bench.runner.generate import utc_now
from emer_bench.runner.run_key import slug
from emer_bench.runner.samples_file import SamplesWriter
from emer_bench.runner.score import build_scorer, check_scorer_needs, score_task
from emer_bench.scoring.prediction_files import LabelColumn, id_mismatch, read_label_column
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import LoadedTask, import_plugins
from emer_bench.tasks.requests import build_requests
from emer_bench.tasks.schema import ScorerSpec

# Columns tried, in order, when --text-column is not given.
TEXT_COLUMNS = ("prediction", "response", "answer", "text", "output", "reasons", "explanation")
MISSING = ErrorKind.MISSING_PREDICTION.value
EMPTY = ErrorKind.EMPTY_ANSWER.value


@dataclass
class TextScoringConfig:
    task: str
    predictions: Path
    data_dir: Path | None = None
    include_paths: list[Path] = field(default_factory=list)
    text_column: str | None = None
    scorers: list[str] = field(default_factory=list)  # empty: every scorer of the task
    model_name: str | None = None  # default: the predictions file's stem
    output_dir: Path = Path("emer-results")
    resources_dir: Path | None = None
    resource_version: str = "mer2025"
    n_resamples: int = 1000
    seed: int = 1234


def select_scorers(task: LoadedTask, names: list[str], context: ScoringContext) -> list[tuple[ScorerSpec, Scorer[Any]]]:
    """The task's scorers named in `names` (by key or registry name), else any registered
    scorer with its default arguments; all of the task's scorers when `names` is empty."""
    specs: list[ScorerSpec] = []
    for name in names or [spec.key for spec in task.spec.scorers]:
        spec = next((s for s in task.spec.scorers if name in (s.key, s.name)), None)
        if spec is None:
            SCORERS.get(name)  # unknown: a ConfigError with a did-you-mean
            spec = ScorerSpec(name=name)
        specs.append(spec)
    built = [(spec, build_scorer(spec, context, str(task.path))) for spec in specs]
    check_scorer_needs(task, built)
    return built


def _text_column(path: Path, wanted: str | None) -> LabelColumn:
    column = read_label_column(path, (wanted,) if wanted else TEXT_COLUMNS)
    if not wanted and not column.values:
        raise ConfigError(f"{path}: no predictions")
    return column


def build_records(task: LoadedTask, data_dir: Path | None, predictions: LabelColumn) -> list[SampleRecord]:
    """One record per task clip, in task order; clips without a prediction are failed samples."""
    docs = load_documents(task, PathContext.from_env(data_dir, None))
    id_mismatch({doc.clip_id: None for doc in docs}, predictions)
    requests = build_requests(task, docs, dict(task.spec.generation))
    now = utc_now()
    records = []
    for request, doc in zip(requests, docs):
        value = predictions.values.get(doc.clip_id)
        text = "" if value is None else (value if isinstance(value, str) else json.dumps(value))
        records.append(SampleRecord(
            task=task.name, clip_id=doc.clip_id, index=request.index, prompt=request.prompt, reference=doc.reference,
            response=text if text.strip() else None, error=_missing(predictions, doc.clip_id, text),
            latency_s=None, completed_at=now, inputs={"predictions_file": str(predictions.path)}))
    return records


def _missing(predictions: LabelColumn, clip_id: str, text: str) -> str | None:
    """Why a clip has no answer (None: it has one). A blank cell (or null) is no answer, as an
    empty reply is in a run (EmptyAnswer): a tool that wrote "" for its failures must not pass
    for a run without any."""
    if clip_id not in predictions.values:
        return f"{MISSING}: no row for this clip in {predictions.path.name}"
    if not text.strip():
        return f"{EMPTY}: the '{predictions.column}' of this clip in {predictions.path.name} is empty"
    return None


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def score_text_file(config: TextScoringConfig) -> tuple[ResultsFile, Path]:
    """Score the predictions; writes samples, per-sample scores and results like a run does."""
    start, start_iso = time.monotonic(), utc_now()
    task = TaskIndex(include_paths=list(config.include_paths)).load(config.task)
    import_plugins(task)
    predictions = _text_column(config.predictions, config.text_column)
    context = ScoringContext(resources_dir=config.resources_dir, resource_version=config.resource_version,
                             cache_dir=config.output_dir / ".cache", seed=config.seed)
    scorers = select_scorers(task, config.scorers, context)
    records = build_records(task, config.data_dir, predictions)
    sha = _file_sha256(config.predictions)
    model = config.model_name or config.predictions.stem
    key = hashlib.sha256(json.dumps([task.content_sha256, sha, predictions.column]).encode()).hexdigest()[:12]
    model_dir = config.output_dir / slug(model)
    samples_path = model_dir / f"samples_{slug(task.name)}_{key}.jsonl"
    samples_path.unlink(missing_ok=True)  # derived wholly from the predictions: rewritten, never resumed
    with SamplesWriter(samples_path, fsync=False) as writer:
        for record in records:
            writer.append(record)
    scores_path = scores_path_for(samples_path, start_iso)
    scores = score_task(task, records, scorers, scores_path, config.n_resamples, config.seed)
    result = task_result(task, records, scores, {}, samples_path, scores_path)
    result["config"]["main_metric"] = _main_metric(task, scorers)
    model_record: ModelConfigRecord = {
        "model": model, "model_args": {},
        "model_info": {"predictions_file": str(config.predictions), "sha256": sha, "text_column": predictions.column,
                       "id_column": predictions.id_column},
        "batch_size": 0, "limit": None, "seed": config.seed}
    results = new_results(model_record, start_iso)
    results["results"][task.name] = result
    stamp_provenance(results, start_iso, time.monotonic() - start)
    out = results_path(model_dir, start_iso)
    write_json_atomic(out, results)
    return results, out


def _main_metric(task: LoadedTask, scorers: list[tuple[ScorerSpec, Scorer[Any]]]) -> str:
    """The task's main metric when its scorer was kept, else the first scorer's first headline."""
    keys = {spec.key for spec, _ in scorers}
    if task.spec.main_metric.split(".", 1)[0] in keys:
        return task.spec.main_metric
    spec, scorer = scorers[0]
    return f"{spec.key}.{scorer.headline[0]}" if scorer.headline else task.spec.main_metric

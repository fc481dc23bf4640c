"""Scoring one task's records: build the task's scorers, compute per-sample components,
aggregate, attach bootstrap CIs to headline metrics, and write the per-sample scores file."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from emer_bench.api.records import SampleRecord
from emer_bench.api.scorer import Scorer, ScoringContext, ScoringItem
from emer_bench.errors import ConfigError, ResourceError
from emer_bench.registries import SCORERS
from emer_bench.results.builder import TaskOutcome
from emer_bench.results.schema import MetricEntry, ScorerConfig
from emer_bench.results.writer import write_jsonl_atomic
from emer_bench.tasks.loader import LoadedTask
from emer_bench.tasks.schema import ScorerSpec
from emer_bench.validation import validate

log = logging.getLogger(__name__)


TaskScores = TaskOutcome  # metrics, scorer configs, notes (e.g. an optional scorer skipped)


class ScorerWarmUp:
    """Runs every scorer's `warm_up` on one daemon thread while the model works. `wait()` before
    scoring: the scorers' shared objects (ScoringContext.shared) are then built, never twice."""

    def __init__(self, scorers: list[Scorer[Any]]) -> None:
        self._thread = threading.Thread(target=self._run, args=(scorers,), name="scorer-warm-up", daemon=True)
        self._thread.start()

    @staticmethod
    def _run(scorers: list[Scorer[Any]]) -> None:
        for scorer in scorers:
            try:
                scorer.warm_up()
            except Exception:  # noqa: BLE001 - score_samples meets the same problem and reports it
                log.debug("warm-up of scorer %s failed", scorer.name, exc_info=True)

    def wait(self) -> None:
        self._thread.join()


def build_scorer(spec: ScorerSpec, context: ScoringContext, where: str) -> Scorer[Any]:
    """Instantiate a registered scorer with validated YAML args; errors name the file and key."""
    cls = SCORERS.get(spec.name)
    return cls(validate(cls.Args, spec.args, f"{where}: scorer '{spec.key}' args"), context)


def check_scorer_needs(task: LoadedTask, scorers: list[tuple[ScorerSpec, Scorer[Any]]]) -> None:
    have = set(task.spec.reference)
    for spec, scorer in scorers:
        missing = set(scorer.needs) - have
        if missing:
            raise ConfigError(f"{task.path}: scorer '{spec.key}' needs reference field(s) {sorted(missing)}, "
                              f"but the task's 'reference' is {sorted(have)}")


def build_task_scorers(task: LoadedTask, context: ScoringContext) -> list[tuple[ScorerSpec, Scorer[Any]]]:
    scorers = [(spec, build_scorer(spec, context, str(task.path))) for spec in task.spec.scorers]
    check_scorer_needs(task, scorers)
    return scorers


def items_from_records(records: list[SampleRecord]) -> list[ScoringItem]:
    return [ScoringItem(clip_id=r.clip_id, prediction=r.response if r.ok else None,
                        reference=r.reference, failed=not r.ok, structured=r.structured if r.ok else None)
            for r in records]


def text_only_note(scorer: Scorer[Any], items: list[ScoringItem]) -> str | None:
    """Why a text-only scorer cannot score these samples (None: it can): some answers are
    structured predictions without text (a classic recognizer such as fer-cnn). The scorer is
    skipped with this note rather than scoring those samples as empty answers."""
    if scorer.reads_structured:
        return None
    n = sum(1 for i in items if i.answered and i.prediction is None)
    if not n:
        return None
    return (f"it reads text answers, and {n} of {len(items)} samples have only a structured prediction "
            f"(class scores / valence-arousal, no text) from this model")


def _confidence_intervals(scorer: Scorer[Any], components: list[Any], clips: list[str], metrics: list[str],
                          n_resamples: int, seed: int) -> dict[str, tuple[float, float]]:
    if n_resamples <= 0 or not metrics or not components:
        return {}
    from emer_bench.metrics.bootstrap import bootstrap_ci

    return bootstrap_ci(components, scorer.aggregate, metrics, n_resamples=n_resamples, seed=seed, clusters=clips)


def score_task(
    task: LoadedTask,
    records: list[SampleRecord],
    scorers: list[tuple[ScorerSpec, Scorer[Any]]],
    scores_path: Path,
    n_resamples: int = 1000,
    seed: int = 1234,
) -> TaskScores:
    """Score `records` (in task order) with every scorer; writes `scores_path` (one line per sample)."""
    items = items_from_records(records)
    clips = [r.clip_id for r in records]
    n_failed = sum(1 for i in items if i.failed)
    result = TaskScores(metrics={}, scorer_configs=[], notes=[])
    per_sample: dict[str, list[Any]] = {}
    for spec, scorer in scorers:
        note = text_only_note(scorer, items)
        if note is not None:
            result.notes.append(f"scorer '{spec.key}' skipped: {note}")
            continue
        try:
            components = scorer.score_samples(items)
        except ResourceError as exc:
            if not spec.optional:
                raise
            result.notes.append(f"scorer '{spec.key}' skipped: {exc}")
            continue
        if len(components) != len(items):
            raise RuntimeError(f"scorer '{spec.key}' returned {len(components)} components for {len(items)} samples")
        per_sample[spec.key] = components
        values = scorer.aggregate(components)
        headline = [m for m in scorer.headline if m in values]
        cis = _confidence_intervals(scorer, components, clips, headline, n_resamples, seed)
        n_scored = sum(1 for c in components if c is not None)
        for metric, value in values.items():
            entry: MetricEntry = {"value": float(value), "n_total": len(items), "n_scored": n_scored,
                                  "n_failed": n_failed}
            if metric in cis:
                entry["ci95"] = [float(cis[metric][0]), float(cis[metric][1])]
            result.metrics[f"{spec.key}.{metric}"] = entry
        config: ScorerConfig = {"alias": spec.key, **scorer.describe()}  # type: ignore[typeddict-item]
        config["scorer"] = spec.name
        result.scorer_configs.append(config)
    _write_scores(scores_path, records, per_sample)
    return result


def _write_scores(path: Path, records: list[SampleRecord], per_sample: dict[str, list[Any]]) -> None:
    # Exclusive: a results file's scores are immutable (another run writes its own file).
    write_jsonl_atomic(path, ({"clip_id": r.clip_id, "index": r.index, "failed": not r.ok,
                               "scores": {key: comps[i] for key, comps in per_sample.items()}}
                              for i, r in enumerate(records)), exclusive=True)

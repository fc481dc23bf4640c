"""Scoring one task's records: build the task's scorers, compute per-sample components,
aggregate, attach bootstrap CIs to headline metrics, and write the per-sample scores file."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emer_bench.api.records import SampleRecord
from emer_bench.api.scorer import Scorer, ScoringContext, ScoringItem
from emer_bench.errors import ConfigError, ResourceError, UnknownNameError
from emer_bench.registries import SCORERS
from emer_bench.results.builder import TaskOutcome
from emer_bench.results.schema import MetricEntry, ScorerConfig
from emer_bench.results.writer import dumps_strict, write_jsonl_atomic
from emer_bench.runner.score_cache import (ScoreCache, bootstrap_settings, item_sha256, package_code_sha256,
                                          reusable_components, reusable_metrics, scorer_digest)
from emer_bench.tasks.loader import LoadedTask
from emer_bench.tasks.schema import ScorerSpec
from emer_bench.validation import validate

if TYPE_CHECKING:
    from emer_bench.metrics.bootstrap import SharedDraws

log = logging.getLogger(__name__)


TaskScores = TaskOutcome  # metrics, scorer configs, notes (e.g. an optional scorer skipped)


class ScorerWarmUp:
    """Runs every scorer's `warm_up` on one daemon thread while the model works. `wait()` before
    scoring: the scorers' shared objects (ScoringContext.shared) are then built, never twice.
    `start=False`: only when `start()` is called, i.e. when a model will work (a re-run that
    asks nothing and reuses its scores must not spend CPU on loading scorer libraries)."""

    def __init__(self, scorers: list[Scorer[Any]], start: bool = True) -> None:
        self._thread = threading.Thread(target=self._run, args=(scorers,), name="scorer-warm-up", daemon=True)
        self._started = False
        if start:
            self.start()

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    @staticmethod
    def _run(scorers: list[Scorer[Any]]) -> None:
        for scorer in scorers:
            try:
                scorer.warm_up()
            except Exception:  # noqa: BLE001 - score_samples meets the same problem and reports it
                log.debug("warm-up of scorer %s failed", scorer.name, exc_info=True)
        if scorers:
            package_code_sha256()  # for the scoring digests (cached for the process)
            # The bootstrap's np.percentile imports numpy.ma on its first call (np.unique asks
            # np.ma.is_masked): ~20 ms of imports after the last answer, unless done here.
            import numpy.ma  # noqa: F401, PLC0415

    def wait(self) -> None:
        if self._started:  # never started: score_samples loads what it needs itself
            self._thread.join()


def build_scorer(spec: ScorerSpec, context: ScoringContext, where: str) -> Scorer[Any]:
    """Instantiate a registered scorer with validated YAML args; errors name the file and key."""
    try:
        cls = SCORERS.get(spec.name)
    except UnknownNameError as exc:  # "unknown scorer 'rouge_ll'; did you mean ...": and in which file
        raise UnknownNameError(f"{where}: {exc}") from None
    return cls(validate(cls.Args, spec.args, f"{where}: scorer '{spec.key}' args"), context)


def check_scorer_needs(task: LoadedTask, scorers: list[tuple[ScorerSpec, Scorer[Any]]]) -> None:
    have = set(task.spec.reference)
    for spec, scorer in scorers:
        missing = set(scorer.needs) - have
        if missing:
            raise ConfigError(f"{task.path}: scorer '{spec.key}' needs reference field(s) {sorted(missing)}, "
                              f"but the task's 'reference' is {sorted(have)}")


def check_main_metric(task: LoadedTask, scorers: list[tuple[ScorerSpec, Scorer[Any]]]) -> None:
    """The metric part of `main_metric` names one of its scorer's metrics (the schema checks the
    scorer part). A typo (`rouge_l.fscor`) gave results without a headline, found only by the
    leaderboard; a scorer's `aggregate([])` names its metrics, cheaply, before any model loads."""
    key, _, metric = task.spec.main_metric.partition(".")
    for spec, scorer in scorers:
        if spec.key != key:
            continue
        try:
            names = sorted(scorer.aggregate([]))
        except Exception:  # noqa: BLE001 - a plugin's aggregate may need components: trust the YAML then
            return
        if names and metric not in names:
            raise ConfigError(f"{task.path}: key 'main_metric': scorer '{key}' has no metric '{metric}' "
                              f"(its metrics: {', '.join(names)})")


def build_task_scorers(task: LoadedTask, context: ScoringContext) -> list[tuple[ScorerSpec, Scorer[Any]]]:
    scorers = [(spec, build_scorer(spec, context, str(task.path))) for spec in task.spec.scorers]
    check_scorer_needs(task, scorers)
    check_main_metric(task, scorers)
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
                          n_resamples: int, seed: int, shared: SharedDraws | None = None) -> dict[str, tuple[float, float]]:
    if n_resamples <= 0 or not metrics or not components:
        return {}
    from emer_bench.metrics.bootstrap import bootstrap_ci

    return bootstrap_ci(components, scorer.aggregate, metrics, n_resamples=n_resamples, seed=seed, clusters=clips,
                        shared=shared)


def scoring_digests(task: LoadedTask, scorers: list[tuple[ScorerSpec, Scorer[Any]]]) -> dict[str, str]:
    """The scoring digest of every scorer whose components may be reused (runner/score_cache.py)."""
    return {spec.key: scorer_digest(task, spec.key, spec.optional, scorer) for spec, scorer in scorers
            if scorer.reuse_mode() != "none"}


@dataclass
class _Components:
    values: list[Any]
    reused: int  # taken from an earlier run's scores file
    sources: list[str]  # those scores files
    metrics: dict[str, Any] | None = None  # that run's metric entries, when they hold exactly (reusable_metrics)


def _components(spec: ScorerSpec, scorer: Scorer[Any], items: list[ScoringItem], hashes: list[str],
                caches: list[ScoreCache], settings: dict[str, Any]) -> _Components:
    """Every item's component: reused from `caches` (in order of preference; the first one an
    earlier run's) where allowed, the rest from `score_samples` (all of them for a scorer that
    allows no reuse); with the earlier run's metric entries when they hold for these components."""
    clips = [i.clip_id for i in items]
    taken: dict[int, Any] = {}
    reused, sources = 0, list[str]()
    for cache in caches:
        known = cache.get(spec.key)
        found = {i: c for i, c in reusable_components(scorer, known, clips, hashes).items() if i not in taken}
        if found and known is not None and known.source is not None:
            reused, sources = reused + len(found), [*sources, known.source]
        taken.update(found)
    missing = [i for i in range(len(items)) if i not in taken]
    fresh = scorer.score_samples([items[i] for i in missing]) if missing or not items else []
    if len(fresh) != len(missing):
        raise RuntimeError(f"scorer '{spec.key}' returned {len(fresh)} components for {len(missing)} samples")
    taken.update(zip(missing, fresh))
    metrics = reusable_metrics(caches[0].get(spec.key), clips, hashes, settings) if caches and not missing else None
    return _Components([taken[i] for i in range(len(items))], reused, sources, metrics)


def _round_trips(components: list[Any]) -> bool:
    """True when the scores file gives these components back exactly (no NaN turned into null, no
    tuple into a list, nothing masked): only then may a later run reuse them."""
    try:
        return bool(json.loads(dumps_strict(components)) == components)
    except (TypeError, ValueError):
        return False


def score_task(
    task: LoadedTask,
    records: list[SampleRecord],
    scorers: list[tuple[ScorerSpec, Scorer[Any]]],
    scores_path: Path,
    n_resamples: int = 1000,
    seed: int = 1234,
    caches: list[ScoreCache] | None = None,
    digests: dict[str, str] | None = None,
) -> TaskScores:
    """Score `records` (in task order) with every scorer; writes `scores_path` (one line per sample).
    `caches`: components known already (an earlier run's scores file, scoring while the model
    answered), reused where the scorer and the sample are unchanged; without them every sample is
    scored (`emer-bench score`). `digests`: `scoring_digests` when the caller has them."""
    items = items_from_records(records)
    hashes = [item_sha256(i) for i in items]
    digests = scoring_digests(task, scorers) if digests is None else digests
    clips = [r.clip_id for r in records]
    n_failed = sum(1 for i in items if i.failed)
    settings = bootstrap_settings(n_resamples, seed)
    result = TaskScores(metrics={}, scorer_configs=[], notes=[])
    per_sample: dict[str, list[Any]] = {}
    draws = _shared_draws(n_resamples)  # every scorer resamples the same clips with the same seed
    for spec, scorer in scorers:
        note = text_only_note(scorer, items)
        if note is not None:
            result.notes.append(f"scorer '{spec.key}' skipped: {note}")
            continue
        try:
            found = _components(spec, scorer, items, hashes, caches or [], settings)
        except ResourceError as exc:
            if not spec.optional:
                raise
            result.notes.append(f"scorer '{spec.key}' skipped: {exc}")
            continue
        components = per_sample[spec.key] = found.values
        _record_scoring_failures(result, spec.key, components)
        if found.metrics is not None:  # same components, order and bootstrap settings as that run
            result.metrics.update({f"{spec.key}.{metric}": entry for metric, entry in found.metrics.items()})
        else:
            _add_metrics(result, spec.key, scorer, components, clips, n_failed, n_resamples, seed, draws)
        config: ScorerConfig = {"alias": spec.key, **scorer.describe()}  # type: ignore[typeddict-item]
        config["scorer"] = spec.name
        config["bootstrap"] = settings
        # Components all read back from a scores file are JSON already: no need to check them.
        if spec.key in digests and (found.reused == len(components) or _round_trips(components)):
            config["scoring_sha256"] = digests[spec.key]
        if found.reused:
            config["reused"] = {"samples": found.reused, "scores_files": sorted(set(found.sources))}
        result.scorer_configs.append(config)
    _write_scores(scores_path, records, hashes, per_sample)
    return result


# What a scorer's component carries when its judge (judge/scorers.py), label extractor
# (openvocab.py, sentiment.py) or label-to-sentiment mapper (sentiment.py) failed on that sample.
_SCORING_ERROR_KEYS = ("judge_error", "extraction_error", "mapping_error")


def _record_scoring_failures(result: TaskScores, key: str, components: list[Any]) -> None:
    """Count the samples this scorer could not score (a judge's HTTP 500, an extractor's bad reply).
    They were only a `n_judge_failures` metric: a run whose judge failed on every clip printed
    "n/a" and exited 0, its error in the scores file only."""
    found = (next((c[k] for k in _SCORING_ERROR_KEYS if c.get(k)), None) for c in components if isinstance(c, dict))
    errors = [error for error in found if error]
    if errors:
        result.scoring_failures[key] = {"count": len(errors), "first": str(errors[0])}


def _shared_draws(n_resamples: int) -> SharedDraws | None:
    if n_resamples <= 0:
        return None
    from emer_bench.metrics.bootstrap import SharedDraws  # numpy: only when there is a bootstrap

    return SharedDraws()


def _add_metrics(result: TaskScores, key: str, scorer: Scorer[Any], components: list[Any], clips: list[str],
                 n_failed: int, n_resamples: int, seed: int, draws: SharedDraws | None = None) -> None:
    values = scorer.aggregate(components)
    headline = [m for m in scorer.headline if m in values]
    cis = _confidence_intervals(scorer, components, clips, headline, n_resamples, seed, draws)
    n_scored = sum(1 for c in components if c is not None)
    for metric, value in values.items():
        entry: MetricEntry = {"value": float(value), "n_total": len(components), "n_scored": n_scored,
                              "n_failed": n_failed}
        if metric in cis:
            entry["ci95"] = [float(cis[metric][0]), float(cis[metric][1])]
        result.metrics[f"{key}.{metric}"] = entry


def _write_scores(path: Path, records: list[SampleRecord], hashes: list[str], per_sample: dict[str, list[Any]]) -> None:
    # Exclusive: a results file's scores are immutable (another run writes its own file).
    write_jsonl_atomic(path, ({"clip_id": r.clip_id, "index": r.index, "failed": not r.ok, "item_sha256": hashes[i],
                               "scores": {key: comps[i] for key, comps in per_sample.items()}}
                              for i, r in enumerate(records)), exclusive=True)

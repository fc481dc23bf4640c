"""Verification: every number on the board is recomputed here from a submission's answers and
the task's own references; a claimed number that differs, a changed task, a foreign or
duplicated clip, too many failures, an unpinned resource each reject the submission."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import Scorer, ScoringContext, ScoringItem
from emer_bench.api.structured import StructuredPrediction, StructuredPredictionError
from emer_bench.errors import EmerBenchError
from emer_bench.leaderboard.limits import CLAIM_TOLERANCE, MAX_FAILED_FRACTION
from emer_bench.leaderboard.reading import Problems, Submission, load_submission, read_submitted_samples
from emer_bench.leaderboard.schema import SubmittedSample, SubmittedTask
from emer_bench.leaderboard.taskdata import TaskData, load_task_data, references_sha256
from emer_bench.runner.score import build_task_scorers, text_only_note
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import import_plugins

VERIFIED, NOT_VERIFIABLE = "verified", "not verifiable here"


@dataclass
class Recomputed:
    """One scorer's per-sample components and aggregate, computed here."""

    scorer: Scorer[Any]
    components: list[Any]
    metrics: dict[str, float]


@dataclass
class TaskEntry:
    """One (submission, task) row."""

    submission: Submission
    task: str
    status: str  # VERIFIED or NOT_VERIFIABLE
    main_metric: str
    samples: list[SubmittedSample]
    metrics: dict[str, float]  # recomputed (verified) or as claimed (not verifiable here)
    modalities: list[str]
    data: TaskData
    scorers: dict[str, Recomputed] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    claimed_ci: list[float] | None = None

    @property
    def n_failed(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    @property
    def main_value(self) -> float | None:
        value = self.metrics.get(self.main_metric)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    def reference(self, clip_id: str) -> Reference | None:
        doc = (self.data.documents or {}).get(clip_id)
        return doc.reference if doc is not None else None


@dataclass
class VerifyOptions:
    data_dir: Path | None = None
    resources_dir: Path | None = None
    resource_version: str = "mer2025"
    include_paths: list[Path] = field(default_factory=list)
    max_failed_fraction: float = MAX_FAILED_FRACTION
    tolerance: float = CLAIM_TOLERANCE
    # Scorers' shared heavy objects (embedding models) live in the context: pass one to reuse them
    # across several verifications in one process.
    context: ScoringContext | None = None


@dataclass
class BoardCheck:
    entries: list[TaskEntry]
    problems: Problems
    submissions: list[Submission]


def _close(claimed: Any, recomputed: float, tolerance: float) -> bool:
    if claimed is None:  # a NaN metric is written as null
        return math.isnan(recomputed)
    if not isinstance(claimed, (int, float)):
        return False
    return (math.isnan(recomputed) and math.isnan(claimed)) or abs(float(claimed) - recomputed) <= tolerance


def _check_samples(who: str, task: str, spec: SubmittedTask, samples: list[SubmittedSample], claimed: dict[str, Any],
                   options: VerifyOptions, problems: Problems) -> None:
    dupes = sorted(c for c, n in Counter(s.clip_id for s in samples).items() if n > 1)
    if dupes:
        problems.add(who, f"task '{task}': duplicated clip id(s) {dupes[:10]}")
    n_failed = sum(1 for s in samples if not s.ok)
    if len(samples) != spec.n_samples or claimed.get("n_total") != len(samples):
        problems.add(who, f"task '{task}': {len(samples)} samples in {spec.samples_file}, but "
                          f"submission.json says {spec.n_samples} and results.json n_total {claimed.get('n_total')!r}")
    if claimed.get("n_failed") != n_failed:
        problems.add(who, f"task '{task}': results.json n_failed {claimed.get('n_failed')!r}, samples show {n_failed}")
    if samples and n_failed / len(samples) > options.max_failed_fraction:
        problems.add(who, f"task '{task}': {n_failed} of {len(samples)} samples failed, over the limit of "
                          f"{options.max_failed_fraction:.0%}")


def _check_task_identity(who: str, data: TaskData, spec: SubmittedTask, config: dict[str, Any],
                         problems: Problems) -> None:
    task = data.task
    for key, current in (("version", task.spec.version), ("content_sha256", task.content_sha256)):
        if config.get(key) != current:
            problems.add(who, f"task '{task.name}': {key} {config.get(key)!r} in the submission, the task here has "
                              f"{current!r}; re-run on the current task")
    if list(config.get("modalities", [])) != spec.modalities:
        problems.add(who, f"task '{task.name}': modalities {spec.modalities} in submission.json, "
                          f"{config.get('modalities')!r} in results.json")


def _check_clips(who: str, data: TaskData, spec: SubmittedTask, samples: list[SubmittedSample],
                 problems: Problems) -> bool:
    docs = data.documents or {}
    ids = [s.clip_id for s in samples]
    foreign = sorted(set(ids) - set(docs))
    missing = [c for c in docs if c not in set(ids)]
    if foreign:
        problems.add(who, f"task '{data.task.name}': clip id(s) not in the task: {foreign[:10]}")
    if missing:
        problems.add(who, f"task '{data.task.name}': incomplete, {len(missing)} of {len(docs)} clips missing "
                          f"(e.g. {missing[:5]})")
    if foreign:
        return False
    digest = references_sha256([(c, docs[c].reference) for c in dict.fromkeys(ids)])
    if digest != spec.references_sha256:
        problems.add(who, f"task '{data.task.name}': the task data here differs from the data the run was scored "
                          f"on (references sha256 {digest[:12]} vs {spec.references_sha256[:12]})")
        return False
    return True


def _structured(who: str, task: str, samples: list[SubmittedSample],
                problems: Problems) -> list[StructuredPrediction | None] | None:
    out: list[StructuredPrediction | None] = []
    for s in samples:
        try:
            out.append(StructuredPrediction.from_dict(s.structured) if s.structured and s.ok else None)
        except (StructuredPredictionError, TypeError, ValueError) as exc:
            problems.add(who, f"task '{task}': clip '{s.clip_id}': invalid structured prediction ({exc})")
            return None
    return out


def _recompute(data: TaskData, samples: list[SubmittedSample], structured: list[StructuredPrediction | None],
               context: ScoringContext, notes: list[str]) -> dict[str, Recomputed]:
    """Score the submitted answers against the task's references with the task's current scorers,
    skipping what the run itself skips (text scorers on structure-only answers)."""
    import_plugins(data.task)
    docs = data.documents or {}
    items = [ScoringItem(clip_id=s.clip_id, prediction=s.response if s.ok else None, structured=st,
                         reference=docs[s.clip_id].reference, failed=not s.ok) for s, st in zip(samples, structured)]
    out: dict[str, Recomputed] = {}
    for spec, scorer in build_task_scorers(data.task, context):
        note = text_only_note(scorer, items)
        if note is not None:
            notes.append(f"scorer '{spec.key}' skipped: {note}")
            continue
        try:
            components = scorer.score_samples(items)
        except EmerBenchError as exc:  # e.g. resources or a judge model absent here
            # First clause only: the rest names local paths (resource caches) that must not be published.
            notes.append(f"scorer '{spec.key}' not recomputed here: {str(exc).split(':', 1)[0]}")
            continue
        out[spec.key] = Recomputed(scorer, components, scorer.aggregate(components))
    return out


def _check_claims(who: str, task: str, claimed: dict[str, Any], recomputed: dict[str, Recomputed], tolerance: float,
                  problems: Problems, notes: list[str]) -> None:
    for name, entry in claimed.items():
        alias, _, metric = str(name).partition(".")
        rec = recomputed.get(alias)
        if rec is None:
            notes.append(f"claimed '{name}' not recomputed here (scorer '{alias}' unavailable); not shown")
            continue
        if metric not in rec.metrics:
            problems.add(who, f"task '{task}': claimed metric '{name}' is not produced by scorer '{alias}'")
            continue
        value = entry.get("value") if isinstance(entry, dict) else entry
        if not _close(value, float(rec.metrics[metric]), tolerance):
            problems.add(who, f"task '{task}': {name} claimed {value!r}, recomputed {float(rec.metrics[metric])!r}")


PIN_KEYS = ("version", "sha256", "model", "package")


def _check_pins(who: str, task: str, config_scorers: Any, recomputed: dict[str, Recomputed],
                problems: Problems) -> None:
    """A scorer that uses resources here must have run with the same pinned resources."""
    claimed = {c.get("alias"): c for c in config_scorers or [] if isinstance(c, dict)}
    for alias, rec in recomputed.items():
        ours = rec.scorer.describe().get("resources") or {}
        if not ours or alias not in claimed:
            continue
        theirs = claimed[alias].get("resources")
        if not isinstance(theirs, dict):
            problems.add(who, f"task '{task}': scorer '{alias}' records no resource versions; re-run to pin them")
            continue
        for res_name, pins in ours.items():
            found = theirs.get(res_name)
            recorded: dict[str, Any] = found if isinstance(found, dict) else {}
            for key in PIN_KEYS:
                if isinstance(pins, dict) and key in pins and recorded.get(key) != pins[key]:
                    problems.add(who, f"task '{task}': scorer '{alias}' resource '{res_name}' {key} "
                                      f"{recorded.get(key)!r} in the run, {pins[key]!r} here")


def _numbers(metrics: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, entry in (metrics or {}).items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[str(name)] = float(value)
    return out


def verify_task(sub: Submission, task_name: str, spec: SubmittedTask, index: TaskIndex, options: VerifyOptions,
                context: ScoringContext, problems: Problems) -> TaskEntry | None:
    who = sub.slug
    claimed = sub.results["results"].get(task_name)
    if not isinstance(claimed, dict) or not isinstance(claimed.get("config"), dict):
        problems.add(who, f"task '{task_name}': no result with a config in results.json")
        return None
    try:
        data = load_task_data(index, task_name, options.data_dir)
    except EmerBenchError as exc:
        problems.add(who, f"task '{task_name}': {exc}")
        return None
    _check_task_identity(who, data, spec, claimed["config"], problems)
    samples = read_submitted_samples(sub.folder / spec.samples_file, who, problems)
    if samples is None:
        return None
    samples.sort(key=lambda s: s.index)
    _check_samples(who, task_name, spec, samples, claimed, options, problems)
    entry = TaskEntry(sub, task_name, NOT_VERIFIABLE, data.task.spec.main_metric, samples, {}, spec.modalities, data)
    if data.documents is None:
        entry.notes.append(str(data.unavailable))
        entry.metrics = _numbers(claimed.get("metrics"))
        ci = (claimed.get("metrics") or {}).get(entry.main_metric, {})
        entry.claimed_ci = ci.get("ci95") if isinstance(ci, dict) else None
        return entry
    structured = _structured(who, task_name, samples, problems)
    if not _check_clips(who, data, spec, samples, problems) or structured is None:
        return None
    entry.scorers = _recompute(data, samples, structured, context, entry.notes)
    _check_claims(who, task_name, claimed.get("metrics") or {}, entry.scorers, options.tolerance, problems,
                  entry.notes)
    _check_pins(who, task_name, claimed["config"].get("scorers"), entry.scorers, problems)
    entry.metrics = {f"{a}.{m}": float(v) for a, r in entry.scorers.items() for m, v in r.metrics.items()}
    entry.status = VERIFIED  # every number shown was recomputed here
    if entry.main_metric not in entry.metrics:
        entry.notes.append(f"main metric '{entry.main_metric}' not computed for these answers (see the notes "
                           "above); the row is shown, not ranked")
    return entry


def verify_board(board_dir: Path, options: VerifyOptions) -> BoardCheck:
    """Check every submission under `board_dir/submissions`; all problems are collected."""
    problems = Problems()
    folder = Path(board_dir) / "submissions"
    index = TaskIndex(include_paths=list(options.include_paths))
    context = options.context or ScoringContext(resources_dir=options.resources_dir,
                                                resource_version=options.resource_version)
    entries: list[TaskEntry] = []
    submissions: list[Submission] = []
    for sub_dir in sorted(folder.iterdir()) if folder.is_dir() else []:
        sub = load_submission(sub_dir, problems)
        if sub is None:
            continue
        submissions.append(sub)
        for task_name, spec in sub.meta.tasks.items():
            entry = verify_task(sub, task_name, spec, index, options, context, problems)
            if entry is not None:
                entries.append(entry)
    return BoardCheck(entries, problems, submissions)

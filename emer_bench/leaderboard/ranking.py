"""Per-task ranking: verified rows ordered by the task's main metric with seeded bootstrap 95%
CIs; neighbours whose paired-bootstrap difference (on the clips both answered) is not
significant are marked; per-emotion breakdown and the modality view from the same components."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from emer_bench.leaderboard.verify import VERIFIED, TaskEntry
from emer_bench.metrics.bootstrap import bootstrap_ci, paired_bootstrap_many

LOWER_IS_BETTER = {"mse", "mae", "rmse", "wer", "loss", "error"}


def higher_is_better(metric: str) -> bool:
    return metric.rsplit(".", 1)[-1].lower() not in LOWER_IS_BETTER


@dataclass
class RankSettings:
    n_resamples: int = 1000
    seed: int = 1234
    alpha: float = 0.05


@dataclass
class RankedRow:
    entry: TaskEntry
    rank: int | None = None  # None: not ranked (not verifiable here)
    ci95: tuple[float, float] | None = None
    tied_with_next: bool | None = None  # difference to the next ranked row not significant
    p_value_vs_next: float | None = None


@dataclass
class TaskBoard:
    task: str
    version: str
    content_sha256: str
    main_metric: str
    rows: list[RankedRow]
    # submission slug -> reference label -> (main metric on that label's clips, number of clips)
    per_emotion: dict[str, dict[str, tuple[float, int]]] = field(default_factory=dict)
    # model id -> [(modalities, slug, main value)] for models run with several modality sets
    modality_view: dict[str, list[tuple[list[str], str, float | None]]] = field(default_factory=dict)


def _main_parts(entry: TaskEntry) -> tuple[str, str]:
    alias, _, metric = entry.main_metric.partition(".")
    return alias, metric


def _ci(entry: TaskEntry, settings: RankSettings) -> tuple[float, float] | None:
    alias, metric = _main_parts(entry)
    rec = entry.scorers.get(alias)
    if rec is None or not rec.components:
        return None
    clips = [s.clip_id for s in entry.samples]
    ci = bootstrap_ci(rec.components, rec.scorer.aggregate, [metric], settings.n_resamples, settings.seed,
                      clusters=clips, alpha=settings.alpha)
    return ci.get(metric)


def _paired(a: TaskEntry, b: TaskEntry, settings: RankSettings) -> tuple[bool, float] | None:
    """(significant, p) for b - a on the clips both answered; None when they share none."""
    alias, metric = _main_parts(a)
    rec_a, rec_b = a.scorers[alias], b.scorers[alias]
    pos_b = {s.clip_id: i for i, s in enumerate(b.samples)}
    pairs = [(i, pos_b[s.clip_id]) for i, s in enumerate(a.samples) if s.clip_id in pos_b]
    if not pairs:
        return None
    comps_a = [rec_a.components[i] for i, _ in pairs]
    comps_b = [rec_b.components[j] for _, j in pairs]
    clips = [a.samples[i].clip_id for i, _ in pairs]
    result = paired_bootstrap_many(comps_a, comps_b, rec_a.scorer.aggregate, rec_b.scorer.aggregate, [metric],
                                   settings.n_resamples, settings.seed, clusters=clips, alpha=settings.alpha)[metric]
    return result.significant, result.p_value


def _ranked(entries: list[TaskEntry], settings: RankSettings) -> list[RankedRow]:
    good = [e for e in entries if e.status == VERIFIED and e.main_value is not None]
    sign = -1.0 if good and higher_is_better(good[0].main_metric) else 1.0
    good.sort(key=lambda e: (sign * float(e.main_value or 0.0), e.submission.meta.name.lower(), e.submission.slug))
    rows = [RankedRow(e, ci95=_ci(e, settings)) for e in good]
    for i, row in enumerate(rows):
        same = i > 0 and rows[i - 1].entry.main_value == row.entry.main_value
        row.rank = rows[i - 1].rank if same else i + 1
        if i + 1 < len(rows):
            paired = _paired(row.entry, rows[i + 1].entry, settings)
            if paired is not None:
                row.tied_with_next, row.p_value_vs_next = not paired[0], paired[1]
    rest = [e for e in entries if e not in good]
    rest.sort(key=lambda e: (e.submission.meta.name.lower(), e.submission.slug))
    return rows + [RankedRow(e) for e in rest]


def _per_emotion(entry: TaskEntry) -> dict[str, tuple[float, int]]:
    alias, metric = _main_parts(entry)
    rec = entry.scorers.get(alias)
    if rec is None:
        return {}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, sample in enumerate(entry.samples):
        ref = entry.reference(sample.clip_id)
        if ref is not None and ref.label:
            groups[ref.label].append(i)
    out = {}
    for label in sorted(groups):
        value = rec.scorer.aggregate([rec.components[i] for i in groups[label]]).get(metric)
        if value is not None:
            out[label] = (float(value), len(groups[label]))
    return out


def _modality_view(entries: list[TaskEntry]) -> dict[str, list[tuple[list[str], str, float | None]]]:
    by_model: dict[str, list[TaskEntry]] = defaultdict(list)
    for entry in entries:
        by_model[entry.submission.meta.model_id].append(entry)
    view = {}
    for model_id, group in sorted(by_model.items()):
        if len({tuple(sorted(e.modalities)) for e in group}) > 1:
            view[model_id] = [(sorted(e.modalities), e.submission.slug, e.main_value)
                              for e in sorted(group, key=lambda e: (len(e.modalities), sorted(e.modalities)))]
    return view


def rank_tasks(entries: list[TaskEntry], settings: RankSettings | None = None) -> list[TaskBoard]:
    settings = settings or RankSettings()
    by_task: dict[str, list[TaskEntry]] = defaultdict(list)
    for entry in entries:
        by_task[entry.task].append(entry)
    boards = []
    for task_name in sorted(by_task):
        group = by_task[task_name]
        task = group[0].data.task
        board = TaskBoard(task_name, task.spec.version, task.content_sha256, task.spec.main_metric,
                          _ranked(group, settings), modality_view=_modality_view(group))
        board.per_emotion = {e.submission.slug: pe for e in group if e.status == VERIFIED
                             for pe in [_per_emotion(e)] if pe}
        boards.append(board)
    return boards

"""`leaderboard/leaderboard.json`: the whole board for machines (schema in docs/leaderboard.md).

Deterministic (no timestamps; sorted keys), so CI commits only when a number changes. Metric
values are fractions as the scorers produce them; reported figures are kept as printed.
"""

from __future__ import annotations

import math
from typing import Any

from emer_bench import __version__
from emer_bench.leaderboard.ranking import RankedRow, RankSettings, TaskBoard, higher_is_better
from emer_bench.leaderboard.reading import Submission
from emer_bench.leaderboard.reported import ReportedFile

SCHEMA_VERSION = 1


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def _row(row: RankedRow) -> dict[str, Any]:
    e = row.entry
    meta = e.submission.meta
    return {
        "rank": row.rank, "submission": meta.slug, "name": meta.name, "model_id": meta.model_id,
        "params": meta.params, "status": e.status, "value": _num(e.main_value),
        "ci95": [_num(v) for v in row.ci95] if row.ci95 else ([_num(v) for v in e.claimed_ci] if e.claimed_ci
                                                               else None),
        "ci95_source": "recomputed" if row.ci95 else ("claimed" if e.claimed_ci else None),
        "tied_with_next": row.tied_with_next, "p_value_vs_next": _num(row.p_value_vs_next),
        "n_total": len(e.samples), "n_failed": e.n_failed, "modalities": list(e.modalities),
        "metrics": {k: _num(v) for k, v in sorted(e.metrics.items())}, "notes": list(e.notes),
    }


def _task(board: TaskBoard) -> dict[str, Any]:
    return {
        "task": board.task, "version": board.version, "content_sha256": board.content_sha256,
        "main_metric": board.main_metric, "higher_is_better": higher_is_better(board.main_metric),
        "rows": [_row(r) for r in board.rows],
        "per_emotion": {slug: {label: {"value": _num(v), "n": n} for label, (v, n) in groups.items()}
                        for slug, groups in sorted(board.per_emotion.items())},
        "modality_view": {model: [{"modalities": m, "submission": slug, "value": _num(v)} for m, slug, v in runs]
                          for model, runs in board.modality_view.items()},
    }


def _submission(sub: Submission) -> dict[str, Any]:
    m = sub.meta
    return {"slug": m.slug, "name": m.name, "link": m.link, "params": m.params, "notes": m.notes,
            "hardware": m.hardware, "date": m.date, "emer_bench_version": m.emer_bench_version,
            "git_commit": m.git_commit, "model": m.model, "model_id": m.model_id, "model_args": m.model_args,
            "tasks": {t: {"modalities": s.modalities, "n_samples": s.n_samples} for t, s in sorted(m.tasks.items())}}


def _reported(reported: list[tuple[str, ReportedFile]]) -> list[dict[str, Any]]:
    return [{"file": name, "status": "reported, not recomputed", "source": rf.source.model_dump(),
             **fig.model_dump()} for name, rf in reported for fig in rf.figures]


def board_json(boards: list[TaskBoard], submissions: list[Submission], reported: list[tuple[str, ReportedFile]],
               settings: RankSettings) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "emer_bench_version": __version__,
        "settings": {"n_resamples": settings.n_resamples, "seed": settings.seed, "alpha": settings.alpha,
                     "ci": "percentile bootstrap over clips, 95%",
                     "tied_with_next": "paired bootstrap on shared clips, p >= alpha"},
        "tasks": [_task(b) for b in boards],
        "reported": _reported(reported),
        "submissions": [_submission(s) for s in sorted(submissions, key=lambda s: s.slug)],
    }

"""Modality ablation: run the same tasks with several modality sets (one model load) and report
what each input contributes: the main metric per set, and for every pair of sets the paired
difference on the clips both scored with its bootstrap 95% CI and p-value (results/compare.py's
paired bootstrap, whole clips resampled).

Each set is an ordinary run (`--modalities SET`): its own results file and samples files, so a
crashed ablation resumes set by set and any two sets can be compared again with `compare`.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from emer_bench.api.requests import Modality
from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import ConfigError
from emer_bench.results.compare import compare_runs
from emer_bench.results.writer import write_json_atomic
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import Notify, ProgressFactory, RunConfig, build_adapter, plan_tasks, run_evaluation
from emer_bench.runner.prechecks import check_media
from emer_bench.runner.generate import utc_now


def set_name(modalities: tuple[Modality, ...]) -> str:
    return "+".join(m.value for m in modalities)


@dataclass
class AblationReport:
    tasks: list[str]
    sets: list[str]
    results_files: dict[str, str]  # set -> results file
    scores: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # task -> set -> metric entry
    pairs: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "sets": self.sets, "results_files": self.results_files,
                "scores": self.scores, "pairs": self.pairs}


def run_ablation(config: RunConfig, sets: list[tuple[Modality, ...]], metric: str | None = None,
                 progress_factory: ProgressFactory | None = None,
                 notify: Notify | None = None) -> tuple[AblationReport, Path | None]:
    """Run `config` once per modality set, then pair every two sets. Returns the report and the
    path of `ablation_<time>.json` (a `.md` table is written beside it); None on non-main ranks."""
    if len(sets) < 2 or len(set(sets)) != len(sets):
        raise ConfigError("ablate: give at least two different modality sets (--modalities SET, repeated)")
    context = ScoringContext(resources_dir=config.resources_dir, resource_version=config.resource_version,
                             seed=config.seed)
    takes = ADAPTERS.get(config.model).modalities
    for modalities in sets:  # every task with every set is valid, and has its media, before the model loads
        for plan in plan_tasks(replace(config, modalities=modalities), context):
            check_media(plan.task.name, plan.requests, takes)
    adapter = build_adapter(config)
    paths: dict[str, Path] = {}
    try:
        for modalities in sets:
            _, path = run_evaluation(replace(config, modalities=modalities), progress_factory, notify,
                                     adapter=adapter)
            if path is None:
                return AblationReport([], [], {}), None
            paths[set_name(modalities)] = path
    finally:
        adapter.close()
    report = build_report(paths, metric, config.n_resamples, config.seed)
    out = Path(config.output_dir) / f"ablation_{utc_now().replace(':', '-').replace('+00-00', 'Z')}.json"
    write_json_atomic(out, report.to_json())
    out.with_suffix(".md").write_text(markdown_table(report), encoding="utf-8")
    return report, out


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def build_report(paths: dict[str, Path], metric: str | None, n_resamples: int, seed: int) -> AblationReport:
    results = {name: _read(p) for name, p in paths.items()}
    first = next(iter(results.values()))
    report = AblationReport(tasks=list(first["results"]), sets=list(paths),
                            results_files={k: str(v) for k, v in paths.items()})
    for task in report.tasks:
        main = metric or first["results"][task]["config"]["main_metric"]
        report.scores[task] = {name: {"metric": main, **res["results"][task]["metrics"].get(main, {})}
                               for name, res in results.items()}
        for set_a, set_b in itertools.combinations(paths, 2):
            (comparison,) = compare_runs(paths[set_a], paths[set_b], task=task, metric=main,
                                         n_resamples=max(n_resamples, 1), seed=seed, allow_task_mismatch=True)
            for row in comparison.rows:
                r = row.result
                report.pairs.append({"task": task, "metric": row.name, "a": set_a, "b": set_b,
                                     "value_a": r.value_a, "value_b": r.value_b, "diff": r.diff,
                                     "ci95": list(r.ci), "p_value": r.p_value, "n_clips": comparison.n_common})
    return report


def _fmt(value: Any) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.4f}"


def markdown_table(report: AblationReport) -> str:
    lines = ["# Modality contribution", ""]
    for task in report.tasks:
        scores = report.scores[task]
        metric = next(iter(scores.values()))["metric"]
        lines += [f"## {task} ({metric})", "", "| modalities | value | 95% CI | n |", "| --- | --- | --- | --- |"]
        for name, entry in scores.items():
            ci = entry.get("ci95")
            lines.append(f"| {name} | {_fmt(entry.get('value'))} | "
                         f"{f'[{_fmt(ci[0])}, {_fmt(ci[1])}]' if ci else ''} | {entry.get('n_scored', '')} |")
        lines += ["", "| B vs A | A | B | B - A | 95% CI | p | clips |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for p in (p for p in report.pairs if p["task"] == task):
            lines.append(f"| {p['b']} vs {p['a']} | {_fmt(p['value_a'])} | {_fmt(p['value_b'])} | {_fmt(p['diff'])} | "
                         f"[{_fmt(p['ci95'][0])}, {_fmt(p['ci95'][1])}] | {p['p_value']:.3f} | {p['n_clips']} |")
        lines.append("")
    return "\n".join(lines)

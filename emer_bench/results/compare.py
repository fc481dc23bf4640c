"""Comparing two runs clip by clip: read both results files and their per-sample scores files,
rebuild each scorer from its recorded config, and run a paired bootstrap on the common clips.

Items are aligned by (clip id, occurrence of that clip id in the scores file), so runs with a
different --limit or order still pair the same clips; the bootstrap resamples whole clips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from emer_bench.api.scorer import Scorer, ScoringContext
from emer_bench.errors import ConfigError, DataError
from emer_bench.validation import validate
from emer_bench.metrics.bootstrap import PairedResult, paired_bootstrap_many
from emer_bench.registries import SCORERS
from emer_bench.results.schema import ResultsFile, ScorerConfig, TaskConfigRecord
from emer_bench.results.writer import file_sha256, read_results, to_strict_json
from emer_bench.jsonl import read_json_objects

ItemKey = tuple[str, int]  # (clip_id, occurrence of the clip id within the file)


@dataclass
class TaskRun:
    """One task of one results file, with its per-sample score lines keyed for alignment."""

    results_path: Path
    config: TaskConfigRecord
    lines: dict[ItemKey, dict[str, Any]]
    scores_path: Path


@dataclass
class MetricComparison:
    task: str
    alias: str
    metric: str
    result: PairedResult

    @property
    def name(self) -> str:
        return f"{self.alias}.{self.metric}"


@dataclass
class TaskComparison:
    task: str
    n_common: int
    n_only_a: int
    n_only_b: int
    rows: list[MetricComparison] = field(default_factory=list)
    n_failed_a: int = 0  # failed samples among the common clips (they count in both runs' metrics)
    n_failed_b: int = 0


def read_score_lines(path: Path) -> dict[ItemKey, dict[str, Any]]:
    """The SampleScoreLines of a scores file, in index order, keyed by (clip_id, occurrence)."""
    if not path.is_file():
        raise DataError(f"scores file not found: {path} (it must sit beside its results file)")
    lines: list[dict[str, Any]] = []
    for line_no, line in read_json_objects(path):
        if not isinstance(line.get("clip_id"), str) or not isinstance(line.get("scores"), dict):
            raise DataError(f"{path}:{line_no}: not a score line (needs 'clip_id' and 'scores')")
        line["_line_no"] = line_no
        lines.append(line)
    lines.sort(key=lambda ln: (ln.get("index", 0), ln["_line_no"]))
    keyed: dict[ItemKey, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for line in lines:
        k = seen.get(line["clip_id"], 0)
        seen[line["clip_id"]] = k + 1
        keyed[(line["clip_id"], k)] = line
    return keyed


def load_task_run(results_path: Path, results: ResultsFile, task: str) -> TaskRun:
    """The task's per-sample scores exactly as this results file computed them: the file it
    names, checked against the hash it recorded (older results files carry no hash)."""
    entry = results["results"][task]
    config = entry.get("config")
    if not isinstance(config, dict) or not config.get("scores_file"):
        raise DataError(f"{results_path}: task '{task}' has no config.scores_file")
    scores_path = results_path.parent / config["scores_file"]
    expected = config.get("scores_sha256")
    if expected and scores_path.is_file() and file_sha256(scores_path) != expected:
        raise DataError(f"{scores_path} was changed after {results_path} was written (sha256 differs); "
                        f"its scores are not the ones the results report")
    return TaskRun(results_path, config, read_score_lines(scores_path), scores_path)


def common_tasks(path_a: Path, a: ResultsFile, path_b: Path, b: ResultsFile, task: str | None) -> list[str]:
    if task is not None:
        for path, results in ((path_a, a), (path_b, b)):
            if task not in results["results"]:
                raise DataError(f"{path}: no task '{task}' (it has {sorted(results['results'])})")
        return [task]
    shared = [t for t in a["results"] if t in b["results"]]
    if not shared:
        raise DataError(f"{path_a} and {path_b} have no task in common "
                        f"({sorted(a['results'])} vs {sorted(b['results'])})")
    return shared


def check_same_task(task: str, a: TaskRun, b: TaskRun) -> None:
    for key in ("version", "content_sha256"):
        if a.config.get(key) != b.config.get(key):
            raise DataError(f"task '{task}' differs between the runs: {key} {a.config.get(key)!r} in "
                            f"{a.results_path} vs {b.config.get(key)!r} in {b.results_path}; "
                            f"pass --allow-task-mismatch to compare the common clips anyway")


def common_scorers(task: str, a: TaskRun, b: TaskRun) -> list[ScorerConfig]:
    """Scorer configs present in both runs under the same alias; a differing definition is an error."""
    by_alias_b = {c["alias"]: c for c in b.config.get("scorers", [])}
    shared: list[ScorerConfig] = []
    for config in a.config.get("scorers", []):
        other = by_alias_b.get(config["alias"])
        if other is None:
            continue
        for key in ("scorer", "args"):
            if config.get(key) != other.get(key):
                raise DataError(f"task '{task}': scorer '{config['alias']}' has a different {key} in the two runs "
                                f"({config.get(key)!r} vs {other.get(key)!r}); their scores are not comparable")
        shared.append(config)
    if not shared:
        raise DataError(f"task '{task}': the runs share no scorer (A: {[c['alias'] for c in a.config.get('scorers', [])]}, "
                        f"B: {list(by_alias_b)})")
    return shared


def rebuild_scorer(config: ScorerConfig) -> Scorer[Any]:
    """The scorer as it was configured; constructors are cheap, only `aggregate` is used."""
    cls = SCORERS.get(config["scorer"])
    what = f"scorer '{config['alias']}' ({config['scorer']}): recorded args are invalid now"
    return cls(validate(cls.Args, config.get("args", {}), what, DataError), ScoringContext())


def components(run: TaskRun, keys: list[ItemKey], alias: str) -> list[Any]:
    out = []
    for key in keys:
        line = run.lines[key]
        if alias not in line["scores"]:
            raise DataError(f"{run.scores_path}:{line['_line_no']}: no scores for scorer '{alias}'")
        out.append(line["scores"][alias])
    return out


def select_metrics(scorer: Scorer[Any], alias: str, produced: dict[str, float], metric: str | None,
                   all_metrics: bool) -> list[str]:
    if metric is not None:
        wanted = metric.split(".", 1)[1] if metric.startswith(f"{alias}.") else metric
        return [wanted] if wanted in produced else []
    if all_metrics or not scorer.headline:
        return list(produced)
    return [m for m in scorer.headline if m in produced]


def compare_runs(path_a: Path, path_b: Path, task: str | None = None, metric: str | None = None,
                 all_metrics: bool = False, n_resamples: int = 1000, seed: int = 1234, alpha: float = 0.05,
                 allow_task_mismatch: bool = False) -> list[TaskComparison]:
    a, b = read_results(path_a), read_results(path_b)
    out: list[TaskComparison] = []
    available: set[str] = set()
    for task_name in common_tasks(path_a, a, path_b, b, task):
        run_a, run_b = load_task_run(path_a, a, task_name), load_task_run(path_b, b, task_name)
        if not allow_task_mismatch:
            check_same_task(task_name, run_a, run_b)
        keys = [k for k in run_a.lines if k in run_b.lines]
        if not keys:
            raise DataError(f"task '{task_name}': no clip in common between {run_a.scores_path} and {run_b.scores_path}")
        comparison = TaskComparison(task_name, len(keys), len(run_a.lines) - len(keys), len(run_b.lines) - len(keys),
                                    n_failed_a=sum(1 for k in keys if run_a.lines[k].get("failed")),
                                    n_failed_b=sum(1 for k in keys if run_b.lines[k].get("failed")))
        clusters = [clip for clip, _ in keys]
        for config in common_scorers(task_name, run_a, run_b):
            scorer, alias = rebuild_scorer(config), config["alias"]
            comps_a, comps_b = components(run_a, keys, alias), components(run_b, keys, alias)
            produced = scorer.aggregate(comps_a)
            available.update(f"{alias}.{m}" for m in produced)
            metrics = select_metrics(scorer, alias, produced, metric, all_metrics)
            if not metrics:
                continue
            results = paired_bootstrap_many(comps_a, comps_b, scorer.aggregate, scorer.aggregate, metrics,
                                            n_resamples=n_resamples, seed=seed, clusters=clusters, alpha=alpha)
            comparison.rows += [MetricComparison(task_name, alias, m, r) for m, r in results.items()]
        out.append(comparison)
    if metric is not None and not any(c.rows for c in out):
        raise ConfigError(f"no scorer produces metric '{metric}'; available: {', '.join(sorted(available))}")
    return out


def comparisons_to_json(comparisons: list[TaskComparison], a: Path, b: Path, n_resamples: int, seed: int,
                        alpha: float) -> dict[str, Any]:
    """The comparison as plain JSON (NaN as null): what `compare --json` prints."""
    data: dict[str, Any] = to_strict_json({
        "a": str(a), "b": str(b), "n_resamples": n_resamples, "seed": seed, "alpha": alpha,
        "tasks": [{
            "task": c.task, "n_common": c.n_common, "n_only_a": c.n_only_a, "n_only_b": c.n_only_b,
            "n_failed_a": c.n_failed_a, "n_failed_b": c.n_failed_b,
            "metrics": [{
                "metric": row.name, "a": row.result.value_a, "b": row.result.value_b, "diff": row.result.diff,
                "ci": [row.result.ci[0], row.result.ci[1]], "p_value": row.result.p_value,
                "significant": row.result.significant, "n_items": row.result.n_items,
                "n_clusters": row.result.n_clusters, "n_defined": row.result.n_defined,
            } for row in c.rows],
        } for c in comparisons],
    })
    return data

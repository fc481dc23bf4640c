"""`emer-bench compare A.json B.json`: is run B better than run A, beyond resampling noise?

Reads both results files and the per-sample scores files beside them, keeps the clips both runs
scored, and runs a seeded paired bootstrap (clips resampled together for both runs) for each
headline metric of each scorer the runs share (or the one chosen with --metric).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from emer_bench.cli.summary import safe
from emer_bench.errors import ConfigError
from emer_bench.results.compare import TaskComparison, compare_runs, comparisons_to_json
from emer_bench.results.writer import dumps_strict

EPILOG = """examples:
  emer-bench compare results/model-a/results_2025-01-01T00-00-00Z.json results/model-b/results_2025-01-02T00-00-00Z.json
  emer-bench compare A.json B.json --task ovmerd --metric ew.ew_l1_fscore
  emer-bench compare A.json B.json --all-metrics --n-resamples 5000 --seed 7 --json > diff.json

The difference is B - A. The 95% interval is the percentile interval of the resampled
differences; p is the two-sided bootstrap p-value; "yes" means p < alpha (default 0.05).
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("compare", help="paired bootstrap comparison of two results files", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", help="results_<timestamp>.json of run A (the baseline)")
    p.add_argument("b", help="results_<timestamp>.json of run B")
    p.add_argument("--task", default=None, help="compare only this task (default: every task in both files)")
    p.add_argument("--metric", default=None,
                   help="one metric, as 'alias.metric' or 'metric' (default: each scorer's headline metrics)")
    p.add_argument("--all-metrics", action="store_true", help="compare every metric, not only headline ones")
    p.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=1234, help="bootstrap seed (default 1234)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--allow-task-mismatch", action="store_true",
                   help="compare even if the task definition (version/content hash) differs between runs")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=run)


def _fmt(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def comparison_title(comparison: TaskComparison) -> str:
    title = f"{comparison.task}: {comparison.n_common} common clips"
    if comparison.n_only_a or comparison.n_only_b:
        title += f" ({comparison.n_only_a} only in A, {comparison.n_only_b} only in B: not compared)"
    return title + f"; failed: A {comparison.n_failed_a}, B {comparison.n_failed_b} (counted in both)"


def comparison_table(comparison: TaskComparison, alpha: float) -> Table:
    """One table per task. At 80 columns only the metric name folds; numbers are never cut."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("metric", overflow="fold", min_width=8)
    for column in ("A", "B", "B - A"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column(f"{round(100 * (1 - alpha))}% CI of B - A", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    table.add_column("sig.", no_wrap=True)
    for row in comparison.rows:
        r = row.result
        table.add_row(safe(row.name), _fmt(r.value_a), _fmt(r.value_b), _fmt(r.diff, signed=True),
                      f"[{_fmt(r.ci[0], True)}, {_fmt(r.ci[1], True)}]",
                      "n/a" if not math.isfinite(r.p_value) else f"{r.p_value:.3f}",
                      "[bold]yes[/]" if r.significant else "no")
    return table


def run(args: argparse.Namespace) -> int:
    if args.n_resamples <= 0:
        raise ConfigError(f"--n-resamples must be positive, got {args.n_resamples}")
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha must be between 0 and 1, got {args.alpha}")
    comparisons = compare_runs(Path(args.a), Path(args.b), task=args.task, metric=args.metric,
                               all_metrics=args.all_metrics, n_resamples=args.n_resamples, seed=args.seed,
                               alpha=args.alpha, allow_task_mismatch=args.allow_task_mismatch)
    if args.json:
        print(dumps_strict(comparisons_to_json(comparisons, Path(args.a), Path(args.b), args.n_resamples, args.seed,
                                               args.alpha), indent=2))
        return 0
    console = Console(soft_wrap=True)
    console.print(f"A: {safe(args.a)}\nB: {safe(args.b)}", highlight=False)
    for comparison in comparisons:
        console.print(safe(comparison_title(comparison)), highlight=False)
        console.print(comparison_table(comparison, args.alpha))
    console.print(f"{args.n_resamples} paired resamples of whole clips, seed {args.seed}; sig.: p < {args.alpha}. "
                  "Lower is better for errors and distances (mse_*, *_distance).", highlight=False)
    return 0

"""`emer-bench ablate`: the same tasks under several modality sets, and what each input adds."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.ablation import AblationReport, run_ablation
from emer_bench.cli.progress import progress_factory
from emer_bench.cli.run_cmd import EXIT_INCOMPLETE, add_run_arguments, run_config
from emer_bench.cli.summary import failure_lines, safe
from emer_bench.results.builder import incomplete_tasks
from emer_bench.results.writer import read_results
from emer_bench.tasks.modalities import parse_modalities

EPILOG = """examples:
  emer-bench ablate --model openai --model-args base_url=http://localhost:8000/v1,model=M \\
      --tasks meld,mosi --data-dir ~/merbench \\
      --modalities subtitle --modalities video,audio --modalities video,audio,subtitle

Each set is a normal run (its own results file, resumable); the report pairs every two sets on
the clips both scored: the difference of the main metric with a paired bootstrap 95% CI and p.
Written to OUTPUT_DIR/ablation_<time>.json and .md.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ablate", help="run tasks under several modality sets; modality-contribution table",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(p)
    p.add_argument("--modalities", action="append", required=True, metavar="SET",
                   help="a modality set (comma-separated subset of video,audio,subtitle); give it 2+ times")
    p.add_argument("--metric", default=None, help="alias.metric to compare (default: each task's main metric)")
    p.set_defaults(handler=run)


def _fmt(value: object) -> str:
    return "n/a" if not isinstance(value, float) or value != value else f"{value:.4f}"


def print_report(report: AblationReport, console: Console) -> None:
    for task in report.tasks:
        table = Table(title=f"{task}: modality contribution", title_justify="left")
        for column in ("B vs A", "A", "B", "B - A", "95% CI", "p", "clips"):
            table.add_column(column, justify="left" if column == "B vs A" else "right")
        for p in (p for p in report.pairs if p["task"] == task):
            table.add_row(escape(f"{p['b']} vs {p['a']}"), _fmt(p["value_a"]), _fmt(p["value_b"]), _fmt(p["diff"]),
                          f"[{_fmt(p['ci95'][0])}, {_fmt(p['ci95'][1])}]", f"{p['p_value']:.3f}", str(p["n_clips"]))
        console.print(table)


def run(args: argparse.Namespace) -> int:
    sets = [parse_modalities(text) for text in args.modalities]
    args.modalities = None  # the sets are applied one run at a time
    config = run_config(args)
    console = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    factory = progress_factory(err, args.no_progress, args.progress_interval)
    report, path = run_ablation(config, sets, args.metric, factory,
                                notify=lambda msg: err.print(safe(msg), highlight=False))
    if path is None:
        return 0
    print_report(report, console)
    console.print(f"ablation: {safe(path)} (+ .md)", highlight=False)
    return EXIT_INCOMPLETE if _show_failures(report, args.max_failure_rate, console, err) else 0


def _show_failures(report: AblationReport, max_failure_rate: float, console: Console, err: Console) -> bool:
    """Each set's failed samples, as `run` shows them; True when a set is incomplete. Without
    this an ablation whose sets failed exited 0 and showed no failure (--max-failure-rate unused)."""
    incomplete = []
    for name, results_file in report.results_files.items():
        results = read_results(Path(results_file))
        for task_name, task in results["results"].items():
            for line in failure_lines(task_name, task, Path(results_file).parent):
                console.print(f"[red]{safe(name)}: {safe(line)}[/]", soft_wrap=True, highlight=False)
        incomplete += [f"{name}: {line}" for line in incomplete_tasks(results, max_failure_rate)]
    for line in incomplete:
        err.print(f"[red]incomplete: {safe(line)}[/]", highlight=False)
    if incomplete:
        err.print("the results are incomplete; re-running the same command retries only the failed samples",
                  highlight=False)
    return bool(incomplete)

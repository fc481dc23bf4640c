"""What the user reads after `run` and `score`: one table per task, then one line per error
kind (count and first message), the samples file's full path, and notes. Paths and numbers
are printed whole (soft-wrapped lines, never cut), and secrets masked."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.redact import redact_text
from emer_bench.results.schema import ResultsFile, TaskResult


def safe(text: object) -> str:
    """Dynamic text for rich: secrets masked, '[...]' shown literally."""
    return escape(redact_text(str(text)))


def _ordered_metrics(task: TaskResult, max_rows: int = 12) -> list[str]:
    main = task["config"]["main_metric"]
    with_ci = [m for m, e in task["metrics"].items() if "ci95" in e and m != main]
    rest = [m for m in task["metrics"] if m != main and m not in with_ci]
    ordered = ([main] if main in task["metrics"] else []) + with_ci + rest
    return ordered[:max_rows]


def _number(value: float | None) -> str:
    """4 decimals; a metric with no scored sample (NaN, or null once written) shows as n/a."""
    return "n/a" if value is None or value != value else f"{value:.4f}"


def task_table(model: str, task_name: str, task: TaskResult) -> Table:
    """One table per task (fits an 80-column terminal): metric, value, 95% CI, samples counted,
    and failed samples (counted in every metric by the scorers' rule)."""
    failed = task["n_failed"]
    caption = f"{task['n_total']} samples, " + (f"[red]{failed} failed[/]" if failed else "0 failed")
    table = Table(title=f"{safe(task_name)} — {safe(model)}", title_justify="left", caption=caption,
                  caption_justify="left")
    table.add_column("metric", overflow="fold")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("95% CI", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("failed", justify="right", no_wrap=True)
    for metric in _ordered_metrics(task):
        entry = task["metrics"][metric]
        ci = entry.get("ci95")
        table.add_row(
            f"[bold]{safe(metric)}[/]" if metric == task["config"]["main_metric"] else safe(metric),
            _number(entry["value"]),
            f"[{_number(ci[0])}, {_number(ci[1])}]" if ci else "",
            str(entry.get("n_scored", 0)),
            str(entry.get("n_failed", failed)),
        )
    return table


def failure_lines(task_name: str, task: TaskResult, folder: Path | None) -> list[str]:
    """Plain lines: the failed count, each error kind with its count and first message, and
    the samples file's full path; then each scorer that could not score some samples."""
    scoring = [f"{task_name}: scorer '{alias}' could not score {f['count']} of {task['n_total']} samples; "
               f"first: {f['first']}" for alias, f in task.get("scoring_failures", {}).items()]
    if not task["n_failed"]:
        return scoring
    samples = task["config"]["samples_file"]
    where = (folder / samples).resolve() if folder is not None else Path(samples)
    lines = [f"{task_name}: {task['n_failed']} of {task['n_total']} samples failed; errors in {where}"]
    examples = task.get("error_examples", {})
    for kind, count in task["errors"].items():
        first = examples.get(kind)
        if first and first.startswith(f"{kind}: "):
            first = first[len(kind) + 2:]  # "MediaError x5: a.mp4: file not found", the kind once
        lines.append(f"  {kind} x{count}" + (f": {first}" if first else ""))
    return lines + scoring


def print_summary(results: ResultsFile, console: Console, results_path: Path | None = None) -> None:
    folder = results_path.parent if results_path is not None else None
    for task_name, task in results["results"].items():
        console.print(task_table(results["model"]["model"], task_name, task))
        for line in failure_lines(task_name, task, folder):
            # soft_wrap: a long path stays one line (terminals wrap it visually, `| tail` gets it whole)
            console.print(f"[red]{safe(line)}[/]", soft_wrap=True, highlight=False)
        for note in task.get("notes", []):
            console.print(f"[yellow]{safe(task_name)}: {safe(note)}[/]", soft_wrap=True, highlight=False)
    for group, summary in results.get("groups", {}).items():
        value = summary["value"]
        shown = _number(value) if value is not None else f"n/a (missing: {', '.join(summary['missing'])})"
        console.print(f"[bold]{safe(group)}[/] {summary['aggregate']} of the tasks' main metrics: {safe(shown)}",
                      highlight=False)

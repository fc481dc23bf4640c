"""Rich tables for results: the end-of-run summary and `score` output."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.results.schema import ResultsFile, TaskResult


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
    """One table per task (fits an 80-column terminal): metric, value, 95% CI, samples counted."""
    failed = task["n_failed"]
    caption = f"{task['n_total']} samples, " + (f"[red]{failed} failed[/]" if failed else "0 failed")
    table = Table(title=f"{task_name} — {model}", title_justify="left", caption=caption, caption_justify="left")
    table.add_column("metric", overflow="fold")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("95% CI", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for metric in _ordered_metrics(task):
        entry = task["metrics"][metric]
        ci = entry.get("ci95")
        table.add_row(
            f"[bold]{metric}[/]" if metric == task["config"]["main_metric"] else metric,
            _number(entry["value"]),
            f"[{_number(ci[0])}, {_number(ci[1])}]" if ci else "",
            str(entry.get("n_scored", 0)),
        )
    return table


def print_summary(results: ResultsFile, console: Console) -> None:
    for task_name, task in results["results"].items():
        console.print(task_table(results["model"]["model"], task_name, task))
        if task["n_failed"]:
            kinds = ", ".join(f"{k}: {v}" for k, v in task["errors"].items())
            console.print(f"[red]{escape(task_name)}: {task['n_failed']} of {task['n_total']} samples failed "
                          f"({escape(kinds)}); their errors are in {escape(task['config']['samples_file'])}[/]")
        for note in task.get("notes", []):
            console.print(f"[yellow]{escape(task_name)}: {escape(note)}[/]")
    for group, summary in results.get("groups", {}).items():
        value = summary["value"]
        shown = _number(value) if value is not None else f"n/a (missing: {', '.join(summary['missing'])})"
        console.print(f"[bold]{escape(group)}[/] {summary['aggregate']} of the tasks' main metrics: {escape(shown)}")

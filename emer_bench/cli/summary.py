"""Rich tables for results: the end-of-run summary and `score` output."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from emer_bench.results.schema import ResultsFile, TaskResult


def _ordered_metrics(task: TaskResult, max_rows: int = 12) -> list[str]:
    main = task["config"]["main_metric"]
    with_ci = [m for m, e in task["metrics"].items() if "ci95" in e and m != main]
    rest = [m for m in task["metrics"] if m != main and m not in with_ci]
    ordered = ([main] if main in task["metrics"] else []) + with_ci + rest
    return ordered[:max_rows]


def summary_table(results: ResultsFile) -> Table:
    model = results["model"]
    table = Table(title=f"emer-bench: {model['model']}", title_justify="left")
    for column in ("task", "metric", "value", "95% CI", "scored", "failed"):
        table.add_column(column, justify="right" if column in ("value", "scored", "failed") else "left",
                         no_wrap=column in ("task", "metric"))
    for task_name, task in results["results"].items():
        for i, metric in enumerate(_ordered_metrics(task)):
            entry = task["metrics"][metric]
            ci = entry.get("ci95")
            failed = entry.get("n_failed", 0)
            table.add_row(
                task_name if i == 0 else "",
                f"[bold]{metric}[/]" if metric == task["config"]["main_metric"] else metric,
                f"{entry['value']:.4f}",
                f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "",
                f"{entry.get('n_scored', 0)}/{entry.get('n_total', 0)}",
                f"[red]{failed}[/]" if failed else "0",
            )
    return table


def print_summary(results: ResultsFile, console: Console) -> None:
    console.print(summary_table(results))
    for task_name, task in results["results"].items():
        if task["n_failed"]:
            kinds = ", ".join(f"{k}: {v}" for k, v in task["errors"].items())
            console.print(f"[red]{task_name}: {task['n_failed']} of {task['n_total']} samples failed ({kinds}); "
                          f"see {task['config']['samples_file']}[/]")
        for note in task.get("notes", []):
            console.print(f"[yellow]{task_name}: {note}[/]")

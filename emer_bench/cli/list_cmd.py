"""`emer-bench list tasks|models|scorers|extractors` (listing imports no model code)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.errors import EmerBenchError
from emer_bench.registries import ADAPTERS, EXTRACTORS, SCORERS
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import load_task_file

EPILOG = """examples:
  emer-bench list tasks
  emer-bench list models
  emer-bench list scorers
  emer-bench list tasks --include-path my_tasks/
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list tasks, models, scorers or label extractors", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["tasks", "models", "scorers", "extractors"])
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files")
    p.set_defaults(handler=run)


def _task_rows(include_paths: list[Path]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Table rows plus one line per task file that cannot be loaded (the others are still listed)."""
    index = TaskIndex(include_paths=include_paths)
    names = index.names()
    rows, problems = [], list(index.problems)
    for name in names:
        try:
            task = load_task_file(index.path(name))
        except EmerBenchError as exc:
            problems.append(str(exc))
            continue
        rows.append((name, task.spec.description, ", ".join(m.value for m in task.spec.modalities)))
    return rows, problems


def run(args: argparse.Namespace) -> int:
    console = Console()
    table = Table(title=f"emer-bench {args.what}", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("description")
    if args.what == "tasks":
        table.add_column("modalities")
        rows, problems = _task_rows([Path(p) for p in args.include_path])
        for row in rows:
            table.add_row(*row)
        err = Console(stderr=True, soft_wrap=True)
        for problem in problems:
            err.print(f"[yellow]warning:[/] {escape(problem)}", highlight=False)
    elif args.what == "models":
        table.add_column("modalities")
        for entry in ADAPTERS.entries():
            table.add_row(entry.name, entry.description or entry.origin, ", ".join(entry.info.get("modalities", [])))
    else:
        registry = SCORERS if args.what == "scorers" else EXTRACTORS
        for entry in registry.entries():
            table.add_row(entry.name, entry.description or entry.origin)
    console.print(table)
    return 0

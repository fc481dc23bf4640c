"""`emer-bench list tasks|models|scorers|extractors` (listing imports no model code)."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.errors import ConfigError, EmerBenchError
from emer_bench.registries import ADAPTERS, EXTRACTORS, SCORERS
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import load_task_file

EPILOG = """examples:
  emer-bench list tasks
  emer-bench list models
  emer-bench list scorers
  emer-bench list tasks --include-path my_tasks/
  emer-bench list models --args openai        # an adapter's --model-args with types and defaults
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("list", help="list tasks, models, scorers or label extractors", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["tasks", "models", "scorers", "extractors"])
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files")
    p.add_argument("--args", default=None, metavar="NAME",
                   help="with `models`: the --model-args of adapter NAME (types, defaults, limits)")
    p.set_defaults(handler=run)


def _type_name(annotation: Any) -> str:
    """`int | None`, `'a' | 'b'` (a Literal), `SecretStr`: what a user may type, not typing's repr."""
    origin, parts = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " | ".join(repr(p) for p in parts)
    if origin in (Union, UnionType):
        return " | ".join(_type_name(p) for p in parts)
    if parts:
        return f"{_type_name(origin)}[{', '.join(_type_name(p) for p in parts)}]"
    return "None" if annotation is type(None) else getattr(annotation, "__name__", str(annotation))


def _limits(field: FieldInfo) -> str:
    words = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "min_length": "min length", "pattern": "matches"}
    out = []
    for meta in field.metadata:
        for attr, word in words.items():
            value = getattr(meta, attr, None)
            if value is not None:
                out.append(f"{word} {value}")
    return ", ".join(out)


def args_rows(name: str) -> list[tuple[str, str, str, str]]:
    """(arg, type, default, limits) per field of the adapter's Args (imports that adapter, loads no model)."""
    rows = []
    for arg, field in ADAPTERS.get(name).Args.model_fields.items():
        default = "(required)" if field.is_required() else repr(field.get_default(call_default_factory=True))
        rows.append((arg, _type_name(field.annotation), default, _limits(field)))
    return rows


def _print_args(name: str) -> None:
    # Plain aligned lines, never wrapped: defaults are paths and URLs a user copies.
    rows = [("arg", "type", "default", "limits"), *args_rows(name)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"--model-args of {name} (give them as --model-args k=v,k=v):")
    for row in rows:
        print(("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]).rstrip())


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
    for name in index.group_names():  # groups run their tasks: `--tasks mer-unibench`
        try:
            group = index.load_group(name)
        except EmerBenchError as exc:
            problems.append(str(exc))
            continue
        rows.append((name, f"group of {len(group.tasks)} tasks ({', '.join(group.tasks)}); {group.description}",
                     "(its tasks')"))
    return rows, problems


def run(args: argparse.Namespace) -> int:
    console = Console()
    if args.args is not None:
        if args.what != "models":
            raise ConfigError("--args NAME goes with `list models` (it shows an adapter's --model-args)")
        _print_args(args.args)
        return 0
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
        for adapter in ADAPTERS.entries():
            table.add_row(adapter.name, adapter.description or adapter.origin,
                          ", ".join(adapter.info.get("modalities", [])))
    else:
        registry = SCORERS if args.what == "scorers" else EXTRACTORS
        for listed in registry.entries():
            table.add_row(listed.name, listed.description or listed.origin)
    console.print(table)
    return 0

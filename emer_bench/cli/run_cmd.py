"""`emer-bench run`: evaluate a model on tasks."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text

from emer_bench.cli.kv import parse_kv
from emer_bench.cli.summary import print_summary
from emer_bench.errors import ConfigError
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.tasks.modalities import parse_modalities

EPILOG = """examples:
  emer-bench run --model lexicon-baseline --tasks emer-demo
  emer-bench run --model qwen2_5_omni --model-args pretrained=/models/Qwen2.5-Omni-7B,dtype=bfloat16 \\
      --tasks emer-fine --data-dir ~/emer --media-dir ~/mer2023/video --limit 20
  emer-bench run --model openai --model-args base_url=http://localhost:8000/v1,model=Qwen/Qwen2.5-VL-7B-Instruct,concurrency=16 \\
      --tasks emer-v1 --data-dir ~/emer --gen-kwargs max_new_tokens=512,temperature=0
  accelerate launch --num_processes 2 -m emer_bench run --model qwen2_5_vl --model-args pretrained=... --tasks emer-fine

A run resumes: the same model, args, task and seed append to the same samples file, and only
samples without a successful answer are asked again.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="evaluate a model on one or more tasks", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(p)
    p.add_argument("--modalities", default=None, metavar="SET",
                   help="run every task with only these inputs: a comma-separated subset of video,audio,subtitle "
                        "(subtitle alone needs no media)")
    p.set_defaults(handler=run)


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """The options `run` shares with `ablate`."""
    p.add_argument("--model", required=True, help="adapter name (see `emer-bench list models`)")
    p.add_argument("--model-args", default="", help="k=v,k=v arguments for the adapter")
    p.add_argument("--tasks", required=True, help="comma-separated task names (see `emer-bench list tasks`)")
    p.add_argument("--limit", type=int, default=None, help="only the first N samples of each task")
    p.add_argument("--output-dir", default="emer-results", help="where results and samples go (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=None, help="requests per adapter call")
    p.add_argument("--gen-kwargs", default="", help="k=v,k=v generation settings overriding the task's")
    p.add_argument("--seed", type=int, default=1234, help="seed for sampling and the bootstrap (default: %(default)s)")
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files (repeatable)")
    p.add_argument("--data-dir", default=None, help="folder with the annotation files ({data_dir} in tasks)")
    p.add_argument("--media-dir", default=None, help="folder with the clips ({media_dir}; default DATA_DIR/video)")
    p.add_argument("--resources", default=None, help="emotion-wheel resource folder (else EMER_BENCH_RESOURCES or the cache)")
    p.add_argument("--resource-version", default="mer2025", choices=["mer2025", "mer2026"])
    p.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples for 95%% CIs (0: none)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. in CI logs)")


class _RateColumn(ProgressColumn):
    """Samples per second (rich's own speed columns are for bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.2f}/s" if task.speed else "-/s", style="cyan")


class _RichProgress:
    """Progress sink shown as a rich bar: count, rate, failures, elapsed and ETA."""

    def __init__(self, progress: Progress, task_id: int) -> None:
        self.progress, self.task_id, self.failed = progress, task_id, 0

    def advance(self, failed: bool) -> None:
        self.failed += int(failed)
        self.progress.update(self.task_id, advance=1, failed=self.failed)


def _progress_factory(console: Console):
    @contextlib.contextmanager
    def factory(task: str, total: int, done: int) -> Iterator[_RichProgress]:
        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   _RateColumn(), TextColumn("[red]{task.fields[failed]} failed"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
        with Progress(*columns, console=console) as progress:
            yield _RichProgress(progress, progress.add_task(task, total=total, completed=done, failed=0))

    return factory


def run_config(args: argparse.Namespace) -> RunConfig:
    """The RunConfig of `run`/`ablate` options (modalities from `run`'s single --modalities)."""
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if not tasks:
        raise ConfigError("--tasks: give at least one task name")
    if args.limit is not None and args.limit < 1:
        raise ConfigError(f"--limit must be >= 1, got {args.limit}")
    return RunConfig(
        model=args.model, tasks=tasks, model_args=parse_kv(args.model_args, "--model-args"),
        gen_kwargs=parse_kv(args.gen_kwargs, "--gen-kwargs"), limit=args.limit, output_dir=Path(args.output_dir),
        batch_size=args.batch_size, seed=args.seed, include_paths=[Path(p) for p in args.include_path],
        data_dir=Path(args.data_dir) if args.data_dir else None, media_dir=Path(args.media_dir) if args.media_dir else None,
        resources_dir=Path(args.resources) if args.resources else None, resource_version=args.resource_version,
        n_resamples=args.n_resamples,
        modalities=parse_modalities(args.modalities) if isinstance(args.modalities, str) else None,
    )


def run(args: argparse.Namespace) -> int:
    config = run_config(args)
    console = Console()
    show_progress = not args.no_progress and os.environ.get("CI") != "true"
    results, path = run_evaluation(config, _progress_factory(console) if show_progress else None)
    if path is None:
        return 0  # a non-main data-parallel rank
    print_summary(results, console)
    console.print(f"results: {escape(str(path))}")
    return 0

"""`emer-bench run`: evaluate a model on tasks."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console

from emer_bench.cli.judge_args import add_judge_arguments, judge_override
from emer_bench.cli.kv import non_negative_int, parse_kv, positive_int
from emer_bench.cli.progress import plain_factory, rich_factory
from emer_bench.cli.summary import print_summary, safe
from emer_bench.errors import ConfigError
from emer_bench.results.builder import incomplete_tasks
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.tasks.modalities import parse_modalities

EXIT_INCOMPLETE = 3  # see README "When things go wrong"

EPILOG = """examples:
  emer-bench run --model lexicon-baseline --tasks emer-demo
  emer-bench run --model qwen2_5_omni --model-args pretrained=/models/Qwen2.5-Omni-7B,dtype=bfloat16 \\
      --tasks emer-fine --data-dir ~/emer --media-dir ~/mer2023/video --limit 20
  emer-bench run --model openai --model-args base_url=http://localhost:8000/v1,model=Qwen/Qwen2.5-VL-7B-Instruct,concurrency=16 \\
      --tasks emer-v1 --data-dir ~/emer --gen-kwargs max_new_tokens=512,temperature=0
  accelerate launch --num_processes 2 -m emer_bench run --model qwen2_5_vl --model-args pretrained=... --tasks emer-fine

A run resumes: the same model, args, task and seed append to the same samples file, and only
samples without a successful answer (or whose data changed) are asked again.

exit codes: 0 complete; 2 bad input; 3 finished but more samples failed than --max-failure-rate
(re-run the same command to retry only those); 4 model server unusable (unreachable, key refused,
first requests all failing the same way); 5 another run holds the output folder; 130 interrupted.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    p.add_argument("--limit", type=positive_int, default=None, help="only the first N samples of each task")
    p.add_argument("--output-dir", default="emer-results", help="where results and samples go (default: %(default)s)")
    p.add_argument("--batch-size", type=positive_int, default=None, help="requests per adapter call")
    p.add_argument("--gen-kwargs", default="", help="k=v,k=v generation settings overriding the task's")
    p.add_argument("--seed", type=int, default=1234, help="seed for sampling and the bootstrap (default: %(default)s)")
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files (repeatable)")
    p.add_argument("--data-dir", default=None, help="folder with the annotation files ({data_dir} in tasks)")
    p.add_argument("--media-dir", default=None, help="folder with the clips ({media_dir}; default DATA_DIR/video)")
    p.add_argument("--resources", default=None, help="emotion-wheel resource folder (else EMER_BENCH_RESOURCES or the cache)")
    p.add_argument("--resource-version", default="mer2025", choices=["mer2025", "mer2026"])
    p.add_argument("--n-resamples", type=non_negative_int, default=1000, help="bootstrap resamples for 95%% CIs (0: none)")
    p.add_argument("--max-failure-rate", type=float, default=0.0,
                   help="largest fraction of failed samples per task that still exits 0 (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    p.add_argument("--progress-interval", type=float, default=30.0,
                   help="seconds between plain progress lines when not on a terminal (default: %(default)s)")
    add_judge_arguments(p)


def run_config(args: argparse.Namespace) -> RunConfig:
    """The RunConfig of the shared `run`/`ablate` options (`run`'s single --modalities included)."""
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if not tasks:
        raise ConfigError("--tasks: give at least one task name")
    if args.limit is not None and args.limit < 1:
        raise ConfigError(f"--limit must be >= 1, got {args.limit}")
    if not 0.0 <= args.max_failure_rate <= 1.0:
        raise ConfigError(f"--max-failure-rate must be between 0 and 1, got {args.max_failure_rate}")
    return RunConfig(
        model=args.model, tasks=tasks, model_args=parse_kv(args.model_args, "--model-args"),
        gen_kwargs=parse_kv(args.gen_kwargs, "--gen-kwargs"), limit=args.limit, output_dir=Path(args.output_dir),
        batch_size=args.batch_size, seed=args.seed, include_paths=[Path(p) for p in args.include_path],
        data_dir=Path(args.data_dir) if args.data_dir else None, media_dir=Path(args.media_dir) if args.media_dir else None,
        resources_dir=Path(args.resources) if args.resources else None, resource_version=args.resource_version,
        n_resamples=args.n_resamples, judge=judge_override(args),
        modalities=parse_modalities(args.modalities) if isinstance(args.modalities, str) else None,
    )


def run(args: argparse.Namespace) -> int:
    config = run_config(args)
    console = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    factory = None
    if not args.no_progress:
        factory = rich_factory(err) if err.is_terminal and os.environ.get("CI") != "true" \
            else plain_factory(sys.stderr, args.progress_interval)
    results, path = run_evaluation(config, factory, notify=lambda msg: err.print(safe(msg), highlight=False))
    if path is None:
        return 0  # a non-main data-parallel rank
    print_summary(results, console, path)
    console.print(f"results: {safe(path)}", highlight=False)
    incomplete = incomplete_tasks(results, args.max_failure_rate)
    if incomplete:
        for line in incomplete:
            err.print(f"[red]incomplete: {safe(line)}[/]", highlight=False)
        err.print("the results are incomplete; re-running the same command retries only the failed samples",
                  highlight=False)
        return EXIT_INCOMPLETE
    return 0

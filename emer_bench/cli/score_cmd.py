"""`emer-bench score SAMPLES.jsonl`: re-score saved samples without running a model.

Useful after changing a task's scorers, installing the emotion-wheel resources, or switching
the label extractor. The references travel inside each sample record, so no data is needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from emer_bench.cli.judge_args import add_judge_arguments, judge_override
from emer_bench.cli.kv import non_negative_int
from emer_bench.cli.run_cmd import EXIT_INCOMPLETE
from emer_bench.cli.summary import print_summary, safe
from emer_bench.errors import ConfigError
from emer_bench.results.builder import incomplete_tasks
from emer_bench.runner.rescore import rescore
from emer_bench.tasks.modalities import parse_modalities

EPILOG = """examples:
  emer-bench score emer-results/lexicon-baseline/samples_emer-demo_0123456789ab.jsonl
  emer-bench score samples.jsonl --task emer-fine --resources ~/emotion_wheel/mer2025
  emer-bench score samples_emer-v1-judged_<hash>.jsonl --judge openai --judge-args base_url=http://host:8001/v1,model=m
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("score", help="re-score a saved samples file without running a model", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("samples", help="a samples_<task>_<hash>.jsonl file")
    p.add_argument("--task", default=None, help="task whose scorers to use (default: the task in the records)")
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files")
    p.add_argument("--resources", default=None, help="emotion-wheel resource folder")
    p.add_argument("--resource-version", default="mer2025", choices=["mer2025", "mer2026"])
    p.add_argument("--n-resamples", type=non_negative_int, default=1000, help="bootstrap resamples (0: no CIs)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--output", default=None, help="results file to write (default: beside the samples)")
    p.add_argument("--modalities", default=None, metavar="SET",
                   help="the --modalities set the samples were run with (recorded in the results)")
    p.add_argument("--max-failure-rate", type=float, default=0.0,
                   help="largest fraction of failed samples per task that still exits 0 (default: %(default)s)")
    add_judge_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    max_failure_rate = getattr(args, "max_failure_rate", 0.0)  # a Namespace built by a caller may lack it
    if not 0.0 <= max_failure_rate <= 1.0:
        raise ConfigError(f"--max-failure-rate must be between 0 and 1, got {max_failure_rate}")
    results, out = rescore(Path(args.samples), task=args.task, include_paths=[Path(p) for p in args.include_path],
                           resources=Path(args.resources) if args.resources else None,
                           resource_version=args.resource_version, n_resamples=args.n_resamples, seed=args.seed,
                           output=Path(args.output) if args.output else None,
                           modalities=parse_modalities(args.modalities) if getattr(args, "modalities", None)
                           else None,
                           judge=judge_override(args))
    console = Console(soft_wrap=True)
    print_summary(results, console, out)
    console.print(f"results: {safe(out)}", highlight=False)
    # failed samples are re-scored as failed: the exit code says so, as `run`'s does for the same file
    incomplete = incomplete_tasks(results, max_failure_rate)
    for line in incomplete:
        Console(stderr=True, soft_wrap=True).print(f"[red]incomplete: {safe(line)}[/]", highlight=False)
    return EXIT_INCOMPLETE if incomplete else 0

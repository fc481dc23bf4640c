"""`emer-bench` entry point: one argparse subcommand per module in emer_bench.cli.

Each command module exposes `add_parser(subparsers)` and `run(args) -> int`. Errors caused by
input (EmerBenchError) print as one line; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from rich.console import Console
from rich.markup import escape

from emer_bench import __version__
from emer_bench.errors import EmerBenchError

# Subcommand modules, in the order `--help` lists them.
COMMANDS = ["run", "list", "score", "score_labels", "compare", "resources", "leaderboard"]

EPILOG = """examples:
  emer-bench run --model lexicon-baseline --tasks emer-demo
  emer-bench list models
  emer-bench score-labels --references ref.csv --predictions pred.csv --json
  emer-bench compare results/a/results_x.json results/b/results_y.json
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emer-bench", description="Evaluate multimodal LLMs on Explainable Multimodal Emotion Recognition.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"emer-bench {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"emer_bench.cli.{name}_cmd")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Our own progress bar is the interface; libraries' model-loading bars would interleave with it.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    err = Console(stderr=True, soft_wrap=True)  # one line: paths in errors are never wrapped or cut
    try:
        return int(args.handler(args) or 0)
    except EmerBenchError as exc:
        if args.debug:
            err.print_exception()
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        err.print("[yellow]interrupted; completed samples are saved and the run resumes from them[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`emer-bench` entry point: one argparse subcommand per module in emer_bench.cli.

Each command module exposes `add_parser(subparsers)` and `run(args) -> int`. Errors caused by
input (EmerBenchError) print as one line; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from rich.console import Console
from rich.markup import escape

from emer_bench import __version__
from emer_bench.errors import EmerBenchError
from emer_bench.redact import install_log_redaction, redact_text
from emer_bench.resources.emotion_wheel import DEFAULT_VERSION, resolve_resources

# Subcommand modules, in the order `--help` lists them.
COMMANDS = ["run", "ablate", "list", "score", "score_labels", "score_text", "compare", "resources", "leaderboard"]

# lm-evaluation-harness spellings, accepted so its users' habits (and scripts) work unchanged.
LM_EVAL_ALIASES = {"--model_args": "--model-args", "--output_path": "--output-dir", "--gen_kwargs": "--gen-kwargs",
                   "--include_path": "--include-path", "--batch_size": "--batch-size"}

EPILOG = """examples:
  emer-bench run --model lexicon-baseline --tasks emer-demo
  emer-bench list models
  emer-bench list models --args openai
  emer-bench score-labels --references ref.csv --predictions pred.csv --json
  emer-bench compare results/a/results_x.json results/b/results_y.json

lm-eval spellings are accepted: --model_args, --output_path, --gen_kwargs, --include_path, --batch_size.
"""


def apply_aliases(argv: list[str]) -> list[str]:
    """`--model_args X` / `--model_args=X` -> `--model-args ...` (only options, never values)."""
    out = []
    for arg in argv:
        name, eq, value = arg.partition("=")
        out.append(LM_EVAL_ALIASES[name] + eq + value if name in LM_EVAL_ALIASES else arg)
    return out


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


def check_explicit_resources(args: argparse.Namespace) -> None:
    """`--resources DIR` given but missing or incomplete is an error before any work: the user asked
    for those files, so an optional EW scorer must not be skipped quietly (`resources verify`
    reports on the directory itself)."""
    given = getattr(args, "resources", None)
    if given is None or args.command == "resources":
        return
    resolve_resources(given, getattr(args, "resource_version", None) or DEFAULT_VERSION)


def _stdout_reader_gone(console: Console) -> None:
    """Rich's default for a closed stdout (`emer-bench run ... | head`) is SystemExit(1), which hid
    the command's own exit code (3: samples failed) behind an undocumented 1. Everything is saved
    before the summary prints, so the rest of the output goes to /dev/null and the code stands."""
    console.quiet = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    # Our own progress bar is the interface; libraries' model-loading bars would interleave with it.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    setattr(Console, "on_broken_pipe", _stdout_reader_gone)  # noqa: B010 - a class attribute, for every console
    parser = build_parser()
    args = parser.parse_args(apply_aliases(sys.argv[1:] if argv is None else list(argv)))
    if args.command is None:
        parser.print_help()
        return 2
    err = Console(stderr=True, soft_wrap=True)  # one line: paths in errors are never wrapped or cut
    install_log_redaction()
    try:
        check_explicit_resources(args)
        return int(args.handler(args) or 0)
    except EmerBenchError as exc:
        if args.debug:
            err.print(escape(redact_text(traceback.format_exc())), highlight=False)
        err.print(f"[bold red]error:[/] {escape(redact_text(str(exc)))}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("[yellow]interrupted; completed samples are saved and the run resumes from them[/]")
        return 130
    except Exception:  # a bug: the traceback, but never a secret an exception message echoes
        err.print(escape(redact_text(traceback.format_exc())), highlight=False)
        return 1


def entry() -> None:
    """The `emer-bench` console script: `main`, then the exit without module teardown (fast_exit.py)."""
    from emer_bench.cli.fast_exit import exit_now

    exit_now(main())


if __name__ == "__main__":
    sys.exit(main())

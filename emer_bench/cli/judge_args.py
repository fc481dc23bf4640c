"""`--judge MODEL --judge-args k=v,...`: choose the LLM judge on the command line instead of
editing the task (`emer-bench run --tasks emer-v1-judged --judge openai --judge-args model=...`)."""

from __future__ import annotations

import argparse
from typing import Any

from emer_bench.cli.kv import parse_kv
from emer_bench.errors import ConfigError


def add_judge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--judge", default=None, metavar="MODEL",
                        help="adapter used as the judge of every LLM-judge scorer (replaces the task's judge)")
    parser.add_argument("--judge-args", default="", metavar="K=V,...",
                        help="model args of --judge (see `emer-bench list models --args MODEL`)")


def judge_override(args: argparse.Namespace) -> dict[str, Any] | None:
    """{"model", "model_args"} for ScoringContext.judge, or None when --judge is not given."""
    judge, judge_args = getattr(args, "judge", None), getattr(args, "judge_args", "")  # absent: built by hand
    if judge is None:
        if judge_args:
            raise ConfigError("--judge-args needs --judge MODEL (the adapter they are for)")
        return None
    return {"model": judge, "model_args": parse_kv(judge_args, "--judge-args")}

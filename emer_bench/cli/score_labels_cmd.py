"""`emer-bench score-labels`: EW metrics (or hit rate) of a predictions file against references."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.cli.kv import parse_kv
from emer_bench.cli.run_cmd import EXIT_INCOMPLETE
from emer_bench.errors import ConfigError
from emer_bench.metrics.openvocab import EWResult, HitRateResult
from emer_bench.metrics.wheel_mapping import METRIC_NAMES
from emer_bench.redact import register_arg_secrets
from emer_bench.resources.emotion_wheel import DEFAULT_VERSION, VERSIONS
from emer_bench.results.writer import to_strict_json
from emer_bench.scoring.extractors.spec import ExtractorSpec
from emer_bench.scoring.label_files import Extraction, score_label_files

EPILOG = """\
references: CSV or JSONL with an id column (`name`, `names` or `clip_id`) and either `openset`
(a label list per clip: EW metrics) or `label` (one categorical label per clip: hit rate and
m-score). predictions: the same id column and `openset` (label lists), or free text in the
column named by --text-column, turned into labels by --extractor (offline, llm, parse, ...);
the extracted labels are written per clip to --labels-out.
A clip missing from the predictions counts as an empty prediction (n_missing_predictions);
a prediction for a clip the references lack is an error (wrong file or ids).

n_scored is the number of reference clips that enter at least one of the metrics (a clip whose
reference maps to nothing, e.g. an empty list = neutral, is skipped by the rules).

examples:
  emer-bench score-labels --references ovmerd.csv --predictions preds.csv
  emer-bench score-labels --references ovmerd.csv --predictions preds.jsonl --json
  emer-bench score-labels --references ovmerd.csv --predictions answers.csv --text-column answer --extractor offline
  emer-bench score-labels --references ovmerd.csv --predictions answers.csv --text-column answer \\
      --extractor llm --extractor-args '{model: openai, model_args: {model: qwen2.5-7b, base_url: "http://127.0.0.1:8000/v1"}}'
  emer-bench score-labels --references mer2023_labels.csv --predictions preds.csv --resources ./emotion_wheel
"""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score-labels", help="score open-vocabulary label predictions (EW metrics / hit rate)",
        description="Score label predictions (or free text, via a label extractor) with the exact EMER "
                    "open-vocabulary procedure.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--references", type=Path, required=True, metavar="REF",
                        help="CSV/JSONL with name + openset (or name + label)")
    parser.add_argument("--predictions", type=Path, required=True, metavar="PRED",
                        help="CSV/JSONL with name + openset (or name + the --text-column)")
    parser.add_argument("--text-column", default=None, metavar="COL",
                        help="score free text in this column: labels come from --extractor")
    parser.add_argument("--extractor", default="offline", metavar="NAME",
                        help="label extractor for --text-column (default offline; see `emer-bench list extractors`)")
    parser.add_argument("--extractor-args", default=None, metavar="K=V,...", help="the extractor's arguments: k=v,... or a YAML mapping '{...}' for nested ones")
    parser.add_argument("--labels-out", type=Path, default=None, metavar="CSV",
                        help="where the extracted labels go (default: <predictions>.labels.csv beside it)")
    parser.add_argument("--resources", type=Path, default=None, metavar="DIR",
                        help="emotion-wheel directory (default: $EMER_BENCH_RESOURCES, then the fetched cache)")
    parser.add_argument("--resource-version", default=DEFAULT_VERSION, choices=sorted(VERSIONS),
                        help=f"pinned resource set (default {DEFAULT_VERSION})")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object (fractions)")
    parser.set_defaults(handler=run)


def _pct(value: float) -> str:
    return "—" if math.isnan(value) else f"{100 * value:.2f}"


def _print_table(summary: dict[str, Any], details: dict[str, Any], console: Console) -> None:
    res = details["resources"]
    console.print(f"resources: {res['version']} at {escape(str(res['directory']))} "
                  f"({'pinned files' if res['matches_pinned'] else '[yellow]NOT the pinned files[/]'})")
    for warning in details["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if "ew" in details:
        ew: EWResult = details["ew"]
        table = Table(title="open-vocabulary EW metrics (x100)")
        for column in ("metric", "precision", "recall", "F", "n scored"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for name in (*METRIC_NAMES, "ew_l1", "ew_l2"):
            prf = ew.metrics[name]
            style = "bold" if name.startswith("ew_") else None
            table.add_row(name, _pct(prf.precision), _pct(prf.recall), _pct(prf.fscore), str(prf.n_scored), style=style)
        table.add_row("m_avg", "", "", _pct(ew.m_avg), "", style="bold")
    else:
        hits: HitRateResult = details["hit"]
        table = Table(title="hit rate / m-score against categorical labels (x100)")
        for column in ("wheel", "hit rate", "m-score", "n scored"):
            table.add_column(column, justify="left" if column == "wheel" else "right")
        for name, (hit, m_score, n) in hits.per_wheel.items():
            table.add_row(name, _pct(hit), _pct(m_score), str(n))
        table.add_row("mean", _pct(hits.hit_rate), _pct(hits.m_score), "", style="bold")
    console.print(table)
    console.print(f"{summary['n_scored']} of {summary['n_references']} reference clips scored; "
                  f"{summary['n_missing_predictions']} without a prediction (counted as empty)")
    if "extractor" in summary:
        console.print(f"labels extracted by '{escape(summary['extractor'])}', written to "
                      f"{escape(summary['extracted_labels_file'])}", soft_wrap=True)
        if summary["n_failed"]:
            console.print(f"[red]{summary['n_failed']} extraction(s) failed[/] (counted as empty predictions); "
                          f"first: {escape(str(details['first_error']))}", soft_wrap=True)


def _extractor_args(text: str | None) -> dict[str, Any]:
    """`k=v,k=v`, or a YAML/JSON mapping for nested arguments (the `llm` extractor's model_args).
    Secrets anywhere inside are registered first, so an error that echoes a value masks them."""
    if text is None or not text.strip().startswith("{"):
        args = parse_kv(text, "--extractor-args")
    else:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:  # its message quotes the text around the mark: never print it
            raise ConfigError(f"--extractor-args: not a YAML/JSON mapping ({_yaml_problem(exc)})") from None
        if not isinstance(value, dict):
            raise ConfigError(f"--extractor-args: expected a mapping, got {type(value).__name__}")
        args = value
    _register_nested_secrets(args)
    return args


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return f"{exc.problem} at column {exc.problem_mark.column + 1}"
    return type(exc).__name__


def _register_nested_secrets(value: Any) -> None:
    """model_args nested in the mapping, or given as a YAML string inside `k=v` (then refused by
    validation, whose message quotes the string): their secret-named values become known secrets."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            return
    if isinstance(value, dict):
        register_arg_secrets(value)
        for item in value.values():
            _register_nested_secrets(item)
    elif isinstance(value, list):
        for item in value:
            _register_nested_secrets(item)


def _extraction(args: argparse.Namespace) -> Extraction | None:
    if args.text_column is None:
        return None
    labels_out = args.labels_out or args.predictions.with_name(args.predictions.stem + ".labels.csv")
    spec = ExtractorSpec(name=args.extractor, args=_extractor_args(args.extractor_args))
    return Extraction(args.text_column, spec, labels_out)


def run(args: argparse.Namespace) -> int:
    scores = score_label_files(args.references, args.predictions, args.resources, args.resource_version,
                               _extraction(args))
    if args.json:
        print(json.dumps(to_strict_json(scores.summary)))  # NaN (no sample counted) -> null
    else:
        _print_table(scores.summary, scores.details, Console())
    # a failed extraction is a failed sample: scored as empty, and the exit code says so (as `run`'s)
    return EXIT_INCOMPLETE if scores.summary.get("n_failed") else 0

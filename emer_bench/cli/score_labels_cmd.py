"""`emer-bench score-labels`: EW metrics (or hit rate) of a predictions file against references."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.cli.label_inputs import LabelColumn, read_label_column
from emer_bench.errors import DataError, EmerBenchError
from emer_bench.metrics.labels import parse_label_list
from emer_bench.metrics.openvocab import (EWResult, HitRateResult, aggregate_ew, aggregate_hit_rate,
                                          ew_sample_components, hit_rate_sample_components)
from emer_bench.metrics.wheel_mapping import METRIC_NAMES
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.resources.emotion_wheel import DEFAULT_VERSION, VERSIONS, describe_resources, resolve_resources

EPILOG = """\
references: CSV or JSONL with `name` and either `openset` (a label list per clip: EW metrics)
or `label` (one categorical label per clip: hit rate and m-score). predictions: `name,openset`.
A clip missing from the predictions counts as an empty prediction; extra clips are ignored.

n_scored is the number of reference clips that enter at least one of the metrics (a clip whose
reference maps to nothing, e.g. an empty list = neutral, is skipped by the rules).

examples:
  emer-bench score-labels --references ovmerd.csv --predictions preds.csv
  emer-bench score-labels --references ovmerd.csv --predictions preds.jsonl --json
  emer-bench score-labels --references mer2023_labels.csv --predictions preds.csv --resources ./emotion_wheel
  emer-bench score-labels --references ref.csv --predictions pred.csv --resource-version mer2026
"""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score-labels", help="score open-vocabulary label predictions (EW metrics / hit rate)",
        description="Score label predictions with the exact EMER open-vocabulary procedure.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--references", type=Path, required=True, metavar="REF",
                        help="CSV/JSONL with name + openset (or name + label)")
    parser.add_argument("--predictions", type=Path, required=True, metavar="PRED", help="CSV/JSONL with name + openset")
    parser.add_argument("--resources", type=Path, default=None, metavar="DIR",
                        help="emotion-wheel directory (default: $EMER_BENCH_RESOURCES, then the fetched cache)")
    parser.add_argument("--resource-version", default=DEFAULT_VERSION, choices=sorted(VERSIONS),
                        help=f"pinned resource set (default {DEFAULT_VERSION})")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object (fractions)")
    parser.set_defaults(handler=run)


def _labels(value: Any, column: LabelColumn, name: str) -> list[str]:
    try:
        return parse_label_list(value)
    except EmerBenchError as exc:
        raise DataError(f"{column.path}: name '{name}', column '{column.column}': {exc}") from None


def score_files(references: Path, predictions: Path, resources: Path | None,
                version: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the JSON summary, extra details for the table) of one reference/prediction pair."""
    refs = read_label_column(references, ("openset", "label"))
    preds = read_label_column(predictions, ("openset",))
    resolved = resolve_resources(resources, version)
    tables = load_wheel_tables(resolved.directory)
    details: dict[str, Any] = {"resources": describe_resources(resolved, tables.sha256), "mode": refs.column,
                               "n_missing_predictions": sum(1 for n in refs.values if n not in preds.values),
                               "n_extra_predictions": sum(1 for n in preds.values if n not in refs.values),
                               "warnings": list(tables.warnings)}
    pairs = [(_labels(ref, refs, name), _labels(preds.values[name], preds, name) if name in preds.values else None)
             for name, ref in refs.values.items()]
    if refs.column == "openset":
        samples = [ew_sample_components(r, p, tables) for r, p in pairs]
        n_scored = sum(1 for s in samples if any(v is not None for v in s.values()))
        ew = aggregate_ew(samples)
        details["ew"] = ew
        summary = {"n_references": len(pairs), "n_scored": n_scored,
                   "metrics": {name: prf.as_dict() for name, prf in ew.metrics.items()}, "m_avg": ew.m_avg}
    else:
        hit_samples = [hit_rate_sample_components(r, p, tables) for r, p in pairs]
        n_scored = sum(1 for s in hit_samples if any(v is not None for v in s.values()))
        hits = aggregate_hit_rate(hit_samples)
        details["hit"] = hits
        summary = {"n_references": len(pairs), "n_scored": n_scored, "hit_rate": hits.hit_rate,
                   "m_score": hits.m_score}
    return summary, details


def _json_safe(value: Any) -> Any:
    """NaN (no sample counted) becomes null so the output stays valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


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
                  f"{details['n_missing_predictions']} without a prediction (counted as empty), "
                  f"{details['n_extra_predictions']} predictions for unknown clips ignored")


def run(args: argparse.Namespace) -> int:
    summary, details = score_files(args.references, args.predictions, args.resources, args.resource_version)
    if args.json:
        print(json.dumps(_json_safe(summary)))
    else:
        _print_table(summary, details, Console())
    return 0

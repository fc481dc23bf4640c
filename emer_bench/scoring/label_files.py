"""Scoring a predictions file against a references file with the exact EW metrics / hit rate
(`emer-bench score-labels`): label lists as given, or labels extracted from free text.

The OV-MER protocol is free-text description -> label extraction -> EW metrics, so a
predictions file of free text (`text_column`) goes through a registered label extractor
(`offline`, `llm`, `parse`, ...) first; the labels it extracted are written per clip
(`labels_out`) so a user can see what was scored. A clip without a prediction, or whose
extraction failed, counts as an empty prediction (the reference rule) and is counted.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import DataError, EmerBenchError
from emer_bench.metrics.labels import parse_label_list
from emer_bench.metrics.openvocab import (
    aggregate_ew,
    aggregate_hit_rate,
    ew_sample_components,
    hit_rate_sample_components,
)
from emer_bench.resources.emotion_wheel import describe_resources, resolve_resources
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.results.writer import write_text_atomic
from emer_bench.scoring.extractors.outcome import ExtractedLabels, extract_with_errors
from emer_bench.scoring.extractors.spec import ExtractorSpec, build_extractor
from emer_bench.scoring.prediction_files import (
    LabelColumn,
    id_mismatch,
    read_label_column,
)


@dataclass
class Extraction:
    """How free-text predictions become label lists."""

    text_column: str
    extractor: ExtractorSpec
    labels_out: Path  # CSV written with the labels extracted per clip


@dataclass
class LabelScores:
    summary: dict[str, Any]  # the JSON contract of `score-labels --json`
    details: dict[str, Any] = field(default_factory=dict)  # EWResult / HitRateResult, resources, warnings


def _labels(value: Any, column: LabelColumn, name: str) -> list[str]:
    try:
        return parse_label_list(value)
    except EmerBenchError as exc:
        raise DataError(f"{column.path}: {column.id_column} '{name}', column '{column.column}': {exc}") from None


def _extract(preds: LabelColumn, extraction: Extraction, context: ScoringContext) -> dict[str, ExtractedLabels]:
    extractor = build_extractor(extraction.extractor, context)
    names = list(preds.values)
    texts = ["" if preds.values[n] is None else str(preds.values[n]) for n in names]
    extracted = dict(zip(names, extract_with_errors(extractor, texts)))
    _write_extracted(extraction.labels_out, preds.id_column, extracted)
    return extracted


def _write_extracted(path: Path, id_column: str, extracted: dict[str, ExtractedLabels]) -> None:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow([id_column, "openset", "error"])
    for name, outcome in extracted.items():
        writer.writerow([name, json.dumps(outcome.labels, ensure_ascii=False), outcome.error or ""])
    write_text_atomic(path, handle.getvalue())


def _prediction_lists(preds: LabelColumn, extraction: Extraction | None,
                      context: ScoringContext) -> tuple[dict[str, list[str]], dict[str, str]]:
    """clip -> predicted labels, and clip -> extraction error."""
    if extraction is None:
        return {name: _labels(value, preds, name) for name, value in preds.values.items()}, {}
    extracted = _extract(preds, extraction, context)
    return ({name: outcome.labels for name, outcome in extracted.items()},
            {name: outcome.error for name, outcome in extracted.items() if outcome.error})


def score_label_files(references: Path, predictions: Path, resources: Path | None, version: str,
                      extraction: Extraction | None = None) -> LabelScores:
    """EW metrics (references with `openset`) or hit rate (references with `label`)."""
    refs = read_label_column(references, ("openset", "label"))
    preds = read_label_column(predictions, (extraction.text_column,) if extraction else ("openset",))
    id_mismatch(refs.values, preds)
    resolved = resolve_resources(resources, version)
    tables = load_wheel_tables(resolved.directory)
    context = ScoringContext(resources_dir=resolved.directory, resource_version=version)
    predicted, errors = _prediction_lists(preds, extraction, context)
    pairs = [(_labels(ref, refs, name), predicted.get(name)) for name, ref in refs.values.items()]
    summary: dict[str, Any] = {"n_references": len(pairs),
                               "n_missing_predictions": sum(1 for n in refs.values if n not in preds.values),
                               "n_extra_predictions": 0}  # extra predictions are an error (id_mismatch)
    details: dict[str, Any] = {"resources": describe_resources(resolved, tables.sha256), "mode": refs.column,
                               "warnings": list(tables.warnings)}
    if extraction is not None:
        summary.update({"extractor": extraction.extractor.name, "n_failed": len(errors),
                        "extracted_labels_file": str(extraction.labels_out)})
        details["first_error"] = next(iter(errors.values()), None)
    if refs.column == "openset":
        samples = [ew_sample_components(r, p, tables) for r, p in pairs]
        ew = details["ew"] = aggregate_ew(samples)
        summary.update({"n_scored": sum(1 for s in samples if any(v is not None for v in s.values())),
                        "metrics": {name: prf.as_dict() for name, prf in ew.metrics.items()}, "m_avg": ew.m_avg})
    else:
        hit_samples = [hit_rate_sample_components(r, p, tables) for r, p in pairs]
        hits = details["hit"] = aggregate_hit_rate(hit_samples)
        summary.update({"n_scored": sum(1 for s in hit_samples if any(v is not None for v in s.values())),
                        "hit_rate": hits.hit_rate, "m_score": hits.m_score})
    return LabelScores(summary, details)

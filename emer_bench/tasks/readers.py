"""Read annotation tables into rows (one dict per clip): CSV, JSONL, MERBench label archives, a
Hugging Face `datasets` source.

Only file formats live here; joining tables and building references is `annotations.py`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from emer_bench.errors import ConfigError, DataError
from emer_bench.jsonl import read_json_objects
from emer_bench.tasks.annotation_csv import read_csv_rows
from emer_bench.tasks.merbench import merbench_rows
from emer_bench.tasks.schema import AnnotationFile, HFDatasetSource


def read_rows(path: Path, fmt: str, id_column: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) pairs; every row has a non-empty id (checked here so both formats agree)."""
    if not path.is_file():
        raise DataError(f"annotation file not found: {path}")
    kind = fmt if fmt != "auto" else ("jsonl" if path.suffix in (".jsonl", ".json") else "csv")
    if kind == "csv":
        return read_csv_rows(path, id_column)
    rows = read_json_objects(path)
    for line, row in rows:
        if id_column not in row:
            raise DataError(f"{path}:{line}: no id field '{id_column}' (fields: {', '.join(row)})")
        if row[id_column] is None or not str(row[id_column]).strip():
            raise DataError(f"{path}:{line}: empty clip id in field '{id_column}'")
    return rows


def rows_from_hf(source: HFDatasetSource, path: str) -> list[dict[str, Any]]:
    try:
        import datasets
    except ImportError:
        raise ConfigError("a 'hf' dataset source needs the 'datasets' extra (pip install emer-bench[datasets])") from None
    try:
        ds = datasets.load_dataset(path, source.name, split=source.split)
    except Exception as exc:  # datasets raises many types; the user needs the source named
        raise DataError(f"cannot load dataset '{path}' split '{source.split}': {exc}") from None
    return [dict(row) for row in ds]


def table_format(path: Path, spec: AnnotationFile) -> str:
    if spec.format != "auto":
        return spec.format
    return {".npz": "merbench", ".jsonl": "jsonl", ".json": "jsonl"}.get(path.suffix.lower(), "csv")


def read_table(path: Path, spec: AnnotationFile) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) pairs of one annotation file as its spec describes it (format, split, id filter).
    For a MERBench archive the "line" is the clip's position in the split (1-based)."""
    fmt = table_format(path, spec)
    if fmt == "merbench":
        assert spec.corpus is not None  # the schema requires it for .npz files
        rows = list(enumerate(merbench_rows(path, spec.corpus, spec.id_column, spec.label_names), start=1))
    else:
        rows = read_rows(path, fmt, spec.id_column)
    if spec.ids_matching is not None:
        pattern = re.compile(spec.ids_matching)
        rows = [(line, r) for line, r in rows if pattern.fullmatch(str(r.get(spec.id_column, "")).strip())]
    return rows

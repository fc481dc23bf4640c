"""Writing and reading results files (atomic writes: a crash never leaves half a JSON)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from emer_bench.errors import DataError
from emer_bench.results.schema import ResultsFile


def _strict_json(value: Any) -> Any:
    """NaN/inf (a metric with no scored sample) become null: results stay valid JSON for any reader."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict_json(v) for v in value]
    return value


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    text = json.dumps(_strict_json(data), indent=2, ensure_ascii=False, default=str, allow_nan=False)
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def read_results(path: Path) -> ResultsFile:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"results file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or "results" not in data:
        raise DataError(f"{path}: not an emer-bench results file (no 'results' key)")
    return data  # type: ignore[return-value]

"""The one place output files are written: atomically (a crash never leaves half a file), as
strict JSON (NaN -> null) and through the one secret redactor (emer_bench.redact)."""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any, Iterable

from emer_bench.errors import DataError
from emer_bench.redact import json_needs_no_redaction, known_secrets, redact, redact_text
from emer_bench.results.schema import ResultsFile


def to_strict_json(value: Any) -> Any:
    """NaN/inf (a metric with no scored sample) become null: output stays valid JSON for any reader."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: to_strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_strict_json(v) for v in value]
    return value


def dumps_strict(data: Any, indent: int | None = None, secrets: list[str] | None = None) -> str:
    """JSON text of `data`, NaN as null and secrets masked: what any file or stdout receives.
    `secrets`: `known_secrets()` looked up once by a caller that writes many values."""
    secrets = known_secrets() if secrets is None else secrets
    text = _dumps_as_is(data, indent, secrets)
    return text if text is not None else _dumps_masked(data, indent, secrets)


def _dumps_masked(data: Any, indent: int | None, secrets: list[str]) -> str:
    return json.dumps(redact(to_strict_json(data), secrets), indent=indent, ensure_ascii=False, default=_default,
                      allow_nan=False)


def _dumps_as_is(data: Any, indent: int | None, secrets: list[str]) -> str | None:
    """`_dumps_masked`'s text without its two Python-level walks over `data` (~75 % of writing a
    scores line), or None where they could change something: a NaN/inf (json refuses it), a
    SecretStr, or a text in which `redact` could find a secret (json_needs_no_redaction)."""
    encoder = _ENCODERS.get(indent)
    if encoder is None:
        encoder = _ENCODERS[indent] = json.JSONEncoder(indent=indent, ensure_ascii=False, default=_default_as_is,
                                                       allow_nan=False)
    try:
        text = encoder.encode(data)
    except Exception:  # noqa: BLE001 - NaN, a SecretStr, anything odd: the full path decides
        return None
    return text if json_needs_no_redaction(text, secrets) else None


def _default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return to_strict_json(value.item())
    return str(value)


_ENCODERS: dict[int | None, json.JSONEncoder] = {}  # by indent: json.dumps would build one per call


class _NeedsRedaction(Exception):
    pass


def _default_as_is(value: Any) -> Any:
    if hasattr(value, "get_secret_value"):  # `redact` masks it; `_default` would write str(value)
        raise _NeedsRedaction
    return _default(value)


def write_text_atomic(path: Path, text: str, exclusive: bool = False) -> None:
    """Write via a temporary file and rename. `exclusive`: refuse to replace an existing file
    (immutable outputs such as a results file's per-sample scores)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(redact_text(text), encoding="utf-8")
    if exclusive:
        try:
            os.link(tmp, path)  # atomic, and fails if `path` exists
        except FileExistsError:
            tmp.unlink()
            raise DataError(f"{path} already exists; it belongs to another results file and is never "
                            f"overwritten") from None
        tmp.unlink()
        return
    tmp.replace(path)


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(path, dumps_strict(data, indent=2) + "\n")


def write_jsonl_atomic(path: Path, rows: Iterable[Any], exclusive: bool = False) -> None:
    secrets = known_secrets()  # once for the file, not once per row (a scores file has thousands)
    write_text_atomic(path, "".join(dumps_strict(row, secrets=secrets) + "\n" for row in rows), exclusive=exclusive)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_results(path: Path) -> ResultsFile:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"results file not found: {path}") from None
    except json.JSONDecodeError as exc:
        hint = "; a samples file (JSON lines)? pass a results_*.json" if exc.msg == "Extra data" else ""
        raise DataError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}){hint}") from None
    except UnicodeDecodeError as exc:  # a ValueError, not a JSONDecodeError: read_text decodes first
        raise DataError(f"{path}: not a results file (not UTF-8 text: byte {exc.start})") from None
    except OSError as exc:  # a folder, no permission: the OS's own words, still one line
        raise DataError(f"{path}: cannot read the results file ({exc.strerror})") from None
    if not isinstance(data, dict) or "results" not in data:
        raise DataError(f"{path}: not an emer-bench results file (no 'results' key)")
    return data  # type: ignore[return-value]

"""Parsing `k=v,k=v` option strings (--model-args, --gen-kwargs)."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from emer_bench.errors import ConfigError


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside brackets/quotes, so `labels=[a,b]` stays one pair."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p for p in (p.strip() for p in parts) if p]


def _value(raw: str) -> Any:
    """JSON when it parses (numbers, booleans, lists, null), else the plain string."""
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        pass
    if raw.startswith("[") and raw.endswith("]"):  # [a,b] with bare words
        return [_value(item) for item in _split_top_level(raw[1:-1])]
    return raw.strip("\"'")


def parse_kv(text: str | None, option: str) -> dict[str, Any]:
    if not text:
        return {}
    out: dict[str, Any] = {}
    for pair in _split_top_level(text):
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{option}: '{_shown(pair)}' is not name=value (expected e.g. {option} a=1,b=text)")
        if key.strip() in out:  # a silent "last one wins" hides which value was meant
            raise ConfigError(f"{option}: key '{key.strip()}' given twice")
        out[key.strip()] = _value(raw.strip())
    return out


def _shown(pair: str) -> str:
    """The malformed item as the error quotes it: whole when it is a bare name (`model`), else its
    leading name only. `api_key:sk-...` or a pasted token is a secret with the `=` mistyped or
    missing; quoting it would print it (to a terminal, a CI log) beside the masked args."""
    name = re.match(r"[A-Za-z_]*", pair)
    head = name.group(0) if name else ""
    return pair if head == pair else f"{head}... (the rest not shown)"


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    return _bounded_int(text, 1)


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    return _bounded_int(text, 0)


def _bounded_int(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
    return value

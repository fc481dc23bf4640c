"""The identity of a (task, model configuration) pair: equal keys resume the same samples file."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

SECRET_ARG_NAMES = ("api_key", "token", "password", "secret")


def public_args(args: dict[str, Any]) -> dict[str, Any]:
    """Model args safe to write to disk (secrets removed)."""
    return {k: v for k, v in args.items() if not any(s in k.lower() for s in SECRET_ARG_NAMES)}


def run_key(task_sha256: str, model: str, model_args: dict[str, Any], gen_kwargs: dict[str, Any], seed: int) -> str:
    payload = {"task": task_sha256, "model": model, "model_args": public_args(model_args),
               "gen_kwargs": gen_kwargs, "seed": seed}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:12]


def slug(text: str) -> str:
    """A file-name-safe form of a model name or path."""
    return re.sub(r"[^A-Za-z0-9._-]+", "__", text).strip("_") or "model"

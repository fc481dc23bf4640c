"""The identity of a (task, model configuration) pair: equal keys resume the same samples file."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import BaseModel

from emer_bench.redact import public_args


def transport_fields(args_cls: type[BaseModel]) -> frozenset[str]:
    """Adapter args that change how requests travel, never what is answered (concurrency,
    timeout, retries, backoff): declared with `json_schema_extra={"transport": True}`. They stay
    out of the run key, so raising a timeout after timeouts resumes instead of re-asking all."""
    names = set()
    for name, info in args_cls.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("transport"):
            names.add(name)
    return frozenset(names)


def run_key(task_sha256: str, model: str, model_args: dict[str, Any], gen_kwargs: dict[str, Any], seed: int,
            transport: frozenset[str] = frozenset()) -> str:
    args = {k: v for k, v in public_args(model_args).items() if k not in transport}
    payload = {"task": task_sha256, "model": model, "model_args": args, "gen_kwargs": gen_kwargs, "seed": seed}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:12]


def slug(text: str) -> str:
    """A file-name-safe form of a model name or path."""
    return re.sub(r"[^A-Za-z0-9._-]+", "__", text).strip("_") or "model"

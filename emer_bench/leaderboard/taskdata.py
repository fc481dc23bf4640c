"""The task side of a submission: the current task definition, and its references read from
the task data (never from the submission), with a hash that ties them to the run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from emer_bench.api.requests import Reference
from emer_bench.errors import ConfigError, DataError
from emer_bench.tasks.discovery import TaskIndex, builtin_task_dir
from emer_bench.tasks.documents import PathContext, TaskDocument, load_documents, render_prompt
from emer_bench.tasks.loader import LoadedTask


def references_sha256(pairs: list[tuple[str, Reference]]) -> str:
    """sha256 of the (clip id, reference) pairs, in clip-id order, as canonical JSON."""
    rows = sorted([clip, ref.to_dict()] for clip, ref in pairs)
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def is_bundled(task: LoadedTask) -> bool:
    """The task's annotations ship inside emer-bench's own task folder (project-owned data, e.g.
    emer-demo), so its references and prompts may be published; anything read from --data-dir
    is upstream data under its own licence and is never copied into the leaderboard."""
    spec = task.spec.dataset
    if spec.hf is not None or not spec.files:
        return False
    try:
        task.path.resolve().relative_to(builtin_task_dir().resolve())
    except ValueError:
        return False
    return all(f.path.startswith("{task_dir}/") and ".." not in f.path for f in spec.files)


@dataclass
class TaskData:
    """A task's documents when its data can be read here (None: not verifiable here, with why)."""

    task: LoadedTask
    documents: dict[str, TaskDocument] | None
    unavailable: str | None = None

    def prompt(self, clip_id: str) -> str | None:
        doc = (self.documents or {}).get(clip_id)
        return render_prompt(self.task, doc) if doc is not None else None


def load_task_data(index: TaskIndex, name: str, data_dir: Path | None) -> TaskData:
    """Raises ConfigError for an unknown task; missing data is reported, not raised."""
    task = index.load(name)
    try:
        docs = load_documents(task, PathContext.from_env(data_dir))
    except (ConfigError, DataError) as exc:
        return TaskData(task, None, f"task data not available here ({exc})")
    return TaskData(task, {d.clip_id: d for d in docs})

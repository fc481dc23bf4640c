"""`--modalities`: run any task with a subset of its inputs (video, audio, subtitle).

A modality set makes a variant of the task: the same annotations, prompt and scorers, with
`modalities` replaced. The variant's content hash includes the set, so its samples file never
mixes with the full run's, while its name stays the task's (results say which set ran in
`config.modalities`). A text-only variant (`subtitle`) needs no media at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.tasks.loader import LoadedTask


def parse_modalities(text: str, where: str = "--modalities") -> tuple[Modality, ...]:
    """'video,audio,subtitle' (any non-empty subset, any order) -> a tuple in canonical order."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    known = [m.value for m in Modality]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ConfigError(f"{where}: '{text}' must be a comma-separated subset of {', '.join(known)}"
                          + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    return tuple(m for m in Modality if m.value in names)


def with_modalities(task: LoadedTask, modalities: tuple[Modality, ...] | None) -> LoadedTask:
    """The task restricted to `modalities` (None: the task as defined)."""
    if modalities is None:
        return task
    spec = task.spec
    if Modality.SUBTITLE in modalities and "subtitle" not in _subtitle_sources(task):
        raise ConfigError(f"task '{task.name}' ({task.path}): --modalities includes subtitle but the task's "
                          "annotations have no 'subtitle' column")
    if Modality.SUBTITLE in modalities and "{subtitle}" not in spec.prompt.template:
        raise ConfigError(f"task '{task.name}' ({task.path}): --modalities includes subtitle but prompt.template "
                          "has no {subtitle} placeholder, so the model would never see it")
    if modalities == tuple(m for m in Modality if m in spec.modalities):
        return task  # the task's own set: same run, same samples file
    variant = spec.model_copy(update={"modalities": list(modalities)})
    digest = hashlib.sha256(f"{task.content_sha256}\x00modalities={','.join(m.value for m in modalities)}"
                            .encode()).hexdigest()
    return replace(task, spec=variant, content_sha256=digest)


def _subtitle_sources(task: LoadedTask) -> set[str]:
    dataset = task.spec.dataset
    if dataset.hf is not None:
        return set(dataset.hf.columns)
    return {name for f in dataset.files for name in f.columns}

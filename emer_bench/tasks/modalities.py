"""`--modalities`: run any task with a subset of its inputs (video, audio, subtitle).

A modality set makes a variant of the task: the same annotations, prompt and scorers, with
`modalities` replaced. The variant's content hash includes the set, so its samples file never
mixes with the full run's, while its name stays the task's (results say which set ran in
`config.modalities`). A text-only variant (`subtitle`) needs no media at all.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.tasks.annotations import TaskDocument
from emer_bench.tasks.loader import LoadedTask

log = logging.getLogger(__name__)

MEDIA = (Modality.VIDEO, Modality.AUDIO)
SHOWN_MISSING = 5  # how many missing file names a message lists before the count


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


def missing_media(task: LoadedTask, docs: list[TaskDocument]) -> list[str]:
    """Per clip, the first media file its modalities need that does not exist (in document order)."""
    wanted = set(task.spec.modalities)
    if not wanted & set(MEDIA):
        return []
    missing = []
    for doc in docs:
        # Audio without a separate file comes from the video's own track.
        needed = [doc.video_path if (Modality.VIDEO in wanted or doc.audio_path is None) else None,
                  doc.audio_path if Modality.AUDIO in wanted else None]
        absent = [p for p in needed if p is not None and not Path(p).is_file()]
        if absent:
            missing.append(absent[0])
    return missing


def missing_media_note(task: LoadedTask, docs: list[TaskDocument]) -> str | None:
    """One line naming the first missing files and their count (logged before any model loads)."""
    missing = missing_media(task, docs)
    if not missing:
        return None
    shown = ", ".join(Path(p).name for p in missing[:SHOWN_MISSING])
    more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
    folder = Path(missing[0]).parent
    note = (f"task '{task.name}': {len(missing)} of {len(docs)} clips have no media file in {folder} "
            f"({shown}{more}); they fail as MediaError. Pass --media-dir, or run text-only with "
            "--modalities subtitle")
    log.warning(note)
    return note

"""Read a task's annotations into documents: paths with placeholders, the join of the annotation
tables on the clip id, the typed reference of each clip and its media paths."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emer_bench.api.requests import Modality, Reference
from emer_bench.errors import ConfigError, DataError
from emer_bench.metrics.labels import parse_label_list
from emer_bench.tasks.loader import LoadedTask
from emer_bench.tasks.readers import read_table, rows_from_hf
from emer_bench.tasks.schema import AnnotationFile


@dataclass(frozen=True)
class PathContext:
    """Values for the path placeholders of task files."""

    data_dir: Path | None = None  # --data-dir / EMER_BENCH_DATA
    media_dir: Path | None = None  # --media-dir / EMER_BENCH_MEDIA

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, media_dir: str | Path | None = None) -> "PathContext":
        data = data_dir or os.environ.get("EMER_BENCH_DATA")
        media = media_dir or os.environ.get("EMER_BENCH_MEDIA")
        return cls(Path(data).expanduser() if data else None, Path(media).expanduser() if media else None)


@dataclass(frozen=True)
class TaskDocument:
    clip_id: str
    subtitle: str | None
    reference: Reference
    video_path: str | None
    audio_path: str | None


def expand_path(template: str, task: LoadedTask, paths: PathContext, what: str) -> Path:
    """Replace {task_dir}/{data_dir}/{media_dir}; a needed but unset directory is a ConfigError."""
    out = template.replace("{task_dir}", str(task.task_dir))
    if "{media_dir}" in out and paths.media_dir is None and task.spec.media.default_dir:
        # The dataset's own layout (e.g. MERBench's <dataset>-process/video) when --media-dir is not given.
        out = out.replace("{media_dir}", task.spec.media.default_dir.replace("{task_dir}", str(task.task_dir)))
    if "{media_dir}" in out:
        media = paths.media_dir or (paths.data_dir / "video" if paths.data_dir else None)
        if media is None:
            raise ConfigError(f"task '{task.name}' ({task.path}): {what} needs --media-dir or --data-dir")
        out = out.replace("{media_dir}", str(media))
    if "{data_dir}" in out:
        if paths.data_dir is None:
            raise ConfigError(f"task '{task.name}' ({task.path}): {what} '{template}' needs --data-dir "
                              "(or EMER_BENCH_DATA) pointing at the folder with the annotation files")
        out = out.replace("{data_dir}", str(paths.data_dir))
    return Path(out).expanduser()


def _merge_tables(task: LoadedTask, files: list[AnnotationFile], paths: PathContext) -> tuple[list[str], dict[str, dict[str, Any]], dict[str, str]]:
    """Join the annotation files on their id columns, in the first file's order."""
    order: list[str] = []
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}  # field -> file it came from (for error messages)
    for index, spec in enumerate(files):
        path = expand_path(spec.path, task, paths, "dataset.files.path")
        rows = read_table(path, spec)
        for field_name, column in spec.columns.items():
            if rows and column not in rows[0][1]:
                raise DataError(f"{path}: no column '{column}' for '{field_name}' (columns: {', '.join(rows[0][1])})")
            origin[field_name] = str(path)
        seen: dict[str, dict[str, Any]] = {}
        for line, row in rows:
            clip_id = str(row[spec.id_column]).strip()
            values = {f: row.get(c) for f, c in spec.columns.items()}
            if clip_id in seen:
                # The first file lists the clips, so a repeat there is an error. Joined files from
                # upstream repeat a few rows verbatim (MERBench's IEMOCAP transcripts): harmless.
                if index > 0 and seen[clip_id] == values:
                    continue
                raise DataError(f"{path}:{line}: clip id '{clip_id}' appears twice in column '{spec.id_column}'"
                                + (" with different values" if index > 0 else ""))
            seen[clip_id] = values
            if index == 0:
                order.append(clip_id)
                merged[clip_id] = {}
            if clip_id in merged:
                merged[clip_id].update(values)
    return order, merged, origin


def _to_float(value: Any, field_name: str, clip_id: str, where: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: clip '{clip_id}': '{field_name}' is not a number: {value!r}") from None
    return None if math.isnan(number) else number


def _reference(values: dict[str, Any], fields: list[str], clip_id: str, origin: dict[str, str]) -> Reference:
    def text(name: str) -> str | None:
        v = values.get(name)
        return None if v is None else str(v)

    return Reference(
        explanation=text("explanation") if "explanation" in fields else None,
        openset=parse_label_list(values.get("openset")) if "openset" in fields else None,
        label=(text("label") or "").strip().lower() or None if "label" in fields else None,
        valence=_to_float(values.get("valence"), "valence", clip_id, origin.get("valence", "")) if "valence" in fields else None,
        arousal=_to_float(values.get("arousal"), "arousal", clip_id, origin.get("arousal", "")) if "arousal" in fields else None,
    )


def _inside(media_root: Path, name: str, task: LoadedTask, clip_id: str) -> Path:
    """`media_root/name`, refused when the clip id leads outside the media folder (`../..`, absolute):
    an annotation file must not make the harness decode and send any file on the machine."""
    path = Path(os.path.normpath(media_root / name))
    if not path.is_relative_to(os.path.normpath(media_root)):
        raise DataError(f"task '{task.name}': clip id {clip_id!r} leads outside the media folder {media_root} "
                        f"(to {path}); clip ids must be plain names")
    return path


def _media_paths(task: LoadedTask, paths: PathContext, clip_id: str, media_root: Path) -> tuple[str, str | None]:
    spec = task.spec.media
    candidates = [_inside(media_root, p.replace("{clip_id}", clip_id), task, clip_id) for p in spec.patterns]
    video = next((c for c in candidates if c.is_file()), candidates[0])  # missing → per-sample error later
    audio = (str(_inside(media_root, spec.audio_pattern.replace("{clip_id}", clip_id), task, clip_id))
             if spec.audio_pattern else None)
    return str(video), audio


def load_documents(task: LoadedTask, paths: PathContext) -> list[TaskDocument]:
    spec = task.spec
    if spec.dataset.hf is not None:
        hf_path = spec.dataset.hf.path
        if "{" in hf_path:  # a local folder given with placeholders
            hf_path = str(expand_path(hf_path, task, paths, "dataset.hf.path"))
        rows = rows_from_hf(spec.dataset.hf, hf_path)
        cols, id_col = spec.dataset.hf.columns, spec.dataset.hf.id_column
        order = [str(r[id_col]) for r in rows]
        merged = {str(r[id_col]): {f: r.get(c) for f, c in cols.items()} for r in rows}
        origin = {f: spec.dataset.hf.path for f in cols}
    else:
        order, merged, origin = _merge_tables(task, spec.dataset.files, paths)
    if not order:
        raise DataError(f"task '{task.name}' ({task.path}): the annotations give 0 clips; nothing to evaluate")
    missing = [f for f in spec.reference if f not in origin]
    if missing:
        raise ConfigError(f"{task.path}: reference field(s) {missing} have no column in dataset.files[*].columns")
    needs_media = any(m in (Modality.VIDEO, Modality.AUDIO) for m in spec.modalities)
    media_root = expand_path(spec.media.dir, task, paths, "media.dir") if needs_media else None
    docs = []
    for clip_id in order:
        values = merged[clip_id]
        video, audio = _media_paths(task, paths, clip_id, media_root) if media_root else (None, None)
        subtitle = values.get("subtitle")
        docs.append(TaskDocument(clip_id, None if subtitle is None else str(subtitle),
                                 _reference(values, list(spec.reference), clip_id, origin), video, audio))
    return docs

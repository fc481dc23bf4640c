"""Checks that run before any model is loaded or asked: each failure is one clear line, in
seconds, instead of a run that fails every sample (or exits 0 having asked nothing)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.errors import ConfigError, DataError

_MAX_NAMES = 5  # missing clips named in a message; the rest are counted


def check_output_dir(path: Path) -> None:
    """The output folder exists (or can be created) and takes files."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--output-dir {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise ConfigError(f"--output-dir {path}: cannot write there ({exc.strerror or exc})") from None


def check_inputs(task_name: str, task_modalities: list[Modality], model: str,
                 model_modalities: frozenset[Modality]) -> None:
    """A task must give the model at least one input it takes (else every answer is empty)."""
    if not set(task_modalities) & set(model_modalities):
        given = ", ".join(sorted(m.value for m in task_modalities)) or "nothing"
        takes = ", ".join(sorted(m.value for m in model_modalities))
        raise ConfigError(f"task '{task_name}' gives the model {given}, but model '{model}' takes only {takes}: "
                          f"it would have nothing to answer from")


@dataclass
class MediaReport:
    folder: Path
    n_clips: int
    missing: list[str]  # clip ids whose media file is absent

    def describe(self) -> str:
        found = self.n_clips - len(self.missing)
        text = f"{found} of {self.n_clips} clips found in {self.folder}"
        if self.missing:
            names = ", ".join(self.missing[:_MAX_NAMES])
            more = f" and {len(self.missing) - _MAX_NAMES} more" if len(self.missing) > _MAX_NAMES else ""
            text += f"; missing: {names}{more} (recorded as failed samples)"
        return text


def check_media(task_name: str, requests: list[GenerationRequest], takes: frozenset[Modality]) -> MediaReport | None:
    """How many of the task's clips exist. No folder or no clip at all is an error; some missing
    clips are reported (they fail one by one, and a later run asks them again)."""
    wanted = [r for r in requests if r.video_path and ({Modality.VIDEO, Modality.AUDIO} & set(r.modalities) & takes)]
    if not wanted:
        return None
    folder = Path(os.path.commonpath([os.path.dirname(r.video_path or "") for r in wanted]))
    if not folder.is_dir():
        raise DataError(f"task '{task_name}': media folder {folder} does not exist (set --media-dir or --data-dir, "
                        "or run text-only with --modalities subtitle)")
    missing = [r.clip_id for r in wanted if not os.path.isfile(r.video_path or "")]
    report = MediaReport(folder, len(wanted), missing)
    if len(missing) == len(wanted):
        raise DataError(f"task '{task_name}': none of the {len(wanted)} clips is in {folder} "
                        f"(e.g. {Path(wanted[0].video_path or '').name}); check --media-dir, "
                        "or run text-only with --modalities subtitle")
    return report

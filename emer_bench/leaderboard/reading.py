"""Reading a submission folder defensively: every name, link, size and line is checked, and
every problem is collected (not raised) so `verify` can list them all at once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from emer_bench.leaderboard.limits import (
    MAX_METADATA_BYTES,
    MAX_RESULTS_BYTES,
    MAX_SAMPLES_BYTES,
    MAX_SUBMISSION_BYTES,
    is_safe_slug,
)
from emer_bench.leaderboard.schema import META_FILE, RESULTS_FILE, SubmissionMeta, SubmittedSample
from emer_bench.validation import describe_problems


@dataclass
class Submission:
    folder: Path
    meta: SubmissionMeta
    results: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.meta.slug


@dataclass
class Problems:
    """Everything wrong, as 'submission: message' lines, in the order found."""

    lines: list[str] = field(default_factory=list)

    def add(self, who: str, message: str) -> None:
        self.lines.append(f"{who}: {message}")

    def __bool__(self) -> bool:
        return bool(self.lines)


def _read_json(path: Path, limit: int, who: str, problems: Problems) -> Any:
    size = path.stat().st_size
    if size > limit:
        problems.add(who, f"{path.name} is {size} bytes, over the limit of {limit}")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.add(who, f"{path.name}: not valid JSON ({exc})")
        return None


def _check_entries(folder: Path, who: str, problems: Problems) -> bool:
    """Only plain files (no links, no folders) and a bounded total size."""
    ok, total = True, 0
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() or not entry.is_file():
            problems.add(who, f"{entry.name!r} is a link or a folder; a submission holds plain files only")
            ok = False
            continue
        total += entry.stat().st_size
    if total > MAX_SUBMISSION_BYTES:
        problems.add(who, f"the folder holds {total} bytes, over the limit of {MAX_SUBMISSION_BYTES}")
        ok = False
    return ok


def _allowed_names(meta: SubmissionMeta, folder: Path, who: str, problems: Problems) -> None:
    allowed = {META_FILE, RESULTS_FILE} | {t.samples_file for t in meta.tasks.values()}
    for entry in sorted(folder.iterdir()):
        if entry.name not in allowed:
            problems.add(who, f"unexpected file {entry.name!r} (allowed: {sorted(allowed)})")


def load_submission(folder: Path, problems: Problems) -> Submission | None:
    """The submission in `folder`, or None with the reasons added to `problems`."""
    who = repr(folder.name) if not is_safe_slug(folder.name) else folder.name
    if folder.is_symlink() or not is_safe_slug(folder.name):
        problems.add(who, "not a safe submission folder name (a-z, 0-9 and '-', no links); rename it")
        return None
    if not _check_entries(folder, who, problems):
        return None
    if not (folder / META_FILE).is_file() or not (folder / RESULTS_FILE).is_file():
        problems.add(who, f"needs {META_FILE} and {RESULTS_FILE} (made by `emer-bench leaderboard add`)")
        return None
    raw_meta = _read_json(folder / META_FILE, MAX_METADATA_BYTES, who, problems)
    results = _read_json(folder / RESULTS_FILE, MAX_RESULTS_BYTES, who, problems)
    if raw_meta is None or results is None:
        return None
    try:
        meta = SubmissionMeta.model_validate(raw_meta)
    except ValidationError as exc:
        problems.add(who, f"{META_FILE}: {describe_problems(exc)}")
        return None
    if meta.slug != folder.name:
        problems.add(who, f"{META_FILE}: slug {meta.slug!r} differs from the folder name")
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
        problems.add(who, f"{RESULTS_FILE}: not an emer-bench results file (no 'results' mapping)")
        return None
    _allowed_names(meta, folder, who, problems)
    return Submission(folder, meta, results)


def read_submitted_samples(path: Path, who: str, problems: Problems) -> list[SubmittedSample] | None:
    """The samples of one task, or None (with problems) when the file is missing, too big or malformed."""
    if not path.is_file():
        problems.add(who, f"{path.name} not found")
        return None
    if path.stat().st_size > MAX_SAMPLES_BYTES:
        problems.add(who, f"{path.name} is {path.stat().st_size} bytes, over the limit of {MAX_SAMPLES_BYTES}")
        return None
    samples, bad = [], 0
    for line_no, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            samples.append(SubmittedSample.model_validate_json(line))
        except ValidationError as exc:
            bad += 1
            if bad <= 5:  # a broken file must not flood the report
                problems.add(who, f"{path.name}:{line_no}: {describe_problems(exc)}")
    if bad > 5:
        problems.add(who, f"{path.name}: {bad - 5} more malformed lines")
    return None if bad else samples

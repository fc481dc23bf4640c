"""Per-sample scores that need not be computed again: those of an earlier results file of the
same samples file (a cached re-run, a resumed run), and those computed while the model still
answered (runner/score_incremental.py).

A component is reused only when BOTH are unchanged:
- the sample as the scorer sees it (`item_sha256`: clip, answer, reference, failure, structured
  prediction), written on every line of a scores file;
- the scorer's scoring digest (`scorer_digest`: its name, alias, arguments, describe() with its
  resource hashes, the task's modalities and reference fields, the emer-bench version and the
  hash of its installed code, the versions of the libraries it declares, the run's seed and
  resource settings), written in the results file's scorer config.
and only for scorers that allow it (`Scorer.score_reuse`); anything else is scored again.
Aggregates and confidence intervals are always recomputed from the components.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import emer_bench
from emer_bench.api.scorer import SampleScore, Scorer, ScoringItem
from emer_bench.results.writer import file_sha256

log = logging.getLogger(__name__)

# How many of the newest results files beside the samples file are searched for reusable scores.
MAX_RESULTS_SEARCHED = 20


# One encoder for every hash (json.dumps with options builds a new one per call: a third of the
# cost of hashing a sample).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _sha256_json(data: Any) -> str:
    return hashlib.sha256(_CANONICAL.encode(data).encode("utf-8")).hexdigest()


def item_sha256(item: ScoringItem) -> str:
    """Everything of one sample a scorer may read (not the prompt or the media: the record's
    fingerprint covers those, and a changed fingerprint means a new answer anyway)."""
    return _sha256_json({"clip_id": item.clip_id, "prediction": item.prediction, "failed": item.failed,
                         "reference": item.reference.to_dict(),
                         "structured": item.structured.to_dict() if item.structured is not None else None})


@functools.cache
def code_sha256(root: str) -> str:
    """Hash of every file of an installed package folder (code and bundled data such as the
    emotion word list), so that any change of the code that computes a score re-scores, even
    within one version number (an editable install under development)."""
    digest = hashlib.sha256()
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def package_code_sha256() -> str:
    """`code_sha256` of the installed emer_bench package (~10 ms the first time; the scorer
    warm-up thread computes it while the model answers)."""
    return code_sha256(str(Path(emer_bench.__file__).resolve().parent))


def _module_code(cls: type) -> str | None:
    """Hash of a plugin scorer's module file (None inside emer-bench: its whole code is hashed)."""
    try:
        path = Path(inspect.getfile(cls)).resolve()
    except (TypeError, OSError):
        return "unknown"
    package = Path(emer_bench.__file__).resolve().parent
    if package in path.parents:
        return None
    return file_sha256(path) if path.is_file() else "unknown"


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def scorer_digest(task: Any, key: str, optional: bool, scorer: Scorer[Any]) -> str:
    """The scoring digest of one scorer of `task` (a LoadedTask)."""
    cls = type(scorer)
    return _sha256_json({
        "alias": key, "optional": optional, "class": f"{cls.__module__}.{cls.__qualname__}",
        "describe": scorer.describe(), "reuse": scorer.reuse_mode(),
        "modalities": [m.value for m in task.spec.modalities], "reference": sorted(task.spec.reference),
        "emer_bench": emer_bench.__version__, "code": package_code_sha256(),
        "module_code": _module_code(cls), "libraries": {d: _version(d) for d in cls.digest_libraries},
        # What the run gives every scorer (no reusable scorer reads them today; a future one might).
        "context": {"seed": scorer.context.seed, "resource_version": scorer.context.resource_version,
                    "resources_dir": str(scorer.context.resources_dir) if scorer.context.resources_dir else None},
    })


@dataclass
class KnownScores:
    """One scorer's components that may be reused, by clip: (item_sha256, component)."""

    by_clip: dict[str, tuple[str, SampleScore]] = field(default_factory=dict)
    # The samples the components were computed on, in order, when computed all at once
    # (a scores file); "whole" reuse needs exactly these. None: computed piecewise.
    order: list[tuple[str, str]] | None = None
    source: str | None = None  # the earlier scores file (None: computed in this run)


ScoreCache = dict[str, KnownScores]  # scorer alias -> its reusable components


def reusable_components(scorer: Scorer[Any], known: KnownScores | None, clips: list[str],
                        hashes: list[str]) -> dict[int, SampleScore]:
    """Positions of this task's items whose component can be taken from `known`, and the component."""
    mode = scorer.reuse_mode()
    if known is None or mode == "none":
        return {}
    if mode == "whole":
        if known.order != list(zip(clips, hashes)):
            return {}
        return {i: known.by_clip[clip][1] for i, clip in enumerate(clips)}
    out: dict[int, SampleScore] = {}
    for i, (clip, sha) in enumerate(zip(clips, hashes)):
        entry = known.by_clip.get(clip)
        if entry is not None and entry[0] == sha:
            out[i] = entry[1]
    return out


def _matching_task(results: Any, samples_name: str) -> dict[str, Any] | None:
    for task in (results.get("results") or {}).values() if isinstance(results, dict) else []:
        config = task.get("config") if isinstance(task, dict) else None
        if isinstance(config, dict) and config.get("samples_file") == samples_name:
            return config
    return None


def _read_scores(folder: Path, config: dict[str, Any], aliases: list[str]) -> ScoreCache:
    """The components of `aliases` in the scores file `config` names, if it is intact."""
    path = folder / str(config.get("scores_file") or "")
    expected = config.get("scores_sha256")
    if not expected or not path.is_file():
        return {}
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != expected:
        return {}  # changed after its results file was written: not the scores it names
    cache: ScoreCache = {alias: KnownScores(order=[], source=path.name) for alias in aliases}
    for text in data.decode("utf-8").splitlines():
        line = json.loads(text)
        sha, scores = line.get("item_sha256"), line.get("scores") or {}
        if not isinstance(sha, str):
            return {}  # written before item hashes: nothing can be matched
        for alias, known in cache.items():
            if alias in scores:
                known.by_clip[line["clip_id"]] = (sha, scores[alias])
            assert known.order is not None
            known.order.append((line["clip_id"], sha))
    # A scorer without a component on some line (skipped there) cannot be reused as a whole.
    return {alias: known for alias, known in cache.items() if len(known.by_clip) == len(known.order or [])}


def previous_scores(folder: Path, samples_name: str, digests: dict[str, str]) -> ScoreCache:
    """Reusable components from the newest results file in `folder` computed from the samples file
    `samples_name` with a scorer of the same alias and scoring digest. Any doubt (unreadable file,
    changed scores file, older format) gives nothing, and the samples are scored again."""
    if not digests:
        return {}
    try:
        candidates = sorted(folder.glob("results_*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return {}
    for path in candidates[:MAX_RESULTS_SEARCHED]:
        try:
            config = _matching_task(json.loads(path.read_text(encoding="utf-8")), samples_name)
            if config is None:
                continue
            aliases = [c.get("alias") for c in config.get("scorers") or []
                       if isinstance(c, dict) and c.get("alias") in digests
                       and c.get("scoring_sha256") == digests[c["alias"]]]
            cache = _read_scores(path.parent, config, [a for a in aliases if isinstance(a, str)])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.debug("not reusing scores of %s: %s", path, exc)
            continue
        if cache:
            return cache
    return {}

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
Aggregates and confidence intervals are recomputed from the components, except for a scorer
whose components all come from one earlier scores file in the same order with the same bootstrap
settings: that run's metric entries are taken as they are (`reusable_metrics`).
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
    # That earlier run's metric entries of this scorer ("<metric>" -> entry) and the bootstrap
    # settings they were computed with (`bootstrap_settings`): see `reusable_metrics`.
    metrics: dict[str, Any] = field(default_factory=dict)
    bootstrap: Any = None


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


def bootstrap_settings(n_resamples: int, seed: int) -> dict[str, Any]:
    """What a CI depends on besides the components and their order (numpy: its random streams)."""
    import numpy

    return {"n_resamples": n_resamples, "seed": seed, "numpy": numpy.__version__}


def reusable_metrics(known: KnownScores | None, clips: list[str], hashes: list[str],
                     settings: dict[str, Any]) -> dict[str, Any] | None:
    """The earlier run's metric entries of a scorer whose components are ALL taken from that run's
    scores file, in the same order, with the same bootstrap settings: recomputing them would give
    the same numbers (the scoring digest covers the aggregate's code). None when anything differs,
    or when an entry holds a null (NaN or inf in memory: recomputed rather than guessed)."""
    if known is None or known.source is None or not known.metrics or known.bootstrap != settings:
        return None
    if known.order != list(zip(clips, hashes)):
        return None
    for entry in known.metrics.values():
        if not isinstance(entry, dict) or entry.get("value") is None or None in (entry.get("ci95") or []):
            return None
    return {metric: dict(entry) for metric, entry in known.metrics.items()}


def _matching_task(results: Any, samples_name: str) -> dict[str, Any] | None:
    for task in (results.get("results") or {}).values() if isinstance(results, dict) else []:
        config = task.get("config") if isinstance(task, dict) else None
        if isinstance(config, dict) and config.get("samples_file") == samples_name:
            return dict(task)
    return None


def _attach_metrics(cache: ScoreCache, task: dict[str, Any]) -> None:
    configs = {c.get("alias"): c for c in task["config"].get("scorers") or [] if isinstance(c, dict)}
    for alias, known in cache.items():
        prefix = f"{alias}."
        if any(isinstance(other, str) and other.startswith(prefix) for other in configs):
            continue  # another alias "<alias>.x": whose metric is which cannot be told apart
        known.metrics = {name[len(prefix):]: entry for name, entry in (task.get("metrics") or {}).items()
                         if name.startswith(prefix)}
        known.bootstrap = configs.get(alias, {}).get("bootstrap")


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
            task = _matching_task(json.loads(path.read_text(encoding="utf-8")), samples_name)
            if task is None:
                continue
            config = task["config"]
            aliases = [c.get("alias") for c in config.get("scorers") or []
                       if isinstance(c, dict) and c.get("alias") in digests
                       and c.get("scoring_sha256") == digests[c["alias"]]]
            cache = _read_scores(path.parent, config, [a for a in aliases if isinstance(a, str)])
            _attach_metrics(cache, task)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.debug("not reusing scores of %s: %s", path, exc)
            continue
        if cache:
            return cache
    return {}

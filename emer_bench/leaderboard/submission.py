"""`emer-bench leaderboard add`: turn a run (its results file + samples files) into a
submission folder holding the model's answers and claimed metrics, never the references."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emer_bench.api.records import SampleRecord
from emer_bench.errors import ConfigError, DataError
from emer_bench.leaderboard.limits import MAX_RESULTS_BYTES, MAX_SAMPLES_BYTES, is_safe_slug, make_slug
from emer_bench.leaderboard.schema import META_FILE, RESULTS_FILE, SubmissionMeta, SubmittedSample, SubmittedTask
from emer_bench.leaderboard.taskdata import is_bundled, references_sha256
from emer_bench.results.schema import ResultsFile
from emer_bench.results.writer import read_results, write_json_atomic
from emer_bench.redact import public_args, redact
from emer_bench.runner.samples_file import read_samples
from emer_bench.runner.score import items_from_records
from emer_bench.runner.score_cache import item_sha256
from emer_bench.tasks.discovery import TaskIndex


@dataclass
class AddOptions:
    name: str
    link: str | None = None
    params: str | None = None
    notes: str | None = None
    hardware: str | None = None
    slug: str | None = None
    tasks: list[str] | None = None  # default: every task in the results file
    force: bool = False  # replace an existing submission with the same slug


def find_results_file(source: Path) -> Path:
    """A results JSON as given, or the single newest results_*.json of a run directory."""
    if source.is_file():
        return source
    if not source.is_dir():
        raise DataError(f"{source}: not a results file or a run directory")
    found = sorted(source.glob("results_*.json"))
    if not found:
        raise DataError(f"{source}: no results_*.json in this directory")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise DataError(f"{source}: several results files ({names}); pass the one to submit")
    return found[0]


def _check_size(path: Path, limit: int) -> None:
    size = path.stat().st_size
    if size > limit:
        raise DataError(f"{path}: {size} bytes, over the leaderboard limit of {limit}")


def published_sample(record: SampleRecord, bundled: bool) -> dict[str, Any]:
    """What a submission keeps of a sample record: no reference, no media paths, and the prompt
    only when the task's data is project-owned (a prompt may quote a licensed subtitle)."""
    sample = SubmittedSample(
        clip_id=record.clip_id, index=record.index, response=record.response, error=record.error,
        prompt=record.prompt if bundled else None, latency_s=record.latency_s,
        structured=record.structured.to_dict() if record.structured is not None else None,
        inputs={k: v for k, v in record.inputs.items() if isinstance(v, (int, float, bool))})
    return sample.model_dump(mode="json", exclude_defaults=True)


def _task_samples(results_path: Path, results: ResultsFile, task_name: str) -> list[SampleRecord]:
    config = results["results"][task_name].get("config", {})
    name = str(config.get("samples_file") or "")
    if not name or Path(name).name != name:
        raise DataError(f"{results_path}: task '{task_name}' has no plain config.samples_file (got {name!r})")
    path = results_path.parent / name
    if not path.is_file():
        raise DataError(f"{path}: samples file of task '{task_name}' not found beside its results file")
    _check_size(path, MAX_SAMPLES_BYTES)
    records = sorted(read_samples(path, strict=True).values(), key=lambda r: r.index)
    if not records:
        raise DataError(f"{path}: no sample records")
    _check_same_samples(results_path, config, records)
    return records


def _check_same_samples(results_path: Path, config: Any, records: list[SampleRecord]) -> None:
    """The samples file is shared by every run of one command: after a re-run (failed samples asked
    again, --limit raised) it holds answers an older results file was not computed from. Such a
    pair was submitted and then rejected by verify with a mismatch per metric; the scores file the
    results name holds each sample's hash, so the mismatch is named here instead."""
    scores = results_path.parent / str(config.get("scores_file") or "")
    if not config.get("scores_file") or not scores.is_file():
        return  # nothing to compare with (moved, or an older results format): verify still recomputes
    try:
        lines = [json.loads(line) for line in scores.read_text(encoding="utf-8").splitlines() if line.strip()]
        scored = {line["clip_id"]: line["item_sha256"] for line in lines}
    except (ValueError, KeyError, TypeError):
        return
    now = {item.clip_id: item_sha256(item) for item in items_from_records(records)}
    changed = sorted(clip for clip in set(now) | set(scored) if now.get(clip) != scored.get(clip))
    if changed:
        raise DataError(f"{results_path}: {len(changed)} of {len(now)} samples in {config['samples_file']} are not "
                        f"the ones these results were computed from (e.g. '{changed[0]}': the command was run again "
                        f"since); submit the newest results file of that folder")


def _chosen_tasks(results_path: Path, results: ResultsFile, wanted: list[str] | None) -> list[str]:
    have = list(results["results"])
    for name in wanted or []:
        if name not in have:
            raise ConfigError(f"--task '{name}': not in {results_path} (it has {have})")
    if not have:
        raise DataError(f"{results_path}: no task results")
    return list(wanted) if wanted else have


def _meta(results: ResultsFile, options: AddOptions, slug: str, tasks: dict[str, SubmittedTask]) -> SubmissionMeta:
    model, prov = results.get("model", {}), results.get("provenance", {})
    info = model.get("model_info", {}) or {}
    return SubmissionMeta(
        slug=slug, name=options.name, link=options.link, params=options.params, notes=options.notes,
        hardware=options.hardware, date=str(prov.get("start_time", "")), tasks=tasks,
        emer_bench_version=str(prov.get("emer_bench_version", "unknown")), git_commit=prov.get("git_commit"),
        model=str(model.get("model", "unknown")), model_id=str(info.get("model_id") or model.get("model", "")),
        model_args=public_args(dict(model.get("model_args", {}) or {})))


def _slug_for(options: AddOptions) -> str:
    slug = options.slug if options.slug is not None else make_slug(options.name)
    if not is_safe_slug(slug):
        raise ConfigError(f"slug {slug!r} is not safe (a-z, 0-9 and '-', at most 64 characters); "
                          "pass --slug")
    return slug


def _results_for_submission(results: ResultsFile, tasks: dict[str, SubmittedTask]) -> dict[str, Any]:
    kept: dict[str, dict[str, Any]] = {name: dict(results["results"][name]) for name in tasks}
    for name, entry in kept.items():
        config = dict(entry.get("config", {}))
        config["samples_file"] = tasks[name].samples_file
        for key in ("scores_file", "scores_sha256"):  # per-sample scores are recomputed, never taken from a submission
            config.pop(key, None)
        entry["config"] = config
        entry["notes"] = []  # notes name local paths (resource caches); verify writes its own
        entry.pop("error_examples", None)  # the samples keep every error; examples may name local paths
    model: dict[str, Any] = dict(results.get("model", {}))
    model["model_args"] = public_args(dict(model.get("model_args", {}) or {}))
    provenance: dict[str, Any] = dict(results.get("provenance", {}))
    prov = {k: v for k, v in provenance.items() if k != "command"}  # argv: local paths
    return {"results": kept, "model": model, "provenance": prov}


def add_submission(source: Path, board_dir: Path, options: AddOptions, index: TaskIndex | None = None) -> Path:
    """Write `board_dir/submissions/<slug>/`; returns the folder. Nothing is written on error."""
    results_path = find_results_file(Path(source))
    _check_size(results_path, MAX_RESULTS_BYTES)
    results = read_results(results_path)
    slug = _slug_for(options)
    target = Path(board_dir) / "submissions" / slug
    if target.exists() and not options.force:
        raise ConfigError(f"{target} exists; pass --force to replace it or choose another --slug")
    index = index or TaskIndex()
    tasks: dict[str, SubmittedTask] = {}
    files: dict[str, list[dict[str, Any]]] = {}
    for name in _chosen_tasks(results_path, results, options.tasks):
        records = _task_samples(results_path, results, name)
        bundled = is_bundled(index.load(name))
        file_name = f"samples_{make_slug(name)}.jsonl"
        if file_name in files:
            raise ConfigError(f"tasks {sorted(tasks)} and '{name}' map to the same file {file_name}")
        files[file_name] = [published_sample(r, bundled) for r in records]
        config = results["results"][name].get("config", {})
        tasks[name] = SubmittedTask(
            samples_file=file_name, modalities=list(config.get("modalities", [])), n_samples=len(records),
            references_sha256=references_sha256([(r.clip_id, r.reference) for r in records]), bundled_data=bundled)
    meta = _meta(results, options, slug, tasks)
    _write_folder(target, meta, redact(_results_for_submission(results, tasks)),
                  {k: [redact(s) for s in v] for k, v in files.items()})
    return target


def _write_folder(target: Path, meta: SubmissionMeta, results: dict[str, Any],
                  files: dict[str, list[dict[str, Any]]]) -> None:
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        write_json_atomic(staging / META_FILE, redact(meta.model_dump(mode="json")))
        write_json_atomic(staging / RESULTS_FILE, results)
        for name, samples in files.items():
            text = "".join(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n" for s in samples)
            (staging / name).write_text(text, encoding="utf-8")
            _check_size(staging / name, MAX_SAMPLES_BYTES)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)

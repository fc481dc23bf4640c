"""The output contract of a run: `results_<timestamp>.json` plus JSONL files beside it.

Layout (one directory per model under --output-dir, like lm-eval):

    <output-dir>/<model-slug>/results_<timestamp>.json        ResultsFile
    <output-dir>/<model-slug>/samples_<task>_<hash>.jsonl     one SampleRecord per line, appended
                                                              as each sample completes (resume key)
    <output-dir>/<model-slug>/scores_<task>_<hash>_<timestamp>.jsonl
                                                              one SampleScoreLine per line: the scores
                                                              of the results file with that timestamp,
                                                              written once, never replaced

`<hash>` is the first 12 hex digits of the run key (task content hash + model + model args +
generation kwargs + seed; transport-only args such as timeout excluded), so re-running the same configuration resumes the same samples file.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class MetricEntry(TypedDict, total=False):
    value: float  # the metric (fractions, not x100)
    ci95: list[float]  # [low, high] seeded bootstrap percentile interval; headline metrics only
    n_total: int  # samples in the task (after --limit)
    n_scored: int  # samples that entered this metric (not skipped by its rule)
    n_failed: int  # samples whose decoding or generation failed (see the samples file)


class ScorerConfig(TypedDict, total=False):
    alias: str  # key of this scorer's metrics ("<alias>.<metric>"); the YAML `as:`, default the name
    scorer: str  # registry name
    args: dict[str, Any]  # validated YAML arguments
    resources: dict[str, Any]  # e.g. {"emotion_wheel": {"version": "mer2025", "sha256": {...}}}
    extractor: dict[str, Any]  # label extractor identity (model, settings, prompt hash)
    judge: dict[str, Any]  # judge model identity and prompt hash
    # Digest of everything that determines this scorer's components (runner/score_cache.py);
    # absent when they may not be reused by a later run.
    scoring_sha256: str
    # {"samples": n, "scores_files": [...]}: n components taken from those earlier scores files
    # (same samples, same scoring digest) instead of being computed again; absent when none.
    reused: dict[str, Any]
    # {"n_resamples", "seed", "numpy"}: what this scorer's CIs were computed with
    bootstrap: dict[str, Any]


class TaskConfigRecord(TypedDict):
    task: str  # task name
    version: str  # the task's declared version
    content_sha256: str  # hash of the resolved task definition (after include:)
    prompt_sha256: str  # hash of the system prompt + prompt template
    modalities: list[str]  # channels given to the model
    gen_kwargs: dict[str, Any]  # task generation kwargs merged with --gen-kwargs
    scorers: list[ScorerConfig]
    main_metric: str  # "<scorer>.<metric>" shown first in the summary
    samples_file: str  # file name of the samples JSONL (same directory)
    scores_sha256: NotRequired[str | None]  # hash of that scores file; `compare` refuses a changed one
    scores_file: str  # the per-sample scores THIS results file was computed from (same directory; never overwritten)


class TaskResult(TypedDict):
    metrics: dict[str, MetricEntry]  # "<scorer alias>.<metric>" -> entry
    n_total: int  # samples in the task (after --limit)
    n_failed: int  # failed samples; their errors are in the samples file
    errors: dict[str, int]  # error kind (api/error_kinds.ErrorKind value) -> count, e.g. {"MediaError": 2}
    error_examples: NotRequired[dict[str, str]]  # error kind -> its first message (secrets masked)
    n_reused: NotRequired[int]  # samples reused from an earlier run of the same command (resume)
    notes: list[str]  # e.g. an optional scorer skipped because its resources are missing
    # scorer alias -> {"count": samples its judge or label extractor failed on, "first": message}:
    # those samples are left out of (judge) or empty in (extractor) that scorer's metrics
    scoring_failures: NotRequired[dict[str, dict[str, Any]]]
    config: TaskConfigRecord


class ModelConfigRecord(TypedDict):
    model: str  # adapter name
    model_args: dict[str, Any]  # parsed --model-args (secrets such as api_key removed)
    # The adapter's describe(): checkpoint, API model, ... A local model's adapter adds `loaded`:
    # false when the run asked nothing (every answer reused from the samples file), so nothing was
    # loaded and the facts only a loaded model knows (dtype, device...) are absent.
    model_info: dict[str, Any]
    batch_size: int
    limit: int | None
    seed: int


class Provenance(TypedDict):
    emer_bench_version: str
    git_commit: str | None  # of the emer-bench checkout, when run from one
    python: str
    torch: str | None
    transformers: str | None
    platform: str
    start_time: str  # ISO-8601 UTC
    duration_s: float
    command: list[str]  # argv


class ResultsFile(TypedDict):
    results: dict[str, TaskResult]  # task name -> result
    model: ModelConfigRecord
    provenance: Provenance
    groups: NotRequired[dict[str, Any]]  # group name -> emer_bench.tasks.groups.group_summary (when asked)


class SampleScoreLine(TypedDict):
    clip_id: str
    index: int
    failed: bool
    item_sha256: NotRequired[str]  # the sample as its scorers saw it (runner/score_cache.item_sha256)
    scores: dict[str, Any]  # scorer alias -> that scorer's per-sample components (None: skipped)

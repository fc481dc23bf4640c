"""The files of one submission, `leaderboard/submissions/<slug>/`:

    submission.json          SubmissionMeta (below)
    results.json             the run's results file (claimed metrics; secrets redacted)
    samples_<task>.jsonl     one SubmittedSample per line: the model's answers, never references

Only these names are allowed; anything else in the folder (or a link) rejects the submission.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from emer_bench.leaderboard.limits import MAX_META_FIELD, MAX_TEXT_FIELD, is_safe_slug

FORMAT_VERSION = 1
META_FILE = "submission.json"
RESULTS_FILE = "results.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubmittedTask(_Strict):
    samples_file: str  # samples_<task slug>.jsonl, beside submission.json
    modalities: list[str]  # the channels the model was given in this run
    n_samples: int = Field(ge=0)
    # sha256 of the references the run was scored against (clip id + reference, task order):
    # lets `verify` prove the task data it reads is the data the run used, without storing it.
    references_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    # True when the task's data ships with emer-bench (emer-demo): prompts and references may be shown.
    bundled_data: bool = False

    @field_validator("samples_file")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        stem = value.removeprefix("samples_").removesuffix(".jsonl")
        if not (value.startswith("samples_") and value.endswith(".jsonl") and is_safe_slug(stem)):
            raise ValueError(f"must be samples_<slug>.jsonl with a slug of a-z, 0-9 and '-', got {value!r}")
        return value


class SubmissionMeta(_Strict):
    format: int = FORMAT_VERSION
    slug: str
    name: str = Field(min_length=1, max_length=200)  # display name
    link: str | None = Field(default=None, max_length=MAX_META_FIELD)
    params: str | None = Field(default=None, max_length=200)  # e.g. "7B"
    notes: str | None = Field(default=None, max_length=MAX_META_FIELD)
    hardware: str | None = Field(default=None, max_length=MAX_META_FIELD)
    date: str = Field(max_length=40)  # when the run started (ISO-8601)
    emer_bench_version: str = Field(max_length=100)
    git_commit: str | None = Field(default=None, max_length=100)
    model: str = Field(max_length=200)  # adapter name
    model_id: str = Field(max_length=MAX_META_FIELD)  # checkpoint / API model: runs of one model share it
    model_args: dict[str, Any] = Field(default_factory=dict)
    tasks: dict[str, SubmittedTask]

    @field_validator("slug")
    @classmethod
    def _safe_slug(cls, value: str) -> str:
        if not is_safe_slug(value):
            raise ValueError(f"not a safe slug (a-z, 0-9, '-'; at most 64 characters): {value!r}")
        return value

    @field_validator("link")
    @classmethod
    def _http_link(cls, value: str | None) -> str | None:
        # Rendered as an <a href>: only http(s), so a `javascript:` link can never run.
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise ValueError(f"must start with https:// or http://, got {value[:80]!r}")
        return value


class SubmittedSample(_Strict):
    """One clip's outcome as published: the answer, or the failure, and what was measured."""

    clip_id: str = Field(min_length=1, max_length=200)
    index: int = Field(ge=0)
    response: str | None = Field(default=None, max_length=MAX_TEXT_FIELD)
    error: str | None = Field(default=None, max_length=MAX_TEXT_FIELD)
    prompt: str | None = Field(default=None, max_length=MAX_TEXT_FIELD)  # only for bundled-data tasks
    latency_s: float | None = None
    inputs: dict[str, int | float | bool] = Field(default_factory=dict)  # counts only (frames, seconds)
    # A classic recognizer's class scores / valence-arousal (api/structured.py StructuredPrediction.to_dict)
    structured: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and (self.response is not None or self.structured is not None)

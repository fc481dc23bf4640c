"""The validated schema of a task YAML file.

A task says where its annotations and media are, which modalities the model gets, how the
prompt is built, what the reference is, and which scorers run. Unknown keys are errors
(`extra="forbid"`), so a typo fails loudly with the file and the key.

Paths may use placeholders: `{task_dir}` (the YAML's folder), `{data_dir}` (--data-dir or
EMER_BENCH_DATA) and `{media_dir}` (--media-dir or EMER_BENCH_MEDIA, default {data_dir}/video).
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from emer_bench.api.generation import GenerationSettings, describe_generation_problems
from emer_bench.api.requests import Modality, ReferenceField

# The `{name}` placeholders each kind of text may use (anything else is refused at load time).
PROMPT_PLACEHOLDERS = ("subtitle", "clip_id")
PATH_PLACEHOLDERS = ("task_dir", "data_dir", "media_dir")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnnotationFile(_Strict):
    """One annotation table; several are joined on the clip id column."""

    path: str  # CSV, JSONL or a MERBench label .npz; absolute or with placeholders
    format: Literal["csv", "jsonl", "merbench", "auto"] = "auto"  # auto: by suffix (.npz -> merbench)
    id_column: str = "name"
    # reference field / "subtitle" -> column name in this file
    columns: dict[str, str] = Field(default_factory=dict)
    # MERBench archives (emer_bench/tasks/merbench.py): the split to read (e.g. test_corpus) and
    # the class names of datasets that store an index in 'emo' (index i -> label_names[i]).
    corpus: str | None = None
    label_names: list[str] | None = None
    # Keep only clips whose id fully matches this regular expression (e.g. IEMOCAP's Session 5: "Ses05.*").
    ids_matching: str | None = None

    @model_validator(mode="after")
    def _merbench_fields(self) -> "AnnotationFile":
        merbench = self.format == "merbench" or (self.format == "auto" and self.path.endswith(".npz"))
        if merbench and not self.corpus:
            raise ValueError("a MERBench .npz annotation file needs 'corpus' (the split, e.g. test_corpus)")
        if not merbench and (self.corpus or self.label_names):
            raise ValueError("'corpus' and 'label_names' apply only to MERBench .npz files (format: merbench)")
        if self.ids_matching is not None:
            try:
                re.compile(self.ids_matching)
            except re.error as exc:
                raise ValueError(f"ids_matching is not a regular expression: {exc}") from None
        return self


class HFDatasetSource(_Strict):
    """A Hugging Face `datasets` source (loaded from a local path or the user's HF cache)."""

    path: str  # dataset name or local directory
    name: str | None = None
    split: str = "test"
    id_column: str = "name"
    columns: dict[str, str] = Field(default_factory=dict)


class DatasetSpec(_Strict):
    files: list[AnnotationFile] = Field(default_factory=list)
    hf: HFDatasetSource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "DatasetSpec":
        if bool(self.files) == (self.hf is not None):
            raise ValueError("give exactly one of 'files' (CSV/JSONL annotations) or 'hf' (a datasets source)")
        return self


class MediaSpec(_Strict):
    dir: str = "{media_dir}"
    # What {media_dir} means when --media-dir / EMER_BENCH_MEDIA is not given (else {data_dir}/video),
    # e.g. "{data_dir}/meld-process/video" for MERBench's layout.
    default_dir: str | None = None
    # Tried in order; the first existing file is used ({clip_id} is replaced).
    patterns: list[str] = Field(default_factory=lambda: ["{clip_id}.mp4", "{clip_id}.avi", "{clip_id}.mkv"])
    # A separate audio file pattern (e.g. "{clip_id}.wav"); None: the video's own track.
    audio_pattern: str | None = None


class PromptSpec(_Strict):
    system: str | None = None
    # Placeholders: {subtitle}, {clip_id}. Used when the task gives the subtitle.
    template: str
    # Used instead of `template` when the subtitle is not given (modalities lack "subtitle").
    template_without_subtitle: str | None = None


class ScorerSpec(_Strict):
    name: str  # registry name
    alias: str | None = Field(default=None, alias="as")  # key in results; default: name
    args: dict[str, Any] = Field(default_factory=dict)
    # Skip this scorer (with a note in the results) when its resources are missing instead of failing.
    optional: bool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def key(self) -> str:
        return self.alias or self.name


class TaskSpec(_Strict):
    task: str  # the task's name (unique)
    version: str = "1"
    description: str = ""
    dataset: DatasetSpec
    media: MediaSpec = Field(default_factory=MediaSpec)
    modalities: list[Modality]
    prompt: PromptSpec
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    reference: list[ReferenceField]  # which reference fields the annotations provide
    scorers: list[ScorerSpec]
    main_metric: str  # "<scorer key>.<metric>"
    tags: list[str] = Field(default_factory=list)

    @field_validator("generation", mode="before")
    @classmethod
    def _generation(cls, value: Any) -> Any:
        try:  # validated here so the message carries the did-you-mean and the known keys
            return GenerationSettings.model_validate(value if value is not None else {})
        except ValidationError as exc:
            raise ValueError(describe_generation_problems(exc)) from None

    @field_validator("modalities")
    @classmethod
    def _modalities_unique(cls, value: list[Modality]) -> list[Modality]:
        if not value:
            raise ValueError("a task gives the model at least one modality")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _consistent(self) -> "TaskSpec":
        keys = [s.key for s in self.scorers]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"scorer keys must be unique; use 'as:' to rename {sorted(dupes)}")
        scorer_key = self.main_metric.split(".", 1)[0]
        if "." not in self.main_metric or scorer_key not in keys:
            # A typo may sit on either side: in main_metric, or in the scorer's name in the list.
            close = difflib.get_close_matches(scorer_key, keys, n=1, cutoff=0.6)
            hint = f"; '{close[0]}' in scorers: is one of the two misspelt?" if close and "." in self.main_metric else ""
            raise ValueError(f"main_metric '{self.main_metric}' must be '<scorer>.<metric>' with scorer in {keys}{hint}")
        return self

"""What the harness asks a model: one typed request per clip (never a positional tuple)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, get_args


class Modality(str, Enum):
    """An input channel of a clip."""

    VIDEO = "video"  # frames of the clip
    AUDIO = "audio"  # the speech/sound track (mono waveform)
    SUBTITLE = "subtitle"  # the transcript, given as text in the prompt


# The names of `Reference`'s fields: what tasks declare under `reference:` and scorers under `needs`.
ReferenceField = Literal["explanation", "openset", "label", "valence", "arousal"]
REFERENCE_FIELDS: tuple[ReferenceField, ...] = get_args(ReferenceField)


@dataclass(frozen=True)
class Reference:
    """What a clip's answer is scored against. Fields the task does not provide are None."""

    explanation: str | None = None  # free-text reference explanation (EMER v1 / EMER-Fine)
    openset: list[str] | None = None  # open-vocabulary labels, already parsed (rule 1)
    label: str | None = None  # one categorical label (MER2023, MELD, ...)
    valence: float | None = None
    arousal: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Reference":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class GenerationRequest:
    """One clip to answer. Media paths are absolute; the modalities are what the task grants."""

    task: str  # task name
    index: int  # position of the clip in the task's document order
    clip_id: str  # e.g. "sample_00000648"
    prompt: str  # the rendered user prompt (subtitle already inserted when the task uses it)
    modalities: tuple[Modality, ...]  # the channels this task gives the model
    video_path: str | None = None
    audio_path: str | None = None  # None: take the audio from the video file's own track
    subtitle: str | None = None
    system_prompt: str | None = None
    # GenerationSettings.as_kwargs() of the task merged with --gen-kwargs (emer_bench/api/generation.py):
    # checked against the one schema before any request is built; adapters map it to their backend.
    gen_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable identity inside a run, used for resume."""
        return f"{self.task}/{self.clip_id}"

"""What came back for one clip: a typed record, appended to the samples file on completion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emer_bench.api.error_kinds import error_kind
from emer_bench.api.requests import GenerationRequest, Reference
from emer_bench.api.structured import StructuredPrediction


@dataclass
class Generation:
    """An adapter's answer to one request: text and/or a structured prediction, or an error
    (never all empty silently)."""

    index: int  # GenerationRequest.index it answers
    text: str | None = None
    error: str | None = None  # "<kind>: <message>" when the model call failed
    latency_s: float | None = None  # wall time of the model call that produced it
    usage: dict[str, Any] = field(default_factory=dict)  # tokens etc. when the backend reports them
    # What reached the model (prompt after the chat template, frame count, ...) for auditing.
    inputs: dict[str, Any] = field(default_factory=dict)
    # Class scores and/or valence/arousal of a classic recognizer (api/structured.py).
    structured: StructuredPrediction | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and (self.text is not None or self.structured is not None)


@dataclass
class SampleRecord:
    """One line of samples_<task>_<hash>.jsonl. A failed sample keeps its error and no response."""

    task: str
    clip_id: str
    index: int
    prompt: str
    reference: Reference
    response: str | None
    error: str | None  # set when decoding or the model failed; the sample is then not scored
    latency_s: float | None
    completed_at: str  # ISO-8601 UTC
    media: dict[str, Any] = field(default_factory=dict)  # paths and decode info
    inputs: dict[str, Any] = field(default_factory=dict)  # Generation.inputs
    usage: dict[str, Any] = field(default_factory=dict)
    rank: int = 0  # data-parallel process that produced it (0 in single-process runs)
    structured: StructuredPrediction | None = None  # Generation.structured (absent from text-only records)
    error_kind: str | None = None  # ErrorKind value of `error` (parsed from it in files that predate it)
    # What was asked: hash of references + prompt + media identity (emer_bench.runner.fingerprint);
    # a resumed run re-asks a clip whose fingerprint changed.
    fingerprint: str | None = None

    def __post_init__(self) -> None:
        if self.error is not None and self.error_kind is None:
            self.error_kind = error_kind(self.error).value

    @property
    def ok(self) -> bool:
        return self.error is None and (self.response is not None or self.structured is not None)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["reference"] = self.reference.to_dict()
        if self.structured is None:
            del data["structured"]  # text-only records keep their existing shape
        else:
            data["structured"] = self.structured.to_dict()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SampleRecord":
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["reference"] = Reference.from_dict(data.get("reference") or {})
        for k in ("media", "inputs", "usage"):
            fields[k] = fields[k] or {}
        fields["rank"] = fields["rank"] or 0
        if fields["structured"] is not None:
            fields["structured"] = StructuredPrediction.from_dict(fields["structured"])
        return cls(**fields)

    @classmethod
    def from_request(cls, request: GenerationRequest, reference: Reference, generation: Generation,
                     completed_at: str, media: dict[str, Any] | None = None, rank: int = 0,
                     fingerprint: str | None = None) -> "SampleRecord":
        return cls(
            task=request.task, clip_id=request.clip_id, index=request.index, prompt=request.prompt,
            reference=reference, response=generation.text if generation.error is None else None,
            error=generation.error, latency_s=generation.latency_s, completed_at=completed_at,
            media=media or {}, inputs=generation.inputs, usage=generation.usage, rank=rank,
            structured=generation.structured if generation.error is None else None,
            fingerprint=fingerprint,
        )
